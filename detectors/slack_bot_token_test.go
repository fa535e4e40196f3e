package detectors

import "testing"

// slackBot builds a synthetic bot token: xoxb-<team id>-<bot id>-<24 alphanumerics>.
func slackBot(seed uint64) string {
	return "xoxb-" + rnd(seed, digits, 12) + "-" + rnd(seed+1, digits, 13) + "-" + rnd(seed+2, alnum, 24)
}

func init() { registerCases(SlackBotToken, casesSlackBotToken) }

func casesSlackBotToken() ([]tp, []fp) {
	tok := slackBot(160)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", slackBot(163), ConfidencePattern},
			{"legacy form", "xoxb-" + rnd(166, digits, 12) + "-" + rnd(167, alnum, 24), ConfidencePattern},
		}, []fp{
			{"placeholder", "xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx"},
			{"template", "xoxb-<your-bot-token>"},
			{"words", "xoxb-xoxb-my-bot-token"},
			{"short secret", tok[:len(tok)-10]},
			{"user prefix", "xoxq-" + tok[5:]},
		}
}

func TestSlackBotToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesSlackBotToken()
	checkDetector(t, SlackBotToken(), tps, fps)
}
