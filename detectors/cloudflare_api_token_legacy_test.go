package detectors

import (
	"strings"
	"testing"
)

// cloudflareLegacyLeads are the names placed before the true positives of
// cloudflare-api-token-legacy, which needs one beside its token.
var cloudflareLegacyLeads = []string{
	"CLOUDFLARE_API_TOKEN=",
	`"cf_api_token": "`,
	"wrangler --cloudflare-token ",
	"$env:CfApiToken = '",
	"cloudflare:\n  api_token: ",
}

func init() {
	registerCases(CloudflareAPITokenLegacy, casesCloudflareAPITokenLegacy, cloudflareLegacyLeads...)
}

func casesCloudflareAPITokenLegacy() ([]tp, []fp) {
	tok := rnd(3010, b64url, 40)
	return []tp{
			{"env", tok, ConfidencePattern},
			{"JSON", rnd(3011, b64url, 40), ConfidencePattern},
			{"command line", rnd(3012, b64url, 40), ConfidencePattern},
			{"PowerShell", rnd(3013, b64url, 40), ConfidencePattern},
			{"nested YAML", rnd(3016, b64url, 40), ConfidencePattern},
		}, []fp{
			{"no name", "TOKEN=" + tok},
			{"nested under another name", "cloudflare:\n  zone: " + tok},
			{"commit id", "uses: cloudflare/wrangler-action@" + rnd(3014, hexLo, 40)},
			{"go.sum hash", "github.com/cloudflare/circl v1.3.7 h1:x/" + tok + "+ab="},
			{"41 characters", "CF_API_TOKEN=" + tok + "Q"},
			{"template", "CF_API_TOKEN=<your-cloudflare-api-token-goes-here>"},
			{"identifier", "cloudflare_api_token = cloudflare_api_token_from_environment"},
			{"scannable format", "CF_API_TOKEN=" + cloudflareToken(3015, "cfut"+"_")},
			{"placeholder", "CF_API_TOKEN=" + strings.Repeat("aB3", 13) + "a"},
		}
}

func TestCloudflareAPITokenLegacy(t *testing.T) {
	t.Parallel()
	tps, fps := casesCloudflareAPITokenLegacy()
	checkDetector(t, CloudflareAPITokenLegacy(), tps, fps, cloudflareLegacyLeads...)
}
