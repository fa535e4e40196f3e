package detectors

func init() { register(DockerHubPAT) }

// DockerHubPAT finds Docker Hub personal access tokens: dckr_pat_ + 27 characters of
// [0-9A-Za-z_-] (the length of every public sample; Docker does not document it).
//
// References: https://docs.docker.com/security/access-tokens/
func DockerHubPAT() *Detector {
	return &Detector{
		ID:          "docker-hub-pat",
		Description: "Docker Hub personal access token",
		RotateURL:   "https://docs.docker.com/security/for-developers/access-tokens/",
		Keywords:    []string{"dckr_pat_"},
		Pattern:     bounded(`dckr_pat_[0-9A-Za-z_-]{27}`),
		Before:      8,
		After:       40,
		MinEntropy:  3.5,
	}
}
