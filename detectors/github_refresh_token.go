package detectors

func init() { register(GitHubRefreshToken) }

// GitHubRefreshToken finds GitHub App refresh tokens (ghr_). They are longer than the other
// prefixed GitHub tokens (the REST docs example has 76 body characters) and no checksum is
// published for that length, so the pattern and entropy decide; a 36-character body that
// carries the CRC32/base62 checksum of the classic family is ConfidenceChecksum.
//
// References: https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
func GitHubRefreshToken() *Detector {
	return &Detector{
		ID:          "github-refresh-token",
		Provider:    "github",
		Description: "GitHub App refresh token",
		RotateURL:   "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation",
		Checks:      "CRC32, base62",
		Keywords:    []string{"ghr_"},
		Pattern:     `(?:^|[^0-9A-Za-z_])(ghr_[0-9A-Za-z]{36,255})(?:[^0-9A-Za-z_]|$)`,
		Before:      8,
		After:       264,
		MinEntropy:  3.5,
		Validate: func(tok []byte) (Confidence, bool) {
			if len(tok) == 40 && validCRC32Base62(tok, 4) {
				return ConfidenceChecksum, true
			}
			return ConfidencePattern, true
		},
	}
}
