package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(DropboxAccessToken, casesDropboxAccessToken) }

func casesDropboxAccessToken() ([]tp, []fp) {
	tok := "sl." + rnd(3130, b64url, 138)
	return []tp{
			{"138 characters", tok, ConfidencePattern},
			{"user kind", "sl." + "u." + rnd(3131, b64url, 1200), ConfidencePattern},
			{"130 characters", "sl." + rnd(3132, b64url, 130), ConfidencePattern},
		}, []fp{
			{"too short", "sl." + rnd(3133, b64url, 129)},
			{"ssl module", "ctx = ssl.create_default_context()"},
			{"dotted path", "x.sl." + rnd(3134, b64url, 138)},
			{"low entropy", "sl." + strings.Repeat("abcdefgh", 20)},
			{"hex", "sl." + rnd(3135, hexLo, 140)},
		}
}

func TestDropboxAccessToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesDropboxAccessToken()
	checkDetector(t, DropboxAccessToken(), tps, fps)
}
