package detectors

func init() { register(NPMToken) }

// NPMToken finds npm access tokens: npm_ + 30 random base62 characters + a 6-character
// CRC32/base62 checksum, the same algorithm as GitHub's. A checksum mismatch is not a
// finding. Pre-2021 npm tokens were bare UUIDs and are not covered.
//
// References: https://github.blog/changelog/2021-09-23-npm-has-a-new-access-token-format/
func NPMToken() *Detector {
	return &Detector{
		ID:          "npm-token",
		Provider:    "npm",
		Description: "npm access token",
		RotateURL:   "https://docs.npmjs.com/revoking-access-tokens",
		Checks:      "CRC32, base62",
		Keywords:    []string{"npm_"},
		Pattern:     `(?:^|[^0-9A-Za-z_])(npm_[0-9A-Za-z]{36})(?:[^0-9A-Za-z_]|$)`,
		Before:      8,
		After:       64,
		Validate: func(tok []byte) (Confidence, bool) {
			if validCRC32Base62(tok, len("npm_")) {
				return ConfidenceChecksum, true
			}
			return "", false
		},
	}
}
