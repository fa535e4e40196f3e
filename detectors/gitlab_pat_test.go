package detectors

import "testing"

func init() { registerCases(GitLabPAT, casesGitLabPAT) }

func casesGitLabPAT() ([]tp, []fp) {
	tok := "glpat-" + rnd(70, b64url, 20)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "glpat-" + rnd(71, b64url, 20), ConfidencePattern},
			{"random 3", "glpat-" + rnd(72, alnum, 20), ConfidencePattern},
		}, []fp{
			{"placeholder", "glpat-XXXXXXXXXXX-XXXXXXXX"},
			{"template", "glpat-<your-token>"},
			{"too short", tok[:len(tok)-1]},
			{"too long", tok + "a"},
			{"routable token", GitLabRoutableToken("glpat-", rnd16(73), "o:1\nu:2", true)},
			{"deploy prefix", "gldt-" + tok[6:]},
		}
}

func TestGitLabPAT(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitLabPAT()
	checkDetector(t, GitLabPAT(), tps, fps)
}
