package detectors

import "testing"

func init() { registerCases(GitLabRunnerToken, casesGitLabRunnerToken) }

func casesGitLabRunnerToken() ([]tp, []fp) {
	return gitlabFamilyCases("glrt-", 100, func(s uint64) string { return rnd(s, b64url, 20) })
}

func TestGitLabRunnerToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitLabRunnerToken()
	checkDetector(t, GitLabRunnerToken(), tps, fps)
}
