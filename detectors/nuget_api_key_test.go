package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(NuGetAPIKey, casesNuGetAPIKey) }

func casesNuGetAPIKey() ([]tp, []fp) {
	tok := "oy2" + rnd(2985, lowerN, 43)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "oy2" + rnd(2986, lowerN, 43), ConfidencePattern},
			{"random 3", "oy2" + rnd(2987, lowerN, 43), ConfidencePattern},
		}, []fp{
			{"placeholder", "oy2" + strings.Repeat("x", 43)},
			{"upper case", "oy2" + strings.ToUpper(rnd(2988, lowerN, 43))},
			{"too short", tok[:len(tok)-1]},
			{"too long", tok + "a"},
			{"inside a word", "boy2" + tok[3:]},
			{"low entropy", "oy2" + strings.Repeat("ab12", 10) + "abc"},
		}
}

func TestNuGetAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesNuGetAPIKey()
	checkDetector(t, NuGetAPIKey(), tps, fps)
}
