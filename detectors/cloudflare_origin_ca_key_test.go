package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(CloudflareOriginCAKey, casesCloudflareOriginCAKey) }

// originCAKey builds a synthetic Origin CA key: v1.0-<24 hex>-<146 hex>.
func originCAKey(seed uint64) string {
	return "v1.0-" + rnd(seed, hexLo, 24) + "-" + rnd(seed+1, hexLo, 146)
}

func casesCloudflareOriginCAKey() ([]tp, []fp) {
	tok := originCAKey(3040)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", originCAKey(3042), ConfidencePattern},
			{"random 3", originCAKey(3044), ConfidencePattern},
		}, []fp{
			{"version string", "release v1.0-beta.2"},
			{"short", tok[:len(tok)-1]},
			{"upper-case", "v1.0-" + strings.ToUpper(tok[5:])},
			{"placeholder", "v1.0-" + strings.Repeat("0", 24) + "-" + strings.Repeat("0", 146)},
			{"suffixed", tok + "a"},
		}
}

func TestCloudflareOriginCAKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesCloudflareOriginCAKey()
	checkDetector(t, CloudflareOriginCAKey(), tps, fps)
}
