package detectors

func init() { register(GitLabRunnerToken) }

// GitLabRunnerToken finds GitLab runner authentication tokens: glrt- + 20 characters of
// [0-9A-Za-z_-], or the routable form (glrt-t1_…, checksum-verified when the CRC matches).
// Runner registration tokens (GR1348941…, deprecated) are not covered.
//
// References: https://docs.gitlab.com/security/tokens/#runner-authentication-tokens
func GitLabRunnerToken() *Detector {
	return gitlabFamily("gitlab-runner-token", "glrt-", `[0-9A-Za-z_-]{20}`, "GitLab runner authentication token")
}
