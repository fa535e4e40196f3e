package detectors

import "testing"

func init() { registerCases(GitLabDeployToken, casesGitLabDeployToken) }

func casesGitLabDeployToken() ([]tp, []fp) {
	return gitlabFamilyCases("gldt-", 90, func(s uint64) string { return rnd(s, b64url, 20) })
}

func TestGitLabDeployToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitLabDeployToken()
	checkDetector(t, GitLabDeployToken(), tps, fps)
}
