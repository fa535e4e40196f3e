package detectors

func init() { register(DatadogAppKey) }

// DatadogAppKey finds Datadog application keys: 40 lower-case hex digits, the shape of
// every SHA-1 and commit id, so the key must follow an application-key name on the same
// line: DD_APP_KEY, DD-APPLICATION-KEY (the header), DATADOG_APP_KEY, datadogAppKey. The word
// datadog alone is not enough: it sits beside commit ids (DataDog/…@<sha>).
//
// References: https://docs.datadoghq.com/account_management/api-app-keys/
func DatadogAppKey() *Detector {
	return &Detector{
		ID:          "datadog-app-key",
		Description: "Datadog application key (next to its name)",
		// "datadoga" rather than "datadogapp", whose rarest-looking pairs ("ap", "pp") are not.
		Keywords:   []string{"dd_app", "dd-app", "datadog_app", "datadog-app", "datadoga"},
		Pattern:    afterKeyword(`(?:^|[^0-9A-Za-z])(?:dd|datadog)[_-]?app(?:lication)?[_-]?key`, `[0-9a-f]{40}`, `0-9A-Za-z_+/-`),
		Before:     8,
		After:      128,
		MinEntropy: 3.2,
		Validate:   hexLetterAndDigit,
		RotateURL:  "https://docs.datadoghq.com/account_management/api-app-keys/",
	}
}
