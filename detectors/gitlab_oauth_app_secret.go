package detectors

func init() { register(GitLabOAuthAppSecret) }

// GitLabOAuthAppSecret finds GitLab OAuth application secrets: gloas- + 64 characters of
// [0-9A-Za-z_-].
//
// References: https://docs.gitlab.com/integration/oauth_provider/
func GitLabOAuthAppSecret() *Detector {
	return gitlabFamily("gitlab-oauth-app-secret", "gloas-", `[0-9A-Za-z_-]{64}`, "GitLab OAuth application secret")
}
