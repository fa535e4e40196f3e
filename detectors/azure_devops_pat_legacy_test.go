package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(AzureDevOpsPATLegacy, casesAzureDevOpsPATLegacy) }

func casesAzureDevOpsPATLegacy() ([]tp, []fp) {
	var r1, r2 [28]byte
	for i := range r1 {
		r1[i], r2[i] = byte(i*31+5), byte(i*17+200)
	}
	user, app := ADOLegacyPAT(r1, false), ADOLegacyPAT(r2, true)
	return []tp{
			{"user seed", user, ConfidenceChecksum},
			{"application seed", app, ConfidenceChecksum},
			{"public vector", "cfdgksmyyogbj6b6k7tvu6wfgotk453x" + "xadybrrs22g6qekcaw3y", ConfidenceChecksum},
		}, []fp{
			{"checksum mismatch", "r5re6wmuyil22fwl7yy7tukhtkr5dh3e" + "x6eaw6qmtbfdikdvjlvq"},
			{"english words", "advancedthreatprotectiononboard" + "ingdevicesettingstate"},
			{"inside longer run", "a" + user},
			{"upper case", strings.ToUpper(user)},
		}
}

func TestAzureDevOpsPATLegacy(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureDevOpsPATLegacy()
	checkDetector(t, AzureDevOpsPATLegacy(), tps, fps)
}
