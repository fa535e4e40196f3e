package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(ShopifyAccessToken, casesShopifyAccessToken) }

func casesShopifyAccessToken() ([]tp, []fp) {
	tok := "shpat_" + rnd(560, hexLo, 32)
	return []tp{
			{"app access token", tok, ConfidencePattern},
			{"custom app", "shpca_" + rnd(561, hexLo, 32), ConfidencePattern},
			{"private app", "shppa_" + rnd(562, hexLo, 32), ConfidencePattern},
		}, []fp{
			{"placeholder", "shpat_" + strings.Repeat("x", 32)},
			{"zeros", "shpat_" + strings.Repeat("0", 32)},
			{"not hex", "shpat_" + rnd(563, "ghijklmnopqrstuvwxyz", 32)},
			{"too short", tok[:len(tok)-1]},
			{"shared secret", "shpss_" + rnd(564, hexLo, 32)},
		}
}

func TestShopifyAccessToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesShopifyAccessToken()
	checkDetector(t, ShopifyAccessToken(), tps, fps)
}
