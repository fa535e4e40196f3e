package detectors

func init() { register(GitHubOAuthToken) }

// GitHubOAuthToken finds GitHub OAuth app access tokens (gho_): 30 random base62 characters
// and a 6-character CRC32/base62 checksum. A checksum mismatch is not a finding.
//
// References: https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats
func GitHubOAuthToken() *Detector {
	return githubFamily("github-oauth-token", "gho_", "GitHub OAuth app access token")
}
