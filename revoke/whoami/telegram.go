package whoami

import "net/http"

// Telegram checks bot tokens with GET /bot{token}/getMe: the token is in the path, so the
// request URL never reaches an error or a log line. The answer is {"ok": true, "result":
// {"id", "username", …}}; a bad token is 401. Telegram documents no API that revokes a token:
// the owner revokes it with @BotFather's /revoke.
//
// Docs: https://core.telegram.org/bots/api#making-requests, https://core.telegram.org/bots/api#getme
var Telegram = Spec{
	Name: "telegram", Display: "Telegram", DefaultBaseURL: "https://api.telegram.org/",
	Verify: Call{Method: http.MethodGet, Path: "bot{token}/getMe"},
	Check:  &Check{Path: "ok", Live: "true"},
	Owner:  Fields{ID: "result.id", Login: "result.username", Name: "result.first_name"},
}
