package detectors

import (
	"strings"
	"testing"
)

// twilioSID builds a synthetic account SID: AC + 32 hex.
func twilioSID(seed uint64) string { return "AC" + rnd(seed, hexLo, 32) }

// twilioAuthLeads are the contexts placed before the true positives of twilio-auth-token,
// which needs an account SID and a keyword beside the token.
var twilioAuthLeads = []string{
	"TWILIO_ACCOUNT_SID=" + twilioSID(2000) + "\nTWILIO_AUTH_TOKEN=",
	`{"account_sid": "` + twilioSID(2001) + `", "auth_token": "`,
	"curl https://api.twilio.com/2010-04-01/Accounts.json -u " + twilioSID(2002) + ":",
}

func init() { registerCases(TwilioAuthToken, casesTwilioAuthToken, twilioAuthLeads...) }

func casesTwilioAuthToken() ([]tp, []fp) {
	tok := rnd(2010, hexLo, 32)
	sid := twilioSID(2011)
	return []tp{
			{"env", tok, ConfidencePattern},
			{"JSON", rnd(2012, hexLo, 32), ConfidencePattern},
			{"curl", rnd(2013, hexLo, 32), ConfidencePattern},
		}, []fp{
			{"no account SID", "TWILIO_AUTH_TOKEN=" + tok},
			{"SID alone", "twilio account " + sid},
			{"SID too far", sid + " auth_token: " + strings.Repeat(" ", 90) + tok},
			{"upper-case hex", "auth_token: " + strings.ToUpper(tok) + " " + sid},
			{"placeholder", "twilio " + sid + ":" + strings.Repeat("0", 32)},
			{"longer hex run", "twilio " + sid + " sha " + tok + "ab"},
			{"API key SID", "twilio " + sid + " SK" + tok},
			{"URL path segment", "twilio " + sid + " https://verify.twilio.com/v2/Entities/" + tok + "/Factors"},
			{"token before the SID", "TWILIO_AUTH_TOKEN=" + tok + "\nTWILIO_ACCOUNT_SID=" + sid},
			{"two SIDs", "twilio " + sid + " " + twilioSID(2014)},
		}
}

func TestTwilioAuthToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesTwilioAuthToken()
	checkDetector(t, TwilioAuthToken(), tps, fps, twilioAuthLeads...)
}

// TestTwilioAuthTokenForms finds the token in the forms people write it, after its SID.
func TestTwilioAuthTokenForms(t *testing.T) {
	t.Parallel()
	tok, sid := rnd(2020, hexLo, 32), twilioSID(2021)
	tests := []struct {
		name  string
		input string
	}{
		{"yaml", "twilio:\n  account_sid: " + sid + "\n  auth_token: " + tok + "\n"},
		{"xml", `<appSettings><add key="TwilioAccountSid" value="` + sid + `" /><add key="TwilioAuthToken" value="` + tok + `" /></appSettings>`},
		{"ini", "[twilio]\naccount_sid = " + sid + "\nauth_token = " + tok + "\n"},
		{"c#", "const string accountSid = \"" + sid + "\";\nconst string authToken = \"" + tok + "\";\nTwilioClient.Init(accountSid, authToken);\n"},
		{"go", "client := twilio.NewRestClientWithParams(twilio.ClientParams{\n\tUsername: \"" + sid + "\",\n\tPassword: \"" + tok + "\",\n})\n"},
		{"python", "from twilio.rest import Client\nclient = Client('" + sid + "', '" + tok + "')\n"},
		{"javascript", "const client = require('twilio')(\"" + sid + "\", \"" + tok + "\");\n"},
		{"c++", "const std::string account_sid = \"" + sid + "\";\nconst std::string auth_token = \"" + tok + "\";\n"},
		{"powershell", "$sid = \"" + sid + "\"\n$authToken = \"" + tok + "\"\n"},
		{"curl", "curl -X POST https://api.twilio.com/2010-04-01/Accounts/" + sid + "/Messages.json -u " + sid + ":" + tok},
		{"curl, quoted", `curl -u "` + sid + `:` + tok + `" https://api.twilio.com/`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := findAll(TwilioAuthToken(), tt.input)
			if len(got) != 1 || got[0] != tok {
				t.Errorf("Find(%s) = %d matches, want the token once", tt.name, len(got))
			}
		})
	}
}
