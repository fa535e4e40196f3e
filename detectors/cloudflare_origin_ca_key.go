package detectors

func init() { register(CloudflareOriginCAKey) }

// CloudflareOriginCAKey finds Cloudflare Origin CA keys (the X-Auth-User-Service-Key that
// issues origin certificates): v1.0- + 24 hex digits + "-" + 146 hex digits.
//
// References: https://developers.cloudflare.com/fundamentals/api/get-started/ca-keys/
func CloudflareOriginCAKey() *Detector {
	return &Detector{
		ID:          "cloudflare-origin-ca-key",
		Description: "Cloudflare Origin CA key",
		Keywords:    []string{"v1.0-"},
		Pattern:     bounded(`v1\.0-[0-9a-f]{24}-[0-9a-f]{146}`),
		Before:      8,
		After:       192,
		MinEntropy:  3.5,
		RotateURL:   "https://developers.cloudflare.com/fundamentals/api/get-started/ca-keys/",
	}
}
