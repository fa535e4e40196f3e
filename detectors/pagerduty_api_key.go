package detectors

func init() { register(PagerDutyAPIKey) }

// PagerDutyAPIKey finds PagerDuty REST API keys: 20 characters of [0-9A-Za-z_+-] (user
// tokens start u+). The shape is loose, so the key must be the value assigned to a name
// that starts with pagerduty and ends with key or token (PAGERDUTY_API_KEY=…,
// "pagerdutyToken": …, --pagerduty-token …, <add key="PagerDutyApiKey" value=…), and have
// letters of both cases and digits. The read-only key PagerDuty's API reference publishes
// for its example data is copied into many samples and is not a finding.
//
// References: https://support.pagerduty.com/main/docs/api-access-keys
func PagerDutyAPIKey() *Detector {
	return &Detector{
		ID:          "pagerduty-api-key",
		Description: "PagerDuty REST API key (assigned to a pagerduty…key/token name)",
		// "erduty", not "pagerduty": the prefilter indexes a keyword by its rarest byte pairs,
		// and "pa"/"ag" are everywhere in source ("package").
		Keywords: []string{"erduty"},
		Pattern: `(?i:pagerduty[0-9A-Za-z_.-]{0,24}?(?:key|token))["']?` +
			`(?:[ \t]+value)?(?:[ \t]*(?::=|=>|[:=])[ \t]*|[ \t]+)["']?` +
			`([0-9A-Za-z_+-]{20})(?:[^0-9A-Za-z_+/=-]|$)`,
		Before:     8,
		After:      96,
		MinEntropy: 3.5,
		Validate: func(tok []byte) (Confidence, bool) {
			if string(tok) == pagerdutyDocsKey {
				return "", false
			}
			return mixedAlnum(tok)
		},
		RotateURL: "https://support.pagerduty.com/main/docs/api-access-keys",
	}
}

// pagerdutyDocsKey is the public example key of PagerDuty's API reference (split so that the
// source holds no token-shaped literal).
const pagerdutyDocsKey = "y_NbAkKc66" + "ryYTWUXYEu"
