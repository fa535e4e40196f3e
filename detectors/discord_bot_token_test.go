package detectors

import (
	"encoding/base64"
	"testing"
)

// discordLeads are the contexts placed before the true positives of discord-bot-token, which
// needs the word discord nearby.
var discordLeads = []string{
	"DISCORD_BOT_TOKEN=",
	"client = discord.Client(intents=intents)\nclient.run('",
	"discord:\n  token: ",
}

// discordBotToken builds a synthetic bot token: base64(snowflake).<6>.<hmacLen>.
func discordBotToken(seed uint64, idLen, hmacLen int) string {
	id := rnd(seed, "123456789", 1) + rnd(seed+1, digits, idLen-1)
	return base64.RawStdEncoding.EncodeToString([]byte(id)) + "." + rnd(seed+2, b64url, 6) + "." + rnd(seed+3, b64url, hmacLen)
}

func init() { registerCases(DiscordBotToken, casesDiscordBotToken, discordLeads...) }

func casesDiscordBotToken() ([]tp, []fp) {
	tok := discordBotToken(2300, 18, 27)
	notDigits := base64.RawStdEncoding.EncodeToString([]byte(rnd(2310, "123456789", 1)+rnd(2311, alnum, 17))) + "." + rnd(2312, b64url, 6) + "." + rnd(2313, b64url, 27)
	return []tp{
			{"18-digit id", tok, ConfidencePattern},
			{"19-digit id, 38-char hmac", discordBotToken(2304, 19, 38), ConfidencePattern},
			{"17-digit id", discordBotToken(2308, 17, 27), ConfidencePattern},
			{"20-digit id", discordBotToken(2314, 20, 38), ConfidencePattern},
		}, []fp{
			{"id not digits", "discord " + notDigits},
			{"16-digit id", "discord " + discordBotToken(2318, 16, 27)},
			{"short hmac", "discord " + discordBotToken(2322, 18, 26)},
			{"jwt", "discord eyJhbGciOiJIUzI1NiJ9." + rnd(2326, b64url, 40) + "." + rnd(2327, b64url, 43)},
			{"fourth part", "discord " + tok + "." + rnd(2328, b64url, 10)},
			{"inside a word", "discord x" + tok},
		}
}

func TestDiscordBotToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesDiscordBotToken()
	checkDetector(t, DiscordBotToken(), tps, fps, discordLeads...)
}
