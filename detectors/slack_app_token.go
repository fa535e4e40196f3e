package detectors

func init() { register(SlackAppToken) }

// SlackAppToken finds Slack app-level tokens: xapp-<version>-<app id>-<numeric id>-<secret>.
// The shape comes from public samples (the secret was 64 hex digits in all of them); Slack
// does not document it.
//
// References: https://api.slack.com/authentication/token-types#app
func SlackAppToken() *Detector {
	return &Detector{
		ID:          "slack-app-token",
		Provider:    "slack",
		Description: "Slack app-level token",
		RotateURL:   "https://api.slack.com/authentication/best-practices",
		Keywords:    []string{"xapp-"},
		Pattern:     bounded(`xapp-[0-9]-[0-9A-Z]{8,14}-[0-9]{8,16}-[0-9A-Za-z]{32,80}`),
		Before:      8,
		After:       128,
		MinEntropy:  3,
	}
}
