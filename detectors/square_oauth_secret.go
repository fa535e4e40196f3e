package detectors

func init() { register(SquareOAuthSecret) }

// SquareOAuthSecret finds Square application (OAuth client) secrets: sq0csp- + 43
// characters of [0-9A-Za-z_-].
//
// References: https://developer.squareup.com/docs/oauth-api/overview
func SquareOAuthSecret() *Detector {
	return &Detector{
		ID:          "square-oauth-secret",
		Description: "Square application OAuth secret",
		Keywords:    []string{"sq0csp-"},
		Pattern:     bounded(`sq0csp-[0-9A-Za-z_-]{43}`),
		Before:      8,
		After:       64,
		MinEntropy:  3.5,
		RotateURL:   "https://developer.squareup.com/docs/oauth-api/overview",
	}
}
