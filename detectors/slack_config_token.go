package detectors

func init() { register(SlackConfigToken) }

// SlackConfigToken finds Slack app configuration tokens: the rotating access token
// xoxe.xoxp-1-… or xoxe.xoxb-1-… and the refresh token xoxe-1-…, each with a base62 body
// of about 150–170 characters (public samples: 163–166 and 146).
//
// References: https://api.slack.com/authentication/config-tokens
func SlackConfigToken() *Detector {
	return &Detector{
		ID:          "slack-config-token",
		Provider:    "slack",
		Description: "Slack app configuration access or refresh token",
		RotateURL:   "https://api.slack.com/authentication/config-tokens",
		Keywords:    []string{"xoxe.xoxp-", "xoxe.xoxb-", "xoxe-"},
		Pattern:     bounded(`xoxe(?:\.xox[bp])?-[0-9]-[0-9A-Za-z]{140,180}`),
		Before:      8,
		After:       200,
		MinEntropy:  4,
	}
}
