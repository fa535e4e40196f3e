package detectors

import (
	"strings"
	"testing"
)

// twilioKeySID builds a synthetic API key SID: SK + 32 hex.
func twilioKeySID(seed uint64) string { return "SK" + rnd(seed, hexLo, 32) }

// twilioKeySecretLeads are the contexts placed before the true positives of
// twilio-api-key-secret, which needs an API key SID and a keyword beside the secret.
var twilioKeySecretLeads = []string{
	"TWILIO_API_KEY=" + twilioKeySID(5800) + "\nTWILIO_API_SECRET=",
	`{"twilio": {"api_key": "` + twilioKeySID(5801) + `", "api_secret": "`,
	"curl https://api.twilio.com/2010-04-01/Accounts.json -u " + twilioKeySID(5802) + ":",
}

func init() { registerCases(TwilioAPIKeySecret, casesTwilioAPIKeySecret, twilioKeySecretLeads...) }

func casesTwilioAPIKeySecret() ([]tp, []fp) {
	sec := rnd(5810, alnum, 30) + "a1"
	sid := twilioKeySID(5811)
	return []tp{
			{"env", sec, ConfidencePattern},
			{"JSON", rnd(5812, alnum, 29) + "aB3", ConfidencePattern},
			{"curl", rnd(5813, alnum, 29) + "Zz9", ConfidencePattern},
		}, []fp{
			{"no API key SID", "TWILIO_API_SECRET=" + sec},
			{"SID alone", "twilio api key " + sid},
			{"SID too far", sid + " api_secret: " + strings.Repeat(" ", 90) + sec},
			{"lower-case hex (an auth token or a hash)", "twilio " + sid + " api_secret=" + rnd(5814, hexLo, 32)},
			{"no digit", "twilio " + sid + " api_secret=" + rnd(5815, letters, 32)},
			{"placeholder", "twilio " + sid + ":" + strings.Repeat("x", 16) + strings.Repeat("X1", 8)},
			{"longer run", "twilio " + sid + " api_secret=" + sec + "Q"},
			{"secret before the SID", "TWILIO_API_SECRET=" + sec + "\nTWILIO_API_KEY=" + sid},
			{"account SID, not an API key SID", "twilio " + twilioSID(5816) + " api_secret=" + sec},
		}
}

// TestTwilioAPIKeySecretForms finds the secret in the forms people write it, after its SID.
func TestTwilioAPIKeySecretForms(t *testing.T) {
	t.Parallel()
	sec, sid, acct := rnd(5820, alnum, 29)+"mQ7", twilioKeySID(5821), twilioSID(5822)
	tests := []struct{ name, input string }{
		{"yaml", "twilio:\n  api_key: " + sid + "\n  api_secret: " + sec + "\n"},
		{"xml", `<appSettings><add key="TwilioApiKey" value="` + sid + `" /><add key="TwilioApiSecret" value="` + sec + `" /></appSettings>`},
		{"ini", "[twilio]\napi_key = " + sid + "\napi_secret = " + sec + "\n"},
		{"c#", "TwilioClient.Init(\"" + sid + "\", \"" + sec + "\", \"" + acct + "\");\n"},
		{"go", "client := twilio.NewRestClientWithParams(twilio.ClientParams{\n\tUsername: \"" + sid + "\",\n\tPassword: \"" + sec + "\",\n\tAccountSid: \"" + acct + "\",\n})\n"},
		{"python", "client = Client('" + sid + "', '" + sec + "', '" + acct + "')\n"},
		{"javascript", "const client = require('twilio')('" + sid + "', '" + sec + "', { accountSid: '" + acct + "' });\n"},
		{"powershell", "$env:TWILIO_API_KEY = \"" + sid + "\"\n$env:TWILIO_API_SECRET = \"" + sec + "\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := findAll(TwilioAPIKeySecret(), tc.input); len(got) != 1 || got[0] != sec {
				t.Errorf("Find(%s) = %d matches, want the secret once", tc.name, len(got))
			}
		})
	}
}
