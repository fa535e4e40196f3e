package detectors

func init() { register(HerokuAPIKey) }

// HerokuAPIKey finds Heroku API keys and OAuth authorizations: the current HRKU-AA + 58
// characters of [0-9A-Za-z_-], and the legacy form, a UUID, which is only a finding where the
// word heroku comes at most 80 bytes before a credential name (key, token, secret, password,
// auth) assigned that UUID: HEROKU_API_KEY=…, "heroku": {"api_key": "…"}, and the .netrc
// entry the Heroku CLI writes (machine api.heroku.com … password <key>). A UUID named an id
// (HEROKU_APP_ID) is not reported.
//
// References: https://devcenter.heroku.com/articles/authentication
func HerokuAPIKey() *Detector {
	const uuid = `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`
	return &Detector{
		ID:          "heroku-api-key",
		Provider:    "heroku",
		Description: "Heroku API key",
		Keywords:    []string{"hrku-", "heroku"},
		Pattern: startB + `(?P<secret>HRKU-AA[0-9A-Za-z_-]{58})` + endB +
			`|(?i:heroku)(?s:.){0,80}?(?i:key|token|secret|password|auth)[0-9A-Za-z_.-]{0,16}["']?` +
			`(?:[ \t]*(?::=|=>|[:=])[ \t]*|[ \t]+)["']?(?:(?i:bearer)[ \t]+)?(?P<secret>` + uuid + `)` + endB,
		Before:     8,
		After:      256,
		MinEntropy: 3,
		RotateURL:  "https://devcenter.heroku.com/articles/authentication#api-token-storage",
	}
}
