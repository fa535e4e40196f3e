package detectors

func init() { register(TwilioAuthToken) }

// TwilioAuthToken finds Twilio auth tokens: 32 lower-case hex digits, which alone are any MD5
// sum. The token is useless without its account SID (AC + 32 hex, an identifier, not a
// secret), and people write the two together, so the detector wants both: it runs near the
// word twilio or an auth-token name (auth_token, authToken, auth-token) and reports a bounded
// 32-hex value with an account SID at most 160 bytes before or after it. That covers the SID
// and token as written in JSON, YAML, XML, INI and .env files, in code (C#, Go, Python,
// C++, Java, JavaScript, PowerShell), and on a command line (curl -u AC…:token).
//
// References: https://help.twilio.com/articles/223136027-Auth-Tokens-and-How-to-Change-Them
func TwilioAuthToken() *Detector {
	const (
		sid   = `AC[0-9a-f]{32}`
		token = `[0-9a-f]{32}`
		near  = `(?s:.){0,160}?`
	)
	return &Detector{
		ID:          "twilio-auth-token",
		Description: "Twilio auth token (beside its account SID)",
		Keywords:    []string{"twilio", "auth_token", "authtoken", "auth-token"},
		Pattern: sid + near + `[^0-9A-Za-z_-](?P<secret>` + token + `)` + endB +
			`|` + startB + `(?P<secret>` + token + `)[^0-9A-Za-z_-]` + near + `[^0-9A-Za-z]` + sid,
		Before:     256,
		After:      256,
		MinEntropy: 3,
		RotateURL:  "https://help.twilio.com/articles/223136027-Auth-Tokens-and-How-to-Change-Them",
	}
}
