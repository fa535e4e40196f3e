package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(GitHubOAuthToken, casesGitHubOAuthToken) }

func casesGitHubOAuthToken() ([]tp, []fp) {
	tok := ghToken(10, "gho_")
	return []tp{
			{"random 1", tok, ConfidenceChecksum},
			{"random 2", ghToken(11, "gho_"), ConfidenceChecksum},
			{"random 3", ghToken(12, "gho_"), ConfidenceChecksum},
		}, []fp{
			{"checksum mismatch", tok[:39] + string(rune(tok[39]^1))},
			{"placeholder", "gho_" + strings.Repeat("x", 36)},
			{"template", "gho_<your-token-here>"},
			{"too short", tok[:30]},
			{"too long", tok + "a"},
			{"other prefix", "ghz_" + tok[4:]},
		}
}

func TestGitHubOAuthToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitHubOAuthToken()
	checkDetector(t, GitHubOAuthToken(), tps, fps)
}
