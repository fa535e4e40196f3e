package detectors

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
)

// statelessGHS builds a synthetic stateless installation token: ghs_<app id>_<JWT>, with a
// JSON header and payload and a random 342-character signature (an RS256 signature's size).
func statelessGHS(seed uint64, appID int) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	payload := enc.EncodeToString([]byte(`{"iss":"` + strconv.Itoa(appID) + `","iid":"` + rnd(seed, digits, 9) +
		`","exp":1790000000,"jti":"` + rnd(seed+1, alnum, 24) + `"}`))
	return "ghs_" + strconv.Itoa(appID) + "_" + header + "." + payload + "." + rnd(seed+2, b64url, 342)
}

func init() { registerCases(GitHubAppInstallationStateless, casesGitHubAppInstallationStateless) }

func casesGitHubAppInstallationStateless() ([]tp, []fp) {
	tok := statelessGHS(60, 123456)
	notJSON := base64.RawURLEncoding.EncodeToString([]byte("not a json header at all"))
	i := strings.IndexByte(tok[4:], '_') + 5
	return []tp{
			{"app 123456", tok, ConfidencePattern},
			{"app 9", statelessGHS(61, 9), ConfidencePattern},
			{"app 2000000000", statelessGHS(62, 2000000000), ConfidencePattern},
		}, []fp{
			{"header not JSON", tok[:i] + notJSON + tok[strings.IndexByte(tok, '.'):]},
			{"two segments", tok[:strings.LastIndexByte(tok, '.')]},
			{"no app id", "ghs_" + tok[i:]},
			{"template", "ghs_<app-id>_<jwt>"},
			{"placeholder signature", tok[:strings.LastIndexByte(tok, '.')+1] + strings.Repeat("x", 40)},
		}
}

func TestGitHubAppInstallationStateless(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitHubAppInstallationStateless()
	checkDetector(t, GitHubAppInstallationStateless(), tps, fps)
}
