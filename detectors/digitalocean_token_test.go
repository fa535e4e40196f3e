package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(DigitalOceanToken, casesDigitalOceanToken) }

func casesDigitalOceanToken() ([]tp, []fp) {
	tok := "dop_" + "v1_" + rnd(530, hexLo, 64)
	return []tp{
			{"personal access token", tok, ConfidencePattern},
			{"OAuth access token", "doo_" + "v1_" + rnd(531, hexLo, 64), ConfidencePattern},
			{"OAuth refresh token", "dor_" + "v1_" + rnd(532, hexLo, 64), ConfidencePattern},
		}, []fp{
			{"placeholder", "dop_" + "v1_" + strings.Repeat("x", 64)},
			{"upper-case hex", "dop_" + "v1_" + strings.ToUpper(rnd(533, hexLo, 64))},
			{"too short", tok[:len(tok)-1]},
			{"other version", "dop_" + "v2_" + rnd(534, hexLo, 64)},
			{"zeros", "dop_" + "v1_" + strings.Repeat("0", 64)},
		}
}

func TestDigitalOceanToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesDigitalOceanToken()
	checkDetector(t, DigitalOceanToken(), tps, fps)
}
