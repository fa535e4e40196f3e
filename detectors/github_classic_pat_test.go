package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(GitHubClassicPAT, casesGitHubClassicPAT) }

func casesGitHubClassicPAT() ([]tp, []fp) {
	tok := ghToken(1, "ghp_")
	return []tp{
			{"random 1", tok, ConfidenceChecksum},
			{"random 2", ghToken(2, "ghp_"), ConfidenceChecksum},
			{"random 3", ghToken(3, "ghp_"), ConfidenceChecksum},
		}, []fp{
			{"checksum mismatch", tok[:39] + string(rune(tok[39]^1))},
			{"placeholder", "ghp_" + strings.Repeat("x", 36)},
			{"template", "ghp_<your-token-here>"},
			{"too short", tok[:30]},
			{"other prefix", "ghz_" + tok[4:]},
		}
}

func TestGitHubClassicPAT(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitHubClassicPAT()
	checkDetector(t, GitHubClassicPAT(), tps, fps)
}
