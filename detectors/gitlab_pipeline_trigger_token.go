package detectors

func init() { register(GitLabPipelineTriggerToken) }

// GitLabPipelineTriggerToken finds GitLab pipeline trigger tokens: glptt- + 40 hex digits,
// or the routable form.
//
// References: https://docs.gitlab.com/ci/triggers/
func GitLabPipelineTriggerToken() *Detector {
	return gitlabFamily("gitlab-pipeline-trigger-token", "glptt-", `[0-9a-f]{40}`, "GitLab pipeline trigger token")
}
