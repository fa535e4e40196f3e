package detectors

func init() { register(DatadogAPIKey) }

// DatadogAPIKey finds Datadog API keys: 32 lower-case hex digits, which alone is any MD5,
// so the key must follow its name on the same line: datadog …, DD_API_KEY=…, DD-API-KEY:
// (the header), DATADOG_API_KEY, "datadog": {"api_key": …}; or sit nested below "datadog"
// under a key name (datadog:⏎ api_key: …).
//
// References: https://docs.datadoghq.com/account_management/api-app-keys/
func DatadogAPIKey() *Detector {
	return &Detector{
		ID:          "datadog-api-key",
		Provider:    "datadog",
		Description: "Datadog API key (next to its name)",
		Keywords:    []string{"datadog", "dd_api_key", "dd-api-key"},
		Pattern:     afterKeyword(`datadog|(?:^|[^0-9A-Za-z])dd[_-]api[_-]key`, `[0-9a-f]{32}`, `0-9A-Za-z_+/-`),
		Before:      8,
		After:       256,
		MinEntropy:  3.2,
		Validate:    hexLetterAndDigit,
		RotateURL:   "https://docs.datadoghq.com/account_management/api-app-keys/",
	}
}
