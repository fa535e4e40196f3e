package detectors

func init() { register(TwilioAuthToken) }

// TwilioAuthToken finds Twilio auth tokens: 32 lower-case hex digits, which alone are any MD5
// sum. The token is useless without its account SID (AC + 32 hex, an identifier, not a
// secret), and people write the SID first, then the token, so the detector wants both: it
// runs near the word twilio or an auth-token name (auth_token, authToken, auth-token) and
// reports a 32-hex value at most 80 bytes after an account SID. That covers the pair as
// written in JSON, YAML, XML, INI and .env files, in code (C#, C++, Go, Python, Java,
// JavaScript, PowerShell), and on a command line (curl -u AC…:token). A value next to a '/'
// is a URL path segment (a resource id), not a token.
//
// The pattern starts with the literal SID prefix "AC", which lets the regexp engine skip to
// each SID: in a repository that names Twilio on every line (the SDKs) the prefilter's windows
// cover whole files, and a pattern without a literal start runs at a few MB/s over them. That
// is why a token written before its SID (auth_token first, then account_sid) is not found.
//
// References: https://help.twilio.com/articles/223136027-Auth-Tokens-and-How-to-Change-Them
func TwilioAuthToken() *Detector {
	return &Detector{
		ID:          "twilio-auth-token",
		Description: "Twilio auth token (after its account SID)",
		Keywords:    []string{"twilio", "auth_token", "authtoken", "auth-token"},
		Pattern: `AC[0-9a-f]{32}(?s:.){0,80}?[^0-9A-Za-z_/-]` +
			`([0-9a-f]{32})(?:[^0-9A-Za-z_/-]|$)`,
		Before:     256,
		After:      256,
		MinEntropy: 3,
		RotateURL:  "https://help.twilio.com/articles/223136027-Auth-Tokens-and-How-to-Change-Them",
	}
}
