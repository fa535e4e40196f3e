package detectors

import (
	"strings"
	"testing"
)

// slackUser builds a synthetic user token: xoxp-<id>-<id>-<id>-<32 alphanumerics>.
func slackUser(seed uint64, prefix string) string {
	return prefix + rnd(seed, digits, 12) + "-" + rnd(seed+1, digits, 12) + "-" + rnd(seed+2, digits, 13) + "-" + rnd(seed+3, alnum, 32)
}

func init() { registerCases(SlackUserToken, casesSlackUserToken) }

func casesSlackUserToken() ([]tp, []fp) {
	tok := slackUser(170, "xoxp-")
	return []tp{
			{"xoxp 1", tok, ConfidencePattern},
			{"xoxp 2", slackUser(174, "xoxp-"), ConfidencePattern},
			{"xoxe", slackUser(178, "xoxe-"), ConfidencePattern},
		}, []fp{
			{"placeholder", "xoxp-XXXXXXXXXX-XXXXXXXXXX-XXXXXXXXXXX-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
			{"too few ids", "xoxp-1234567890"},
			{"hash marks", "xoxp-572370529330-573807301142-572331691188-####################"},
			{"short secret", tok[:len(tok)-5]},
			{"refresh token shape", "xoxe-1-" + rnd(179, alnum, 146)},
			{"inside longer word", strings.Replace(tok, "xoxp-", "axoxp-", 1)},
		}
}

func TestSlackUserToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesSlackUserToken()
	checkDetector(t, SlackUserToken(), tps, fps)
}
