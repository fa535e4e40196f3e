package detectors

func init() { register(RubyGemsAPIKey) }

// RubyGemsAPIKey finds RubyGems.org API keys: rubygems_ + 48 hex digits. A key can push and
// yank gems, so a leak is a supply-chain risk.
//
// References: https://guides.rubygems.org/api-key-scopes/
func RubyGemsAPIKey() *Detector {
	return &Detector{
		ID:          "rubygems-api-key",
		Description: "RubyGems.org API key",
		Keywords:    []string{"rubygems_"},
		Pattern:     bounded(`rubygems_[0-9a-f]{48}`),
		Before:      8,
		After:       64,
		MinEntropy:  3,
		RotateURL:   "https://guides.rubygems.org/api-key-scopes/",
	}
}
