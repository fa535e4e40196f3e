package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(CloudflareGlobalAPIKey, casesCloudflareGlobalAPIKey) }

func casesCloudflareGlobalAPIKey() ([]tp, []fp) {
	tok := cloudflareToken(3020, "cfk"+"_")
	return []tp{
			{"checksum", tok, ConfidenceChecksum},
			{"checksum 2", cloudflareToken(3021, "cfk"+"_"), ConfidenceChecksum},
			{"other checksum", flipLast(cloudflareToken(3022, "cfk"+"_")), ConfidencePattern},
		}, []fp{
			{"user token prefix", cloudflareToken(3023, "cfut"+"_")},
			{"placeholder", "cfk" + "_" + strings.Repeat("x", 48)},
			{"short", tok[:len(tok)-1]},
			{"suffixed", tok + "-v2"},
			{"upper-case hex", "cfk" + "_" + rnd(3024, b64url, 40) + "ABCDEF12"},
		}
}

func TestCloudflareGlobalAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesCloudflareGlobalAPIKey()
	checkDetector(t, CloudflareGlobalAPIKey(), tps, fps)
}
