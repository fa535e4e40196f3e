package detectors

func init() { register(GitLabDeployToken) }

// GitLabDeployToken finds GitLab deploy tokens: gldt- + 20 characters of [0-9A-Za-z_-], or
// the routable form (checksum-verified when present).
//
// References: https://docs.gitlab.com/user/project/deploy_tokens/
func GitLabDeployToken() *Detector {
	return gitlabFamily("gitlab-deploy-token", "gldt-", `[0-9A-Za-z_-]{20}`, "GitLab deploy token")
}
