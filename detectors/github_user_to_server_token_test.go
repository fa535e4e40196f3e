package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(GitHubUserToServerToken, casesGitHubUserToServerToken) }

func casesGitHubUserToServerToken() ([]tp, []fp) {
	tok := ghToken(20, "ghu_")
	return []tp{
			{"random 1", tok, ConfidenceChecksum},
			{"random 2", ghToken(21, "ghu_"), ConfidenceChecksum},
			{"random 3", ghToken(22, "ghu_"), ConfidenceChecksum},
		}, []fp{
			{"checksum mismatch", tok[:39] + string(rune(tok[39]^1))},
			{"placeholder", "ghu_" + strings.Repeat("x", 36)},
			{"template", "ghu_<your-token-here>"},
			{"too short", tok[:30]},
			{"too long", tok + "a"},
			{"other prefix", "ghz_" + tok[4:]},
		}
}

func TestGitHubUserToServerToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitHubUserToServerToken()
	checkDetector(t, GitHubUserToServerToken(), tps, fps)
}
