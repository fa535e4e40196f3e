package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(HashiCorpVaultToken, casesHashiCorpVaultToken) }

func casesHashiCorpVaultToken() ([]tp, []fp) {
	tok := "hvs." + "CAESI" + rnd(540, b64url, 90)
	return []tp{
			{"service token", tok, ConfidencePattern},
			{"service token, namespace", "hvs." + rnd(541, b64url, 118), ConfidencePattern},
			{"batch token", "hvb." + "AAAAAQ" + rnd(542, b64url, 180), ConfidencePattern},
		}, []fp{
			{"placeholder", "hvs." + strings.Repeat("x", 96)},
			{"too short", "hvs." + rnd(543, b64url, 60)},
			{"batch too short", "hvb." + rnd(544, b64url, 100)},
			{"old style", "s." + rnd(545, alnum, 24)},
			{"inside a name", "a.hvs." + rnd(546, b64url, 95)},
		}
}

func TestHashiCorpVaultToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesHashiCorpVaultToken()
	checkDetector(t, HashiCorpVaultToken(), tps, fps)
}
