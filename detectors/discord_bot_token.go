package detectors

import (
	"encoding/base64"
	"strings"
)

func init() { register(DiscordBotToken) }

// DiscordBotToken finds Discord bot tokens: three dot-separated parts, the bot's user id (a
// 17–20 digit snowflake) in unpadded base64, a 6-character timestamp and a 27–38 character
// HMAC. Validate decodes the first part and wants the digits of a snowflake, which no JWT or
// random dotted string has. The prefilter needs the word discord within 256 bytes, followed by
// one of "_.-:" (DISCORD_TOKEN, discord.Client, discord.js, discord-bot, discord: in YAML):
// the plain word would put the common pairs "sc" and "co" into the keyword index.
//
// References: https://discord.com/developers/docs/reference#authentication
func DiscordBotToken() *Detector {
	return &Detector{
		ID:          "discord-bot-token",
		Provider:    "discord",
		Description: "Discord bot token",
		Keywords:    []string{"discord_", "discord.", "discord-", "discord:"},
		Pattern: `(?:^|[^0-9A-Za-z_.-])` +
			`([MNO][0-9A-Za-z]{22,26}\.[0-9A-Za-z_-]{6}\.[0-9A-Za-z_-]{27,38})` +
			`(?:[^0-9A-Za-z_.-]|$)`,
		Before:     256,
		After:      256,
		MinEntropy: 3.5,
		Validate:   validDiscordBotToken,
		RotateURL:  "https://discord.com/developers/applications",
	}
}

// validDiscordBotToken checks that the first part of a bot token decodes to a snowflake: 17
// to 20 decimal digits, not starting with 0.
func validDiscordBotToken(tok []byte) (Confidence, bool) {
	id, _, _ := strings.Cut(string(tok), ".")
	raw, err := base64.RawStdEncoding.DecodeString(id)
	if err != nil || len(raw) < 17 || len(raw) > 20 || raw[0] == '0' {
		return "", false
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return ConfidencePattern, true
}
