package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(TwilioAPIKey, casesTwilioAPIKey) }

func casesTwilioAPIKey() ([]tp, []fp) {
	tok := "SK" + rnd(480, hexLo, 32)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "SK" + rnd(481, hexLo, 32), ConfidencePattern},
			{"random 3", "SK" + rnd(482, hexLo, 32), ConfidencePattern},
		}, []fp{
			{"placeholder", "SK" + strings.Repeat("x", 32)},
			{"zeros", "SK" + strings.Repeat("0", 32)},
			{"upper-case hex", "SK" + strings.ToUpper(rnd(483, hexLo, 32))},
			{"account SID", "AC" + rnd(484, hexLo, 32)},
			{"too long", tok + "a"},
			{"inside a word", "TASK" + tok[2:]},
		}
}

func TestTwilioAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesTwilioAPIKey()
	checkDetector(t, TwilioAPIKey(), tps, fps)
}
