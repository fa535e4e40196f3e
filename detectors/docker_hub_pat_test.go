package detectors

import "testing"

func init() { registerCases(DockerHubPAT, casesDockerHubPAT) }

func casesDockerHubPAT() ([]tp, []fp) {
	tok := "dckr_" + "pat_" + rnd(550, b64url, 27)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "dckr_" + "pat_" + rnd(551, b64url, 27), ConfidencePattern},
			{"random 3", "dckr_" + "pat_" + rnd(552, alnum, 27), ConfidencePattern},
		}, []fp{
			{"placeholder", "dckr_" + "pat_xxxxx"},
			{"test value", "dckr_" + "pat_test"},
			{"too long", tok + "a"},
			{"too short", tok[:len(tok)-1]},
			{"org token prefix", "dckr_" + "oat_" + rnd(553, b64url, 27)},
		}
}

func TestDockerHubPAT(t *testing.T) {
	t.Parallel()
	tps, fps := casesDockerHubPAT()
	checkDetector(t, DockerHubPAT(), tps, fps)
}
