package detectors

import "testing"

func init() { registerCases(GitLabOAuthAppSecret, casesGitLabOAuthAppSecret) }

func casesGitLabOAuthAppSecret() ([]tp, []fp) {
	return gitlabFamilyCases("gloas-", 140, func(s uint64) string { return rnd(s, b64url, 64) })
}

func TestGitLabOAuthAppSecret(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitLabOAuthAppSecret()
	checkDetector(t, GitLabOAuthAppSecret(), tps, fps)
}
