package detectors

import "testing"

// slackHook builds a synthetic incoming webhook URL.
func slackHook(seed uint64) string {
	return "https://hooks." + "slack.com/services/T" + rnd(seed, upperN, 10) + "/B" + rnd(seed+1, upperN, 10) + "/" + rnd(seed+2, alnum, 24)
}

func init() { registerCases(SlackWebhookURL, casesSlackWebhookURL) }

func casesSlackWebhookURL() ([]tp, []fp) {
	hook := slackHook(200)
	return []tp{
			{"services 1", hook, ConfidencePattern},
			{"services 2", slackHook(203), ConfidencePattern},
			{"without scheme", slackHook(206)[len("https://"):], ConfidencePattern},
			{"workflow", "https://hooks." + "slack.com/workflows/T" + rnd(209, upperN, 10) + "/A" + rnd(210, upperN, 10) + "/" + rnd(211, digits, 18) + "/" + rnd(212, alnum, 24), ConfidencePattern},
		}, []fp{
			{"docs placeholder", "https://hooks." + "slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"},
			{"template", "https://hooks." + "slack.com/services/<your-webhook>"},
			{"short secret", hook[:len(hook)-4]},
			{"lower-case team", "https://hooks." + "slack.com/services/t" + rnd(213, lowerN, 10) + "/B" + rnd(214, upperN, 10) + "/" + rnd(215, alnum, 24)},
			{"other host", "https://hooks.example.com/services/T" + rnd(216, upperN, 10) + "/B" + rnd(217, upperN, 10) + "/" + rnd(218, alnum, 24)},
		}
}

func TestSlackWebhookURL(t *testing.T) {
	t.Parallel()
	tps, fps := casesSlackWebhookURL()
	checkDetector(t, SlackWebhookURL(), tps, fps)
}
