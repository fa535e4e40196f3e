package detectors

import "testing"

// pagerdutyLeads are the assignments placed before the true positives of
// pagerduty-api-key, which needs its name beside the key.
var pagerdutyLeads = []string{
	"PAGERDUTY_API_KEY=",
	`"pagerdutyToken": "`,
	"--pagerduty-token ",
	`<add key="PagerDutyApiKey" value="`,
}

// pagerdutyKey builds a synthetic 20-character key, user-token style when user is set.
func pagerdutyKey(seed uint64, user bool) string {
	if user {
		return "u+" + rnd(seed, alnum+"_-", 18)
	}
	return rnd(seed, alnum+"_+-", 20)
}

func init() { registerCases(PagerDutyAPIKey, casesPagerDutyAPIKey, pagerdutyLeads...) }

func casesPagerDutyAPIKey() ([]tp, []fp) {
	key := pagerdutyKey(3320, false)
	return []tp{
			{"env", key, ConfidencePattern},
			{"user token", pagerdutyKey(3321, true), ConfidencePattern},
			{"command line", pagerdutyKey(3322, false), ConfidencePattern},
			{"XML", pagerdutyKey(3323, false), ConfidencePattern},
		}, []fp{
			{"no name", "API_KEY=" + key},
			{"service id", "pagerduty_service = " + key},
			{"21 characters", "PAGERDUTY_API_KEY=" + key + "x"},
			{"word", "PAGERDUTY_TOKEN=ReplaceWithYourToken"},
			{"routing key", "PAGERDUTY_ROUTING_KEY=" + rnd(3324, hexLo, 32)},
			{"API reference example", "PAGERDUTY_API_KEY=" + pagerdutyDocsKey},
			{"name on another line", "PAGERDUTY_API_KEY:\n" + key},
		}
}

func TestPagerDutyAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesPagerDutyAPIKey()
	checkDetector(t, PagerDutyAPIKey(), tps, fps, pagerdutyLeads...)
}
