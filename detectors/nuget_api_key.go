package detectors

func init() { register(NuGetAPIKey) }

// NuGetAPIKey finds nuget.org API keys: oy2 + 43 lower-case letters and digits. A key can push
// (and unlist) packages, so a leak is a supply-chain risk.
//
// References: https://learn.microsoft.com/en-us/nuget/nuget-org/scoped-api-keys
func NuGetAPIKey() *Detector {
	return &Detector{
		ID:          "nuget-api-key",
		Description: "nuget.org API key",
		Keywords:    []string{"oy2"},
		Pattern:     bounded(`oy2[a-z0-9]{43}`),
		Before:      8,
		After:       56,
		MinEntropy:  3.5,
		RotateURL:   "https://learn.microsoft.com/en-us/nuget/nuget-org/scoped-api-keys#manage-api-keys",
	}
}
