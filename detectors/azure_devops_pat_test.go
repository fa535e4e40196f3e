package detectors

import (
	"strings"
	"testing"
)

func TestAzureDevOpsPAT(t *testing.T) {
	t.Parallel()
	good := ADOPAT(rnd(11, alnum, 52), 2025, 7)
	good2 := ADOPAT(rnd(12, alnum, 52), 2026, 1)
	badSum := good[:80] + "ZZZZ"
	checkDetector(t, AzureDevOpsPAT(),
		[]tp{
			{"checksum 2025", good, ConfidenceChecksum},
			{"checksum 2026", good2, ConfidenceChecksum},
			{"checksum mismatch still reported", badSum, ConfidencePattern},
		},
		[]fp{
			{"placeholder body", strings.Repeat("x", 52) + "JQQJ99CA" + strings.Repeat("A", 16) + "AZDO" + "abcd"},
			{"wrong provider signature", good[:76] + "AZFU" + good[80:]},
			{"embedded in longer run", "Q" + good + "Q"},
			{"too short", good[1:]},
			{"month out of range", good[:59] + "M" + good[60:]},
		})
}

func TestAzureDevOpsPATLegacy(t *testing.T) {
	t.Parallel()
	var r1, r2 [28]byte
	for i := range r1 {
		r1[i], r2[i] = byte(i*31+5), byte(i*17+200)
	}
	user, app := ADOLegacyPAT(r1, false), ADOLegacyPAT(r2, true)
	checkDetector(t, AzureDevOpsPATLegacy(),
		[]tp{
			{"user seed", user, ConfidenceChecksum},
			{"application seed", app, ConfidenceChecksum},
			{"public vector", "cfdgksmyyogbj6b6k7tvu6wfgotk453x" + "xadybrrs22g6qekcaw3y", ConfidenceChecksum},
		},
		[]fp{
			{"checksum mismatch", "r5re6wmuyil22fwl7yy7tukhtkr5dh3e" + "x6eaw6qmtbfdikdvjlvq"},
			{"english words", "advancedthreatprotectiononboard" + "ingdevicesettingstate"},
			{"inside longer run", "a" + user},
			{"upper case", strings.ToUpper(user)},
		})
}
