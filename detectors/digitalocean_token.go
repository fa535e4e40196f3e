package detectors

func init() { register(DigitalOceanToken) }

// DigitalOceanToken finds DigitalOcean API tokens: personal access tokens (dop_v1_), OAuth
// access tokens (doo_v1_) and OAuth refresh tokens (dor_v1_), each + 64 lower-case hex digits.
//
// References: https://docs.digitalocean.com/reference/api/create-personal-access-token/
func DigitalOceanToken() *Detector {
	return &Detector{
		ID:          "digitalocean-token",
		Description: "DigitalOcean personal access, OAuth or refresh token",
		Provider:    "digitalocean",
		RotateURL:   "https://docs.digitalocean.com/reference/api/create-personal-access-token/",
		Keywords:    []string{"dop_v1_", "doo_v1_", "dor_v1_"},
		Pattern:     bounded(`do[opr]_v1_[0-9a-f]{64}`),
		Before:      8,
		After:       80,
		MinEntropy:  3,
	}
}
