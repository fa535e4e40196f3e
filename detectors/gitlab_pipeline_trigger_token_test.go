package detectors

import "testing"

func init() { registerCases(GitLabPipelineTriggerToken, casesGitLabPipelineTriggerToken) }

func casesGitLabPipelineTriggerToken() ([]tp, []fp) {
	return gitlabFamilyCases("glptt-", 120, func(s uint64) string { return rnd(s, hexLo, 40) })
}

func TestGitLabPipelineTriggerToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitLabPipelineTriggerToken()
	checkDetector(t, GitLabPipelineTriggerToken(), tps, fps)
}
