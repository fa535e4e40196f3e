package detectors

// githubFamily builds a detector for GitHub's 40-char prefixed tokens: prefix + 30 random
// base62 + 6-char CRC32/base62 checksum of the random part. A checksum mismatch is not a finding.
func githubFamily(id, prefix, desc string) *Detector {
	return &Detector{
		ID:          id,
		Provider:    "github",
		Description: desc,
		RotateURL:   "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation",
		Checks:      "CRC32, base62",
		Keywords:    []string{prefix},
		Pattern:     `(?:^|[^0-9A-Za-z_])(` + prefix + `[0-9A-Za-z]{36})(?:[^0-9A-Za-z_]|$)`,
		Before:      8,
		After:       64,
		Validate: func(tok []byte) (Confidence, bool) {
			if validCRC32Base62(tok, len(prefix)) {
				return ConfidenceChecksum, true
			}
			return "", false
		},
	}
}

func init() { register(GitHubClassicPAT) }

// GitHubClassicPAT finds GitHub classic personal access tokens (ghp_).
//
// References: https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/
func GitHubClassicPAT() *Detector {
	return githubFamily("github-classic-pat", "ghp_", "GitHub classic personal access token")
}
