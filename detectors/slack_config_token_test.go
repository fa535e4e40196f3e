package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(SlackConfigToken, casesSlackConfigToken) }

func casesSlackConfigToken() ([]tp, []fp) {
	access := "xoxe.xoxp-1-" + rnd(190, alnum, 163)
	return []tp{
			{"config access xoxp", access, ConfidencePattern},
			{"config access xoxb", "xoxe.xoxb-1-" + rnd(191, alnum, 166), ConfidencePattern},
			{"refresh", "xoxe-1-" + rnd(192, alnum, 146), ConfidencePattern},
		}, []fp{
			{"words", "xoxe.xoxp-1-SlackAppConfigurationAccessTokenHere"},
			{"short", "xoxe.xoxp-1-RANDOMSTRINGHERE"},
			{"placeholder", "xoxe-1-" + strings.Repeat("x", 146)},
			{"low entropy", "xoxe-1-" + strings.Repeat("AbC1", 37)},
			{"user token", slackUser(193, "xoxe-")},
		}
}

func TestSlackConfigToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesSlackConfigToken()
	checkDetector(t, SlackConfigToken(), tps, fps)
}
