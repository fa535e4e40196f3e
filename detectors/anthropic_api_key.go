package detectors

func init() { register(AnthropicAPIKey) }

// AnthropicAPIKey finds Anthropic API keys and admin API keys: sk-ant-api03- or
// sk-ant-admin01- + 93 characters of [0-9A-Za-z_-] + AA.
//
// References: https://docs.anthropic.com/en/api/getting-started#authentication
func AnthropicAPIKey() *Detector {
	return &Detector{
		ID:          "anthropic-api-key",
		Description: "Anthropic API key",
		RotateURL:   "https://support.anthropic.com/en/articles/9767949-api-key-best-practices-keeping-your-keys-safe-and-secure",
		Keywords:    []string{"sk-ant-api03-", "sk-ant-admin01-"},
		Pattern:     bounded(`sk-ant-(?:api03|admin01)-[0-9A-Za-z_-]{93}AA`),
		Before:      8,
		After:       112,
		MinEntropy:  4,
	}
}
