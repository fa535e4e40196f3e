package detectors

import (
	"strings"
	"testing"
)

// mailgunLeads are the contexts placed before the true positives of mailgun-api-key, which
// needs the word mailgun nearby.
var mailgunLeads = []string{
	"MAILGUN_API_KEY=",
	"mailgun:\n  domain: mg.example.invalid\n  api_key: ",
	"const mg = mailgun.client({username: 'api', key: '",
}

// mailgunKey builds a synthetic current-format private key: 32 hex - 8 hex - 8 hex.
func mailgunKey(seed uint64) string {
	return rnd(seed, hexLo, 32) + "-" + rnd(seed+1, hexLo, 8) + "-" + rnd(seed+2, hexLo, 8)
}

func init() { registerCases(MailgunAPIKey, casesMailgunAPIKey, mailgunLeads...) }

func casesMailgunAPIKey() ([]tp, []fp) {
	legacy := "key-" + rnd(2100, hexLo, 32)
	return []tp{
			{"legacy", legacy, ConfidencePattern},
			{"current", mailgunKey(2101), ConfidencePattern},
			{"current 2", mailgunKey(2104), ConfidencePattern},
			{"legacy 2", "key-" + rnd(2107, hexLo, 32), ConfidencePattern},
		}, []fp{
			{"no keyword", "API_KEY=" + legacy},
			{"keyword too far", "mailgun" + strings.Repeat(" ", 210) + legacy},
			{"keyword after", legacy + " # mailgun"},
			{"public validation key", "MAILGUN_PUBLIC_KEY=pubkey-" + rnd(2108, hexLo, 32)},
			{"placeholder", "MAILGUN_API_KEY=key-" + strings.Repeat("x", 32)},
			{"too short", "MAILGUN_API_KEY=key-" + rnd(2109, hexLo, 31)},
			{"uuid", "mailgun id " + rnd(2110, hexLo, 8) + "-" + rnd(2111, hexLo, 4) + "-" + rnd(2112, hexLo, 4) + "-" + rnd(2113, hexLo, 4) + "-" + rnd(2114, hexLo, 12)},
			{"upper-case", "MAILGUN_API_KEY=" + strings.ToUpper(mailgunKey(2115))},
		}
}

func TestMailgunAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesMailgunAPIKey()
	checkDetector(t, MailgunAPIKey(), tps, fps, mailgunLeads...)
}
