package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(SquareOAuthSecret, casesSquareOAuthSecret) }

func casesSquareOAuthSecret() ([]tp, []fp) {
	tok := "sq0" + "csp-" + rnd(3120, b64url, 43)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "sq0" + "csp-" + rnd(3121, b64url, 43), ConfidencePattern},
			{"random 3", "sq0" + "csp-" + rnd(3122, b64url, 43), ConfidencePattern},
		}, []fp{
			{"short", tok[:len(tok)-1]},
			{"long", tok + "a"},
			{"placeholder", "sq0" + "csp-" + strings.Repeat("x", 43)},
			{"template", "sq0" + "csp-<your-application-secret>"},
		}
}

func TestSquareOAuthSecret(t *testing.T) {
	t.Parallel()
	tps, fps := casesSquareOAuthSecret()
	checkDetector(t, SquareOAuthSecret(), tps, fps)
}
