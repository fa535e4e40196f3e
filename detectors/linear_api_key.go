package detectors

func init() { register(LinearAPIKey) }

// LinearAPIKey finds Linear personal API keys: lin_api_ + 40 alphanumerics.
//
// References: https://linear.app/developers/graphql#personal-api-keys
func LinearAPIKey() *Detector {
	return &Detector{
		ID:          "linear-api-key",
		Description: "Linear personal API key",
		Keywords:    []string{"lin_api_"},
		Pattern:     bounded(`lin_api_[0-9A-Za-z]{40}`),
		Before:      8,
		After:       56,
		MinEntropy:  3.5,
		RotateURL:   "https://linear.app/docs/api-and-webhooks#api-keys",
	}
}
