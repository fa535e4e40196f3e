package detectors

import "testing"

func init() { registerCases(GitLabCIJobToken, casesGitLabCIJobToken) }

func casesGitLabCIJobToken() ([]tp, []fp) {
	return gitlabFamilyCases("glcbt-", 110, func(s uint64) string { return rnd(s, alnum, 4) + "_" + rnd(s+50, b64url, 20) })
}

func TestGitLabCIJobToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitLabCIJobToken()
	checkDetector(t, GitLabCIJobToken(), tps, fps)
}
