package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(GoogleAPIKey, casesGoogleAPIKey) }

func casesGoogleAPIKey() ([]tp, []fp) {
	tok := "AIza" + rnd(440, b64url, 35)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "AIza" + "Sy" + rnd(441, b64url, 33), ConfidencePattern},
			{"random 3", "AIza" + rnd(442, alnum, 35), ConfidencePattern},
		}, []fp{
			{"low entropy", "AIza" + strings.Repeat("a", 35)},
			{"upper case", strings.ToUpper(tok)},
			{"too short", tok[:38]},
			{"too long", tok + "Q"},
			{"placeholder", "AIza" + "Sy" + "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
		}
}

func TestGoogleAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesGoogleAPIKey()
	checkDetector(t, GoogleAPIKey(), tps, fps)
}
