package detectors

func init() { register(TelegramBotToken) }

// TelegramBotToken finds Telegram Bot API tokens: <bot id, 5–16 digits>:A<34 characters of
// [0-9A-Za-z_-]>. That shape alone is too loose, so "telegram" (any case) must come first, at
// most 48 bytes before the token on the same line: TELEGRAM_BOT_TOKEN=…,
// telegram: …, https://api.telegram.org/bot<token>/….
//
// References: https://core.telegram.org/bots/api#authorizing-your-bot
func TelegramBotToken() *Detector {
	return &Detector{
		ID:          "telegram-bot-token",
		Description: "Telegram Bot API token (next to the word telegram)",
		Provider:    "telegram",
		RotateURL:   "https://core.telegram.org/bots/features#botfather",
		Keywords:    []string{"telegram"},
		Pattern:     `(?i:telegram)[^\r\n]{0,48}?(?:(?i:bot)|[^0-9A-Za-z_\r\n-])([0-9]{5,16}:A[0-9A-Za-z_-]{34})` + endB,
		Before:      8,
		After:       128,
		MinEntropy:  3.5,
	}
}
