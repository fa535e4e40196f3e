package detectors

func init() { register(JFrogAPIKey) }

// JFrogAPIKey finds JFrog Artifactory API keys (deprecated, still accepted by older
// instances): AKCp + a digit + 68 alphanumerics.
//
// References: https://jfrog.com/help/r/jfrog-platform-administration-documentation/api-key
func JFrogAPIKey() *Detector {
	return &Detector{
		ID:          "jfrog-api-key",
		Description: "JFrog Artifactory API key",
		Keywords:    []string{"akcp"},
		Pattern:     bounded(`AKCp[0-9][0-9A-Za-z]{68}`),
		Before:      8,
		After:       80,
		MinEntropy:  4,
		RotateURL:   "https://jfrog.com/help/r/jfrog-platform-administration-documentation/api-key",
	}
}
