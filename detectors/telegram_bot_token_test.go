package detectors

import (
	"strings"
	"testing"
)

// telegramLeads are the contexts placed before the true positives of telegram-bot-token,
// which needs the word telegram before the token.
var telegramLeads = []string{
	"TELEGRAM_BOT_TOKEN=",
	"https://api.telegram.org/bot",
	"telegram: ",
	"telegram:\n  bot_token: ",
}

// telegramToken builds a synthetic bot token: <bot id>:AA<33 characters>.
func telegramToken(seed uint64, idLen int) string {
	return rnd(seed, "123456789", 1) + rnd(seed+1, digits, idLen-1) + ":AA" + rnd(seed+2, b64url, 33)
}

func init() { registerCases(TelegramBotToken, casesTelegramBotToken, telegramLeads...) }

func casesTelegramBotToken() ([]tp, []fp) {
	tok := telegramToken(630, 10)
	return []tp{
			{"10-digit bot id", tok, ConfidencePattern},
			{"URL", telegramToken(633, 9), ConfidencePattern},
			{"5-digit bot id", telegramToken(636, 5), ConfidencePattern},
			{"16-digit bot id", telegramToken(639, 16), ConfidencePattern},
			{"YAML section", telegramToken(648, 10), ConfidencePattern},
		}, []fp{
			{"no keyword", "BOT_TOKEN=" + tok},
			{"keyword too far", "telegram" + strings.Repeat(" ", 60) + tok},
			{"keyword on another line", "telegram:\n" + tok},
			{"4-digit bot id", "telegram " + telegramToken(642, 4)},
			{"17-digit bot id", "telegram " + telegramToken(645, 17)},
			{"XSD type", `telegram <xsd:element type="clm12345:AgencyIdentificationCodeContentType"/>`},
			{"suffixed", "telegram " + tok + "-more"},
			{"section four lines up", "telegram:\n  a: 1\n  b: 2\n  c: 3\n  token: " + tok},
			{"unnamed value under the section", "telegram:\n  chat: " + tok},
			{"telegraf agent config", "[[outputs.influxdb]]\n  # telegraf\n  urls = [\"http://127.0.0.1:8086\"]"},
		}
}

func TestTelegramBotToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesTelegramBotToken()
	checkDetector(t, TelegramBotToken(), tps, fps, telegramLeads...)
}

// TestTelegramBotTokenForms checks the ways people write a bot token (issue 18, point 4): one
// row per syntax, each holding the token once.
func TestTelegramBotTokenForms(t *testing.T) {
	t.Parallel()
	tok := telegramToken(660, 10)
	checkForms(t, TelegramBotToken(), tok, []form{
		{"dotenv", "TELEGRAM_BOT_TOKEN=" + tok + "\n"},
		{"dotenv tg", "TG_BOT_TOKEN=" + tok + "\n"},
		{"json", `{"telegram_token": "` + tok + `"}`},
		{"json nested", "{\n  \"telegram\": {\n    \"chat_id\": 12345,\n    \"bot_token\": \"" + tok + "\"\n  }\n}"},
		{"yaml", "telegram:\n  token: " + tok + "\n"},
		{"ini", "[telegram]\ntoken = " + tok + "\n"},
		{"xml element", "<TelegramBotToken>" + tok + "</TelegramBotToken>"},
		{"xml appSettings", `<add key="TelegramBotToken" value="` + tok + `" />`},
		{"csharp", `var bot = new TelegramBotClient("` + tok + `");`},
		{"cpp", `TgBot::Bot bot("` + tok + `");`},
		{"go", `bot, err := tgbotapi.NewBotAPI("` + tok + `")`},
		{"python", `bot = telebot.TeleBot("` + tok + `")`},
		{"javascript", `const bot = new Telegraf('` + tok + `');`},
		{"powershell", `$TelegramToken = "` + tok + `"`},
		{"curl", `curl -s "https://api.telegram.org/bot` + tok + `/getMe"`},
		{"docker", "docker run -e TELEGRAM_TOKEN=" + tok + " bot"},
	})
}
