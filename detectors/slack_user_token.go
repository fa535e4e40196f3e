package detectors

func init() { register(SlackUserToken) }

// SlackUserToken finds Slack user tokens: xoxp- (or xoxe- for the same shape) followed by
// three numeric ids and a 28–34 character secret.
//
// References: https://api.slack.com/authentication/token-types#user
func SlackUserToken() *Detector {
	return &Detector{
		ID:          "slack-user-token",
		Provider:    "slack",
		Description: "Slack user token",
		RotateURL:   "https://api.slack.com/authentication/best-practices",
		Keywords:    []string{"xoxp-", "xoxe-"},
		Pattern:     bounded(`xox[pe](?:-[0-9]{10,13}){3}-[0-9A-Za-z]{28,34}`),
		Before:      8,
		After:       96,
		MinEntropy:  3,
	}
}
