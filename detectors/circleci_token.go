package detectors

func init() { register(CircleCIToken) }

// CircleCIToken finds CircleCI personal API tokens: CCIPAT_ + 22 alphanumerics + "_" + 40
// hex digits. Project tokens (CCIPRJ_) are left out: CircleCI's own status-badge snippet
// embeds them in READMEs, scoped to build status.
//
// References: https://circleci.com/docs/managing-api-tokens/
func CircleCIToken() *Detector {
	return &Detector{
		ID:          "circleci-token",
		Provider:    "circleci",
		Description: "CircleCI personal API token",
		// "ccip", not "ccipat_": the latter is indexed under "ip"/"pa", which "package" has.
		Keywords:   []string{"ccip"},
		Pattern:    bounded(`CCIPAT_[0-9A-Za-z]{22}_[0-9a-f]{40}`),
		Before:     8,
		After:      80,
		MinEntropy: 3.5,
		RotateURL:  "https://circleci.com/docs/managing-api-tokens/",
	}
}
