package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(StripeSecretKey, casesStripeSecretKey) }

func casesStripeSecretKey() ([]tp, []fp) {
	tok := "sk_" + "live_" + rnd(450, alnum, 24)
	return []tp{
			{"24-char body", tok, ConfidencePattern},
			{"99-char body", "sk_" + "live_" + "51" + rnd(451, alnum, 97), ConfidencePattern},
			{"247-char body", "sk_" + "live_" + rnd(452, alnum, 247), ConfidencePattern},
		}, []fp{
			{"test mode", "sk_" + "test_" + rnd(453, alnum, 24)},
			{"publishable", "pk_" + "live_" + rnd(454, alnum, 24)},
			{"placeholder", "sk_" + "live_" + strings.Repeat("x", 24)},
			{"too short", tok[:len(tok)-1]},
			{"template", "sk_" + "live_<your-secret-key>"},
		}
}

func TestStripeSecretKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesStripeSecretKey()
	checkDetector(t, StripeSecretKey(), tps, fps)
}
