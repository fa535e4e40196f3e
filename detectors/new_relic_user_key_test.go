package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(NewRelicUserKey, casesNewRelicUserKey) }

func casesNewRelicUserKey() ([]tp, []fp) {
	tok := "NRAK-" + rnd(590, upperN, 27)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "NRAK-" + rnd(591, upperN, 27), ConfidencePattern},
			{"random 3", "NRAK-" + rnd(592, upperN, 27), ConfidencePattern},
		}, []fp{
			{"placeholder", "NRAK-" + strings.Repeat("X", 27)},
			{"lower case", "NRAK-" + strings.ToLower(tok[5:])},
			{"too short", tok[:len(tok)-1]},
			{"too long", tok + "A"},
			{"template", "NRAK-<your-user-key>"},
		}
}

func TestNewRelicUserKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesNewRelicUserKey()
	checkDetector(t, NewRelicUserKey(), tps, fps)
}
