package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(StripeRestrictedKey, casesStripeRestrictedKey) }

func casesStripeRestrictedKey() ([]tp, []fp) {
	tok := "rk_" + "live_" + rnd(460, alnum, 24)
	return []tp{
			{"24-char body", tok, ConfidencePattern},
			{"99-char body", "rk_" + "live_" + "51" + rnd(461, alnum, 97), ConfidencePattern},
			{"64-char body", "rk_" + "live_" + rnd(462, alnum, 64), ConfidencePattern},
		}, []fp{
			{"test mode", "rk_" + "test_" + rnd(463, alnum, 24)},
			{"secret key", "sk_" + "live_" + rnd(464, alnum, 24)},
			{"placeholder", "rk_" + "live_" + strings.Repeat("*", 24)},
			{"too short", tok[:len(tok)-1]},
			{"dummy", "rk_" + "live_" + "dummy" + rnd(465, alnum, 24)},
		}
}

func TestStripeRestrictedKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesStripeRestrictedKey()
	checkDetector(t, StripeRestrictedKey(), tps, fps)
}
