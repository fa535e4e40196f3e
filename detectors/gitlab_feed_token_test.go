package detectors

import "testing"

func init() { registerCases(GitLabFeedToken, casesGitLabFeedToken) }

func casesGitLabFeedToken() ([]tp, []fp) {
	return gitlabFamilyCases("glft-", 130, func(s uint64) string { return rnd(s, b64url, 20) })
}

func TestGitLabFeedToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitLabFeedToken()
	checkDetector(t, GitLabFeedToken(), tps, fps)
}
