package detectors

import (
	"strings"
	"testing"
)

// slackApp builds a synthetic app-level token: xapp-1-A<10>-<13 digits>-<64 hex>.
func slackApp(seed uint64) string {
	return "xapp-1-A" + rnd(seed, upperN, 10) + "-" + rnd(seed+1, digits, 13) + "-" + rnd(seed+2, hexLo, 64)
}

func init() { registerCases(SlackAppToken, casesSlackAppToken) }

func casesSlackAppToken() ([]tp, []fp) {
	tok := slackApp(180)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", slackApp(183), ConfidencePattern},
			{"random 3", slackApp(186), ConfidencePattern},
		}, []fp{
			{"placeholder", "xapp-1-AXXXXXXXXXX-0000000000000-" + strings.Repeat("x", 64)},
			{"template", "xapp-1-<your-app-token>"},
			{"short secret", tok[:len(tok)-40]},
			{"lower-case app id", strings.Replace(tok, "xapp-1-A", "xapp-1-a", 1)},
			{"other prefix", "xaps-" + tok[5:]},
		}
}

func TestSlackAppToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesSlackAppToken()
	checkDetector(t, SlackAppToken(), tps, fps)
}
