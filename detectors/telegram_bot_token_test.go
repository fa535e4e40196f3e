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
		}, []fp{
			{"no keyword", "BOT_TOKEN=" + tok},
			{"keyword too far", "telegram" + strings.Repeat(" ", 60) + tok},
			{"keyword on another line", "telegram:\n" + tok},
			{"4-digit bot id", "telegram " + telegramToken(642, 4)},
			{"17-digit bot id", "telegram " + telegramToken(645, 17)},
			{"XSD type", `telegram <xsd:element type="clm12345:AgencyIdentificationCodeContentType"/>`},
			{"suffixed", "telegram " + tok + "-more"},
		}
}

func TestTelegramBotToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesTelegramBotToken()
	checkDetector(t, TelegramBotToken(), tps, fps, telegramLeads...)
}
