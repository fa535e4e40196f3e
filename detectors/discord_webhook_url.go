package detectors

func init() { register(DiscordWebhookURL) }

// DiscordWebhookURL finds Discord webhook URLs,
// https://discord.com/api/webhooks/<webhook id>/<68-character token> (also discordapp.com,
// the ptb. and canary. hosts, and a versioned /api/v10/ path). Anyone holding one can post
// to the channel, and delete the webhook; the secret reported is the whole URL.
//
// References: https://discord.com/developers/docs/resources/webhook#execute-webhook
func DiscordWebhookURL() *Detector {
	return &Detector{
		ID:          "discord-webhook-url",
		Description: "Discord webhook URL",
		Keywords:    []string{"discord.com/api/", "discordapp.com/api/"},
		Pattern: `(?:^|[^0-9A-Za-z_.-])((?:https?://)?(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/(?:v[0-9]{1,2}/)?` +
			`webhooks/[1-9][0-9]{16,19}/[0-9A-Za-z_-]{68})(?:[^0-9A-Za-z_-]|$)`,
		Before:     24,
		After:      140,
		MinEntropy: 3.5,
		RotateURL:  "https://support.discord.com/hc/en-us/articles/228383668-Intro-to-Webhooks",
	}
}
