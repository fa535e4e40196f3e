package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(AzureDevOpsPAT, casesAzureDevOpsPAT) }

func casesAzureDevOpsPAT() ([]tp, []fp) {
	good := ADOPAT(rnd(11, alnum, 52), 2025, 7)
	good2 := ADOPAT(rnd(12, alnum, 52), 2026, 1)
	badSum := good[:80] + "ZZZZ"
	return []tp{
			{"checksum 2025", good, ConfidenceChecksum},
			{"checksum 2026", good2, ConfidenceChecksum},
			{"checksum mismatch still reported", badSum, ConfidencePattern},
		}, []fp{
			{"placeholder body", strings.Repeat("x", 52) + "JQQJ99CA" + strings.Repeat("A", 16) + "AZDO" + "abcd"},
			{"wrong provider signature", good[:76] + "AZFU" + good[80:]},
			{"embedded in longer run", "Q" + good + "Q"},
			{"too short", good[1:]},
			{"month out of range", good[:59] + "M" + good[60:]},
		}
}

func TestAzureDevOpsPAT(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureDevOpsPAT()
	checkDetector(t, AzureDevOpsPAT(), tps, fps)
}
