package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(GitHubAppInstallationToken, casesGitHubAppInstallationToken) }

func casesGitHubAppInstallationToken() ([]tp, []fp) {
	tok := ghToken(30, "ghs_")
	return []tp{
			{"random 1", tok, ConfidenceChecksum},
			{"random 2", ghToken(31, "ghs_"), ConfidenceChecksum},
			{"random 3", ghToken(32, "ghs_"), ConfidenceChecksum},
		}, []fp{
			{"checksum mismatch", tok[:39] + string(rune(tok[39]^1))},
			{"placeholder", "ghs_" + strings.Repeat("x", 36)},
			{"template", "ghs_<your-token-here>"},
			{"too short", tok[:30]},
			{"too long", tok + "a"},
			{"other prefix", "ghz_" + tok[4:]},
		}
}

func TestGitHubAppInstallationToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitHubAppInstallationToken()
	checkDetector(t, GitHubAppInstallationToken(), tps, fps)
}
