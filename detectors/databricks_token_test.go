package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(DatabricksToken, casesDatabricksToken) }

func casesDatabricksToken() ([]tp, []fp) {
	tok := "dapi" + rnd(570, hexLo, 32)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "dapi" + rnd(571, hexLo, 32), ConfidencePattern},
			{"with shard suffix", "dapi" + rnd(572, hexLo, 32) + "-2", ConfidencePattern},
		}, []fp{
			{"placeholder", "dapi" + strings.Repeat("x", 32)},
			{"zeros", "dapi" + strings.Repeat("0", 32)},
			{"upper case", "DAPI" + strings.ToUpper(tok[4:])},
			{"too long", tok + "a"},
			{"inside a word", "ODAPI" + tok[4:]},
		}
}

func TestDatabricksToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesDatabricksToken()
	checkDetector(t, DatabricksToken(), tps, fps)
}
