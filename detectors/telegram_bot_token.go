package detectors

func init() { register(TelegramBotToken) }

// TelegramBotToken finds Telegram Bot API tokens: <bot id, 5–16 digits>:A<34 characters of
// [0-9A-Za-z_-]>. That shape alone is too loose, so a Telegram name must come first:
// "telegram", or a bot library's name (Telegraf, telebot, tgbotapi, TgBot, TG_BOT_…; any
// case), either on the token's line at most 48 bytes before it (TELEGRAM_BOT_TOKEN=…,
// "telegram_token": "…", <TelegramBotToken>…, new TelegramBotClient("…"),
// telebot.TeleBot("…"), tgbotapi.NewBotAPI("…"), https://api.telegram.org/bot<token>/…), or
// as the section the token's key sits in, at most three lines up (telegram:\n  token: …,
// [telegram]\ntoken = …, "telegram": {\n  "bot_token": "…").
//
// References: https://core.telegram.org/bots/api#authorizing-your-bot
func TelegramBotToken() *Detector {
	return &Detector{
		ID:          "telegram-bot-token",
		Description: "Telegram Bot API token (next to the word telegram or a bot library's name)",
		Provider:    "telegram",
		Keywords:    []string{"telegram", "telegraf", "telebot", "tgbot", "tg_bot", "tg-bot"},
		Pattern: `(?i:telegra[mf]|telebot|tg[_-]?bot)(?:` +
			`[^\r\n]{0,48}?(?:(?i:bot)|[^0-9A-Za-z_\r\n-])` +
			`|[^\r\n]{0,16}(?:\r?\n[^\r\n]{0,40}){0,2}\r?\n[^\r\n]{0,40}?(?i:token|key)["']?[ \t]*(?::=|=>|[:=])[ \t]*["']?` +
			`)([0-9]{5,16}:A[0-9A-Za-z_-]{34})` + endB,
		Before:     8,
		After:      256,
		MinEntropy: 3.5,
		RotateURL:  "https://core.telegram.org/bots/features#botfather",
	}
}
