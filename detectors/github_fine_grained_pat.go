package detectors

func init() { register(GitHubFineGrainedPAT) }

// GitHubFineGrainedPAT finds GitHub fine-grained personal access tokens: github_pat_ + 22
// base62 + "_" + 59 base62 (93 characters). Their checksum is not publicly documented
// (PROVIDERS.md §2.1), so the pattern and entropy decide.
//
// References: https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens#creating-a-fine-grained-personal-access-token
func GitHubFineGrainedPAT() *Detector {
	return &Detector{
		ID:          "github-fine-grained-pat",
		Provider:    "github",
		Description: "GitHub fine-grained personal access token",
		RotateURL:   "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation",
		Keywords:    []string{"github_pat_"},
		Pattern:     `(?:^|[^0-9A-Za-z_])(github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59})(?:[^0-9A-Za-z_]|$)`,
		Before:      8,
		After:       96,
		MinEntropy:  3.5,
	}
}
