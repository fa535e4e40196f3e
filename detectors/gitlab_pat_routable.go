package detectors

func init() { register(GitLabPATRoutable) }

// GitLabPATRoutable finds routable GitLab personal access tokens:
// glpat-<base64url>[.01].<length><crc>, whose last 7 characters are the CRC32, in base 36, of
// everything before them (see checksum_gitlab.go). A valid checksum is ConfidenceChecksum.
// The algorithm is read from GitLab's generator but not yet confirmed against an issued token
// (PROVIDERS.md §8), so a token whose checksum fails but whose length field and payload
// length byte agree is still reported, as ConfidencePattern; anything else is dropped.
//
// References: https://docs.gitlab.com/security/tokens/#token-prefixes, gitlabhq
// lib/authn/token_field/generator/routable_token.rb
func GitLabPATRoutable() *Detector {
	return &Detector{
		ID:          "gitlab-pat-routable",
		Provider:    "gitlab",
		Description: "GitLab personal access token (routable format, CRC32 checksum)",
		RotateURL:   "https://docs.gitlab.com/user/profile/personal_access_tokens/#revoke-or-rotate-a-personal-access-token",
		Checks:      "CRC32, base36",
		Keywords:    []string{"glpat-"},
		Pattern:     bounded(`glpat-` + gitlabRoutable),
		Before:      8,
		After:       320,
		MinEntropy:  3.5,
		Validate: func(tok []byte) (Confidence, bool) {
			switch {
			case ValidGitLabRoutable(tok):
				return ConfidenceChecksum, true
			case gitlabRoutableShape(tok, "glpat-"):
				return ConfidencePattern, true
			}
			return "", false
		},
	}
}
