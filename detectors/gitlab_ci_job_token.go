package detectors

func init() { register(GitLabCIJobToken) }

// GitLabCIJobToken finds GitLab CI/CD job tokens: glcbt- + 1–5 alphanumerics + "_" + 20
// characters of [0-9A-Za-z_-], or the routable form. A job token lives only while its job
// runs, but a leaked one still says the job's environment leaked.
//
// References: https://docs.gitlab.com/ci/jobs/ci_job_token/
func GitLabCIJobToken() *Detector {
	return gitlabFamily("gitlab-ci-job-token", "glcbt-", `[0-9A-Za-z]{1,5}_[0-9A-Za-z_-]{20}`, "GitLab CI/CD job token")
}
