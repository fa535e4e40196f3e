package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(PostmanAPIKey, casesPostmanAPIKey) }

func casesPostmanAPIKey() ([]tp, []fp) {
	tok := "PMAK-" + rnd(580, hexLo, 24) + "-" + rnd(581, hexLo, 34)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "PMAK-" + rnd(582, hexLo, 24) + "-" + rnd(583, hexLo, 34), ConfidencePattern},
			{"random 3", "PMAK-" + rnd(584, hexLo, 24) + "-" + rnd(585, hexLo, 34), ConfidencePattern},
		}, []fp{
			{"placeholder", "PMAK-" + strings.Repeat("x", 24) + "-" + strings.Repeat("x", 34)},
			{"short second part", tok[:len(tok)-1]},
			{"missing dash", strings.Replace(tok, "-", "", 2)},
			{"lower-case prefix", "pmak-" + tok[5:]},
			{"template", "PMAK-<your-api-key>"},
		}
}

func TestPostmanAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesPostmanAPIKey()
	checkDetector(t, PostmanAPIKey(), tps, fps)
}
