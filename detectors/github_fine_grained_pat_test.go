package detectors

import (
	"strings"
	"testing"
)

// fineGrainedPAT builds a synthetic fine-grained PAT: github_pat_ + 22 + "_" + 59.
func fineGrainedPAT(seed uint64) string {
	return "github_" + "pat_" + rnd(seed, alnum, 22) + "_" + rnd(seed+1000, alnum, 59)
}

func init() { registerCases(GitHubFineGrainedPAT, casesGitHubFineGrainedPAT) }

func casesGitHubFineGrainedPAT() ([]tp, []fp) {
	tok := fineGrainedPAT(50)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", fineGrainedPAT(51), ConfidencePattern},
			{"random 3", fineGrainedPAT(52), ConfidencePattern},
		}, []fp{
			{"placeholder", "github_pat_" + strings.Repeat("x", 22) + "_" + strings.Repeat("x", 59)},
			{"template", "github_pat_<your-fine-grained-token>"},
			{"short second part", tok[:len(tok)-1]},
			{"long second part", tok + "Q"},
			{"missing separator", strings.Replace(tok, "_", "", 2)},
			{"classic prefix", "ghp_" + tok[11:]},
		}
}

func TestGitHubFineGrainedPAT(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitHubFineGrainedPAT()
	checkDetector(t, GitHubFineGrainedPAT(), tps, fps)
}
