package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(GitHubRefreshToken, casesGitHubRefreshToken) }

func casesGitHubRefreshToken() ([]tp, []fp) {
	long := "ghr_" + rnd(40, alnum, 76)
	return []tp{
			{"76-char body", long, ConfidencePattern},
			{"other 76-char body", "ghr_" + rnd(41, alnum, 76), ConfidencePattern},
			{"36-char body with checksum", ghToken(42, "ghr_"), ConfidenceChecksum},
			{"36-char body without checksum", "ghr_" + rnd(43, alnum, 36), ConfidencePattern},
		}, []fp{
			{"placeholder", "ghr_" + strings.Repeat("x", 76)},
			{"template", "ghr_<refresh-token>"},
			{"too short", "ghr_" + rnd(44, alnum, 30)},
			{"low entropy", "ghr_" + strings.Repeat("ab12", 19)},
			{"other prefix", "ghq_" + long[4:]},
			{"inside identifier", "xghr_" + long[4:]},
		}
}

func TestGitHubRefreshToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitHubRefreshToken()
	checkDetector(t, GitHubRefreshToken(), tps, fps)
}
