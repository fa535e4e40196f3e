package detectors

func init() { register(GitHubUserToServerToken) }

// GitHubUserToServerToken finds GitHub App user-to-server tokens (ghu_): 30 random base62
// characters and a 6-character CRC32/base62 checksum. A checksum mismatch is not a finding.
//
// References: https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/authenticating-with-a-github-app-on-behalf-of-a-user
func GitHubUserToServerToken() *Detector {
	return githubFamily("github-user-to-server-token", "ghu_", "GitHub App user-to-server token")
}
