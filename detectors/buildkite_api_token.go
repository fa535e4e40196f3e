package detectors

func init() { register(BuildkiteAPIToken) }

// BuildkiteAPIToken finds Buildkite user API access tokens: bkua_ + 40 hex digits.
//
// References: https://buildkite.com/docs/apis/managing-api-tokens
func BuildkiteAPIToken() *Detector {
	return &Detector{
		ID:          "buildkite-api-token",
		Provider:    "buildkite",
		Description: "Buildkite API access token",
		Keywords:    []string{"bkua_"},
		Pattern:     bounded(`bkua_[0-9a-f]{40}`),
		Before:      8,
		After:       56,
		MinEntropy:  3,
		Validate:    hexLetterAndDigit,
		RotateURL:   "https://buildkite.com/docs/apis/managing-api-tokens",
	}
}
