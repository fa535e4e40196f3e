package detectors

import (
	"strings"
	"testing"
)

// datadogAPILeads are the contexts placed before the true positives of datadog-api-key,
// which needs its name beside the key.
var datadogAPILeads = []string{
	"DD_API_KEY=",
	`-H "DD-API-KEY: `,
	`"datadog": {"api_key": "`,
	"datadog::api_key: ",
	"$env:DATADOG_API_KEY = '",
	"datadog:\n  api_key: ",
	"\"datadog\": {\n    \"apiKey\": \"",
}

func init() { registerCases(DatadogAPIKey, casesDatadogAPIKey, datadogAPILeads...) }

func casesDatadogAPIKey() ([]tp, []fp) {
	key := rnd(3300, hexLo, 32)
	return []tp{
			{"env", key, ConfidencePattern},
			{"curl header", rnd(3301, hexLo, 32), ConfidencePattern},
			{"JSON", rnd(3302, hexLo, 32), ConfidencePattern},
			{"hiera", rnd(3303, hexLo, 32), ConfidencePattern},
			{"PowerShell", rnd(3304, hexLo, 32), ConfidencePattern},
			{"nested YAML", rnd(3307, hexLo, 32), ConfidencePattern},
			{"pretty JSON", rnd(3308, hexLo, 32), ConfidencePattern},
		}, []fp{
			{"no name", "API_KEY=" + key},
			{"app key length", "DD_API_KEY=" + rnd(3305, hexLo, 40)},
			{"nested under another name", "datadog:\n  site: " + key},
			{"not nested", "datadog:\napi_key: " + key},
			{"inside a name", "ADD_API_KEY=" + key},
			{"upper-case hex", "DD_API_KEY=" + strings.ToUpper(key)},
			{"digits", "DD_API_KEY=" + rnd(3306, digits, 32)},
		}
}

func TestDatadogAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesDatadogAPIKey()
	checkDetector(t, DatadogAPIKey(), tps, fps, datadogAPILeads...)
}
