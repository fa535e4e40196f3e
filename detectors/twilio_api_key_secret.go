package detectors

func init() { register(TwilioAPIKeySecret) }

// TwilioAPIKeySecret finds the secret of a Twilio API key: 32 letters and digits, which alone
// could be any identifier. It is useless without its API key SID (SK + 32 hex), and people
// write the SID first, then the secret, so the detector wants both: it runs near the word
// twilio or an API-secret name (api_secret, apiSecret, api-secret) and reports a 32-character
// value at most 80 bytes after an API key SID, as written in .env, JSON, YAML, XML and INI
// files, in code (C#, Go, Python, JavaScript, PowerShell) and on a command line
// (curl -u SK…:secret). Twilio generates the secret from upper- and lower-case letters and
// digits, so a value without all three is not one (a lower-case hex auth token, a word).
//
// Like twilio-auth-token, the pattern starts with the literal SID prefix "SK", so that the
// regexp engine skips to each SID; a secret written before its SID is not found.
//
// References: https://www.twilio.com/docs/iam/api-keys
func TwilioAPIKeySecret() *Detector {
	return &Detector{
		ID:          "twilio-api-key-secret",
		Description: "Twilio API key secret (after its API key SID)",
		Keywords:    []string{"twilio", "api_secret", "apisecret", "api-secret"},
		Pattern: `SK[0-9a-f]{32}(?s:.){0,80}?[^0-9A-Za-z_/-]` +
			`([0-9A-Za-z]{32})(?:[^0-9A-Za-z_/-]|$)`,
		Before:     256,
		After:      256,
		MinEntropy: 4,
		Validate:   mixedAlnum, // generated from upper, lower case and digits
		RotateURL:  "https://www.twilio.com/docs/iam/api-keys",
	}
}
