package detectors

func init() { register(GoogleAPIKey) }

// GoogleAPIKey finds Google API keys (Maps, Firebase, Gemini, other Google Cloud APIs):
// AIza + 35 characters of [0-9A-Za-z_-]. Keys shipped in mobile and web clients are public
// by design when restricted; patrol reports them all and leaves the policy to the owner.
//
// References: https://cloud.google.com/docs/authentication/api-keys
func GoogleAPIKey() *Detector {
	return &Detector{
		ID:          "google-api-key",
		Description: "Google API key",
		RotateURL:   "https://cloud.google.com/docs/authentication/api-keys#rotate",
		Keywords:    []string{"aiza"},
		Pattern:     bounded(`AIza[0-9A-Za-z_-]{35}`),
		Before:      8,
		After:       48,
		MinEntropy:  4,
	}
}
