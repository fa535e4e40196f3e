package detectors

import (
	"strings"
	"testing"
)

// datadogAppLeads are the contexts placed before the true positives of datadog-app-key,
// which needs its name beside the key.
var datadogAppLeads = []string{
	"DD_APP_KEY=",
	`-H "DD-APPLICATION-KEY: `,
	`"datadogAppKey": "`,
	"--datadog-app-key ",
}

func init() { registerCases(DatadogAppKey, casesDatadogAppKey, datadogAppLeads...) }

func casesDatadogAppKey() ([]tp, []fp) {
	key := rnd(3310, hexLo, 40)
	return []tp{
			{"env", key, ConfidencePattern},
			{"curl header", rnd(3311, hexLo, 40), ConfidencePattern},
			{"JSON", rnd(3312, hexLo, 40), ConfidencePattern},
			{"command line", rnd(3313, hexLo, 40), ConfidencePattern},
		}, []fp{
			{"commit id", "uses: DataDog/datadog-actions@" + key},
			{"camel-case word", "addAppKey(" + `"` + key + `")`},
			{"API key length", "DD_APP_KEY=" + rnd(3314, hexLo, 32)},
			{"upper-case hex", "DD_APP_KEY=" + strings.ToUpper(key)},
			{"name on another line", "DD_APP_KEY:\n" + key},
		}
}

func TestDatadogAppKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesDatadogAppKey()
	checkDetector(t, DatadogAppKey(), tps, fps, datadogAppLeads...)
}
