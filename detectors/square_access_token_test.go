package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(SquareAccessToken, casesSquareAccessToken) }

func casesSquareAccessToken() ([]tp, []fp) {
	tok := "EAAA" + rnd(3110, b64url, 60)
	legacy := "sq0" + "atp-" + rnd(3111, b64url, 22)
	return []tp{
			{"access token", tok, ConfidencePattern},
			{"access token 2", "EAAA" + rnd(3112, b64url, 60), ConfidencePattern},
			{"legacy", legacy, ConfidencePattern},
		}, []fp{
			{"long EAA token", "EAAA" + rnd(3113, alnum, 150)},
			{"short", tok[:len(tok)-1]},
			{"lower-case prefix", "eaaa" + tok[4:]},
			{"legacy short", legacy[:len(legacy)-1]},
			{"placeholder", "EAAA" + strings.Repeat("x", 60)},
			{"PEM line", "-----BEGIN" + " PRIVATE KEY-----\n" + rnd(3114, b64std, 64) + "\n" + "EAAA" + rnd(3115, alnum, 60) + "\n"},
			{"base64 run", "EAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		}
}

func TestSquareAccessToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesSquareAccessToken()
	checkDetector(t, SquareAccessToken(), tps, fps)
}
