package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(BuildkiteAPIToken, casesBuildkiteAPIToken) }

func casesBuildkiteAPIToken() ([]tp, []fp) {
	tok := "bkua" + "_" + rnd(3240, hexLo, 40)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "bkua" + "_" + rnd(3241, hexLo, 40), ConfidencePattern},
			{"random 3", "bkua" + "_" + rnd(3242, hexLo, 40), ConfidencePattern},
		}, []fp{
			{"short", tok[:len(tok)-1]},
			{"long", tok + "a"},
			{"upper-case hex", "bkua" + "_" + strings.ToUpper(tok[5:])},
			{"zeros", "bkua" + "_" + strings.Repeat("0", 40)},
			{"agent token prefix", "bkat" + tok[4:]},
		}
}

func TestBuildkiteAPIToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesBuildkiteAPIToken()
	checkDetector(t, BuildkiteAPIToken(), tps, fps)
}
