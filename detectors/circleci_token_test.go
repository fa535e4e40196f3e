package detectors

import (
	"strings"
	"testing"
)

// circleciToken builds a synthetic personal API token: CCIPAT_ + 22 + _ + 40 hex.
func circleciToken(seed uint64) string {
	return "CCIPAT" + "_" + rnd(seed, alnum, 22) + "_" + rnd(seed+1, hexLo, 40)
}

func init() { registerCases(CircleCIToken, casesCircleCIToken) }

func casesCircleCIToken() ([]tp, []fp) {
	tok := circleciToken(3230)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", circleciToken(3232), ConfidencePattern},
			{"random 3", circleciToken(3234), ConfidencePattern},
		}, []fp{
			{"project token", "CCIPRJ" + tok[6:]},
			{"short", tok[:len(tok)-1]},
			{"long", tok + "a"},
			{"upper-case hex", tok[:30] + strings.ToUpper(tok[30:])},
			{"placeholder", "CCIPAT" + "_" + strings.Repeat("x", 22) + "_" + strings.Repeat("0", 40)},
		}
}

func TestCircleCIToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesCircleCIToken()
	checkDetector(t, CircleCIToken(), tps, fps)
}
