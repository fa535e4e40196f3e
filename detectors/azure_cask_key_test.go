package detectors

import (
	"strings"
	"testing"
)

// caskKey builds a checksum-valid CASK key with provider signature sig from 52 base62
// characters, following IdentifiableSecrets.GenerateCommonAnnotatedTestKey: ADOPAT's layout
// with another signature.
func caskKey(random52, sig string, long bool) string {
	k := ADOPAT(random52, 2025, 3)
	k = k[:76] + sig
	t, _, _ := caskChecksum([]byte(k))
	if long {
		return k + t + "=="
	}
	return k + t[:4]
}

func init() { registerCases(AzureCASKKey, casesAzureCASKKey) }

func casesAzureCASKKey() ([]tp, []fp) {
	good := caskKey(rnd(41, alnum, 52), "AZEG", false)
	return []tp{
			{"event grid", good, ConfidenceChecksum},
			{"ai services", caskKey(rnd(42, alnum, 52), "ACOG", false), ConfidenceChecksum},
			{"long form", caskKey(rnd(43, alnum, 52), "AZCS", true), ConfidenceChecksum},
		}, []fp{
			{"checksum mismatch", good[:80] + "ZZZZ"},
			{"azure devops pat", ADOPAT(rnd(44, alnum, 52), 2025, 3)},
			{"placeholder body", caskKey(strings.Repeat("x", 52), "AZEG", false)},
			{"month out of range", good[:59] + "M" + good[60:]},
			{"inside a longer run", "Q" + good + "Q"},
		}
}

func TestAzureCASKKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureCASKKey()
	checkDetector(t, AzureCASKKey(), tps, fps)
}
