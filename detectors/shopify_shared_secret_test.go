package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(ShopifySharedSecret, casesShopifySharedSecret) }

func casesShopifySharedSecret() ([]tp, []fp) {
	tok := "shpss_" + rnd(2500, hexLo, 32)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "shpss_" + rnd(2501, hexLo, 32), ConfidencePattern},
			{"upper-case hex", "shpss_" + strings.ToUpper(rnd(2502, hexLo, 32)), ConfidencePattern},
		}, []fp{
			{"placeholder", "shpss_" + strings.Repeat("x", 32)},
			{"zeros", "shpss_" + strings.Repeat("0", 32)},
			{"not hex", "shpss_" + rnd(2503, "ghijklmnopqrstuvwxyz", 32)},
			{"too short", tok[:len(tok)-1]},
			{"too long", tok + "a"},
			{"access token", "shpat_" + rnd(2504, hexLo, 32)},
		}
}

func TestShopifySharedSecret(t *testing.T) {
	t.Parallel()
	tps, fps := casesShopifySharedSecret()
	checkDetector(t, ShopifySharedSecret(), tps, fps)
}
