package detectors

func init() { register(GitHubAppInstallationToken) }

// GitHubAppInstallationToken finds the classic 40-character GitHub App installation token
// (ghs_ + 30 random base62 + 6-character CRC32/base62 checksum). A checksum mismatch is not a
// finding. The stateless form ghs_<app id>_<JWT> is GitHubAppInstallationStateless.
//
// References: https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/authenticating-as-a-github-app-installation
func GitHubAppInstallationToken() *Detector {
	return githubFamily("github-app-installation-token", "ghs_", "GitHub App installation access token (40-char)")
}
