package detectors

import (
	"strings"
	"testing"
)

// oktaLeads are the contexts placed before the true positives of okta-api-token, which
// needs okta or SSWS beside its token.
var oktaLeads = []string{
	"OKTA_API_TOKEN=",
	`-H "Authorization: SSWS `,
	`"okta": {"token": "`,
	"okta.client.token = ",
	"okta:\n  client:\n    token: ",
}

// oktaToken builds a synthetic Okta API token: 00 + 40 characters.
func oktaToken(seed uint64) string {
	return "00" + rnd(seed, b64url, 40)
}

func init() { registerCases(OktaAPIToken, casesOktaAPIToken, oktaLeads...) }

func casesOktaAPIToken() ([]tp, []fp) {
	tok := oktaToken(3100)
	return []tp{
			{"env", tok, ConfidencePattern},
			{"SSWS header", oktaToken(3101), ConfidencePattern},
			{"JSON", oktaToken(3102), ConfidencePattern},
			{"properties", oktaToken(3103), ConfidencePattern},
			{"nested YAML", oktaToken(3105), ConfidencePattern},
		}, []fp{
			{"no keyword", "API_TOKEN=" + tok},
			{"keyword three lines up", "okta:\n  a: 1\n  b: 2\n  token: " + tok},
			{"nested under another name", "okta:\n  client:\n    orgUrl: " + tok},
			{"not 00", "OKTA_API_TOKEN=01" + tok[2:]},
			{"43 characters", "OKTA_API_TOKEN=" + tok + "x"},
			{"hex", "okta commit " + "00" + rnd(3104, hexLo, 40)},
			{"template", "OKTA_API_TOKEN=00" + strings.Repeat("x", 40)},
		}
}

func TestOktaAPIToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesOktaAPIToken()
	checkDetector(t, OktaAPIToken(), tps, fps, oktaLeads...)
}
