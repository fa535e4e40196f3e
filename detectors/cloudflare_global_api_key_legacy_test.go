package detectors

import (
	"strings"
	"testing"
)

// cloudflareKeyLeads are the names placed before the true positives of
// cloudflare-global-api-key-legacy, which needs one beside its key.
var cloudflareKeyLeads = []string{
	"CLOUDFLARE_API_KEY=",
	`-H "X-Auth-Key: `,
	"cf_api_key: ",
	`<add key="CloudflareKey" value="`,
	"\"cloudflare\": {\n  \"email\": \"ops@example.invalid\",\n  \"api_key\": \"",
}

func init() {
	registerCases(CloudflareGlobalAPIKeyLegacy, casesCloudflareGlobalAPIKeyLegacy, cloudflareKeyLeads...)
}

func casesCloudflareGlobalAPIKeyLegacy() ([]tp, []fp) {
	key := rnd(3030, hexLo, 37)
	return []tp{
			{"env", key, ConfidencePattern},
			{"curl header", rnd(3031, hexLo, 37), ConfidencePattern},
			{"YAML", rnd(3032, hexLo, 37), ConfidencePattern},
			{"XML", rnd(3033, hexLo, 37), ConfidencePattern},
			{"pretty JSON", rnd(3037, hexLo, 37), ConfidencePattern},
		}, []fp{
			{"no name", "KEY=" + key},
			{"commit id", "cloudflare/cloudflare-go@" + rnd(3034, hexLo, 40)},
			{"md5", "cloudflare md5 " + rnd(3035, hexLo, 32)},
			{"upper-case hex", "X-Auth-Key: " + strings.ToUpper(key)},
			{"digits only", "X-Auth-Key: " + rnd(3036, digits, 37)},
			{"name on another line", "X-Auth-Key:\n" + key},
		}
}

func TestCloudflareGlobalAPIKeyLegacy(t *testing.T) {
	t.Parallel()
	tps, fps := casesCloudflareGlobalAPIKeyLegacy()
	checkDetector(t, CloudflareGlobalAPIKeyLegacy(), tps, fps, cloudflareKeyLeads...)
}
