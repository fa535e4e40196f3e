package detectors

func init() { register(GitLabPAT) }

// GitLabPAT finds legacy GitLab personal, project, group and impersonation access tokens:
// glpat- + 20 characters of [0-9A-Za-z_-], no checksum. Routable tokens (the format GitLab
// issues now) are GitLabPATRoutable. Instances can configure another prefix; those tokens
// are not found.
//
// References: https://docs.gitlab.com/security/tokens/#token-prefixes
func GitLabPAT() *Detector {
	return &Detector{
		ID:          "gitlab-pat",
		Provider:    "gitlab",
		Description: "GitLab personal access token (legacy 20-char format)",
		RotateURL:   "https://docs.gitlab.com/user/profile/personal_access_tokens/#revoke-or-rotate-a-personal-access-token",
		Keywords:    []string{"glpat-"},
		Pattern:     bounded(`glpat-[0-9A-Za-z_-]{20}`),
		Before:      8,
		After:       32,
		MinEntropy:  3,
	}
}
