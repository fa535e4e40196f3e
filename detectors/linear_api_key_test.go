package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(LinearAPIKey, casesLinearAPIKey) }

func casesLinearAPIKey() ([]tp, []fp) {
	tok := "lin_api_" + rnd(2700, alnum, 40)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "lin_api_" + rnd(2701, alnum, 40), ConfidencePattern},
			{"random 3", "lin_api_" + rnd(2702, alnum, 40), ConfidencePattern},
		}, []fp{
			{"placeholder", "lin_api_" + strings.Repeat("x", 40)},
			{"template", "LINEAR_API_KEY=lin_api_<your-key>"},
			{"too short", tok[:len(tok)-1]},
			{"too long", tok + "a"},
			{"oauth prefix", "lin_oauth_" + rnd(2703, alnum, 40)},
			{"low entropy", "lin_api_" + strings.Repeat("ab12", 10)},
		}
}

func TestLinearAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesLinearAPIKey()
	checkDetector(t, LinearAPIKey(), tps, fps)
}
