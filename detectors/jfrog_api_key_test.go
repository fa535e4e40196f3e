package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(JFrogAPIKey, casesJFrogAPIKey) }

func casesJFrogAPIKey() ([]tp, []fp) {
	tok := "AKCp" + "8" + rnd(3210, alnum, 68)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "AKCp" + "5" + rnd(3211, alnum, 68), ConfidencePattern},
			{"random 3", "AKCp" + "2" + rnd(3212, alnum, 68), ConfidencePattern},
		}, []fp{
			{"letter after prefix", "AKCp" + "x" + rnd(3213, alnum, 68)},
			{"short", tok[:len(tok)-1]},
			{"long", tok + "a"},
			{"placeholder", "AKCp" + "8" + strings.Repeat("x", 68)},
			{"upper-case prefix", "AKCP" + tok[4:]},
		}
}

func TestJFrogAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesJFrogAPIKey()
	checkDetector(t, JFrogAPIKey(), tps, fps)
}
