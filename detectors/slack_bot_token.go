package detectors

func init() { register(SlackBotToken) }

// SlackBotToken finds Slack bot tokens: xoxb-<team id>-<bot id>-<24 alphanumerics>, and the
// legacy form xoxb-<digits>-<18–26 alphanumerics>. Slack tokens carry no checksum.
//
// References: https://api.slack.com/authentication/token-types#bot
func SlackBotToken() *Detector {
	return &Detector{
		ID:          "slack-bot-token",
		Provider:    "slack",
		Description: "Slack bot token",
		RotateURL:   "https://api.slack.com/authentication/best-practices",
		Keywords:    []string{"xoxb-"},
		Pattern:     bounded(`xoxb-[0-9]{8,14}-(?:[0-9]{8,14}-)?[0-9A-Za-z]{18,34}`),
		Before:      8,
		After:       80,
		MinEntropy:  3,
	}
}
