package detectors

import (
	"strings"
	"testing"
)

// cloudflareToken builds a synthetic scannable Cloudflare credential: prefix + 40 random
// characters + their CRC32 in hex.
func cloudflareToken(seed uint64, prefix string) string {
	body := rnd(seed, b64url, 40)
	return prefix + body + CloudflareChecksum([]byte(body))
}

func init() { registerCases(CloudflareAPIToken, casesCloudflareAPIToken) }

func casesCloudflareAPIToken() ([]tp, []fp) {
	tok := cloudflareToken(3000, "cfut"+"_")
	return []tp{
			{"user token", tok, ConfidenceChecksum},
			{"account token", cloudflareToken(3001, "cfat"+"_"), ConfidenceChecksum},
			{"user token 2", cloudflareToken(3002, "cfut"+"_"), ConfidenceChecksum},
		}, []fp{
			{"bad checksum", "token: " + flipLast(tok)},
			{"global key prefix", "key: " + cloudflareToken(3003, "cfk"+"_")},
			{"placeholder", "cfut" + "_" + strings.Repeat("x", 40) + CloudflareChecksum([]byte(strings.Repeat("x", 40)))},
			{"short", "cfut" + "_" + tok[6:]},
			{"suffixed", tok + "0"},
		}
}

func TestCloudflareAPIToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesCloudflareAPIToken()
	checkDetector(t, CloudflareAPIToken(), tps, fps)
}
