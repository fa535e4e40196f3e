package detectors

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// sentryOrgToken builds a synthetic organization token around the JSON payload.
func sentryOrgToken(seed uint64, payload string) string {
	return "sntrys_" + base64.StdEncoding.EncodeToString([]byte(payload)) + "_" + rnd(seed, alnum, 43)
}

// sentryPayload is an organization token's JSON for org, issued at a synthetic time.
func sentryPayload(seed uint64, org string) string {
	return fmt.Sprintf(`{"iat":17%s.%s,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"%s"}`,
		rnd(seed, digits, 8), rnd(seed+1, digits, 6), org)
}

func init() { registerCases(SentryAuthToken, casesSentryAuthToken) }

func casesSentryAuthToken() ([]tp, []fp) {
	tok := sentryOrgToken(2900, sentryPayload(2901, "acme"))
	return []tp{
			{"org token", tok, ConfidencePattern},
			{"org token, long org", sentryOrgToken(2902, sentryPayload(2903, "platform-team-"+rnd(2904, lowerN, 20))), ConfidencePattern},
			{"user token", "sntryu_" + rnd(2905, hexLo, 64), ConfidencePattern},
		}, []fp{
			{"no org", sentryOrgToken(2906, `{"iat":1700000000.1,"url":"https://sentry.io"}`)},
			{"not JSON", "sntrys_eyJ" + rnd(2907, alnum, 60) + "_" + rnd(2908, alnum, 43)},
			{"no url", sentryOrgToken(2909, `{"iat":1700000000.1,"org":"acme"}`)},
			{"placeholder", "SENTRY_AUTH_TOKEN=sntrys_..."},
			{"user token too short", "sntryu_" + rnd(2910, hexLo, 63)},
			{"user token placeholder", "sntryu_" + strings.Repeat("0", 64)},
			{"short secret", tok[:len(tok)-1]},
		}
}

func TestSentryAuthToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesSentryAuthToken()
	checkDetector(t, SentryAuthToken(), tps, fps)
}
