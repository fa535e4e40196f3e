package detectors

func init() { register(GitLabFeedToken) }

// GitLabFeedToken finds GitLab feed tokens (RSS/Atom and calendar feeds): glft- + 20
// characters of [0-9A-Za-z_-], or the routable form.
//
// References: https://docs.gitlab.com/security/tokens/#feed-token
func GitLabFeedToken() *Detector {
	return gitlabFamily("gitlab-feed-token", "glft-", `[0-9A-Za-z_-]{20}`, "GitLab feed token")
}
