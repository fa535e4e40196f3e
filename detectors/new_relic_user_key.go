package detectors

func init() { register(NewRelicUserKey) }

// NewRelicUserKey finds New Relic user API keys: NRAK- + 27 upper-case alphanumerics.
//
// References: https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/#user-key
func NewRelicUserKey() *Detector {
	return &Detector{
		ID:          "new-relic-user-key",
		Description: "New Relic user API key",
		RotateURL:   "https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/",
		Keywords:    []string{"nrak-"},
		Pattern:     bounded(`NRAK-[0-9A-Z]{27}`),
		Before:      8,
		After:       40,
		MinEntropy:  3,
	}
}
