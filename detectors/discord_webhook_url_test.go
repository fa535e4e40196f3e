package detectors

import (
	"strings"
	"testing"
)

// discordWebhook builds a synthetic webhook URL on host with a 68-character token.
func discordWebhook(seed uint64, host string) string {
	return "https://" + host + "/api/webhooks/" + rnd(seed, "123456789", 1) + rnd(seed+1, digits, 17) + "/" + rnd(seed+2, b64url, 68)
}

func init() { registerCases(DiscordWebhookURL, casesDiscordWebhookURL) }

func casesDiscordWebhookURL() ([]tp, []fp) {
	url := discordWebhook(2400, "discord.com")
	return []tp{
			{"discord.com", url, ConfidencePattern},
			{"discordapp.com", discordWebhook(2403, "discordapp.com"), ConfidencePattern},
			{"canary", discordWebhook(2406, "canary.discord.com"), ConfidencePattern},
			{"versioned", strings.Replace(discordWebhook(2409, "discord.com"), "/api/", "/api/v10/", 1), ConfidencePattern},
		}, []fp{
			{"placeholder token", "https://discord.com/api/webhooks/123456789012345678/" + strings.Repeat("x", 68)},
			{"template", "https://discord.com/api/webhooks/{webhook.id}/{webhook.token}"},
			{"short token", url[:len(url)-1]},
			{"long token", url + "a"},
			{"other endpoint", "https://discord.com/api/channels/" + rnd(2412, digits, 18) + "/" + rnd(2413, b64url, 68)},
			{"short id", "https://discord.com/api/webhooks/" + rnd(2414, "123456789", 10) + "/" + rnd(2415, b64url, 68)},
		}
}

func TestDiscordWebhookURL(t *testing.T) {
	t.Parallel()
	tps, fps := casesDiscordWebhookURL()
	checkDetector(t, DiscordWebhookURL(), tps, fps)
}
