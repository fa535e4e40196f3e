package detectors

func init() { register(SlackWebhookURL) }

// SlackWebhookURL finds Slack incoming webhook URLs,
// https://hooks.slack.com/services/T<team>/B<hook>/<24 alphanumerics>, and workflow or
// trigger webhook URLs. Anyone holding one can post to the channel; the secret reported is
// the whole URL. Webhooks are revoked in the app's settings, not through the API.
//
// References: https://api.slack.com/messaging/webhooks
func SlackWebhookURL() *Detector {
	return &Detector{
		ID:          "slack-webhook-url",
		Provider:    "slack",
		Description: "Slack incoming webhook URL",
		RotateURL:   "https://api.slack.com/messaging/webhooks",
		// The longer keyword only serves the redacted preview (PrefixLen).
		Keywords: []string{"hooks.slack.com/", "https://hooks.slack.com/services/"},
		Pattern: `(?:^|[^0-9A-Za-z_.-])((?:https?://)?hooks\.slack\.com/(?:` +
			`services/T[0-9A-Z]{8,12}/B[0-9A-Z]{8,12}/[0-9A-Za-z]{23,25}|` +
			`(?:workflows|triggers)/T[0-9A-Z]{8,12}/[0-9A-Za-z/]{24,120}[0-9A-Za-z]))` +
			`(?:[^0-9A-Za-z/_-]|$)`,
		Before:     16,
		After:      160,
		MinEntropy: 3.5,
	}
}
