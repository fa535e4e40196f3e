package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(DopplerToken, casesDopplerToken) }

func casesDopplerToken() ([]tp, []fp) {
	tok := "dp.pt." + rnd(610, alnum, 43)
	return []tp{
			{"personal", tok, ConfidencePattern},
			{"service with config", "dp.st." + "prd." + rnd(611, alnum, 43), ConfidencePattern},
			{"service", "dp.st." + rnd(612, alnum, 43), ConfidencePattern},
			{"service account", "dp.sa." + rnd(613, alnum, 43), ConfidencePattern},
			{"CLI", "dp.ct." + rnd(614, alnum, 43), ConfidencePattern},
			{"SCIM", "dp.scim." + rnd(615, alnum, 43), ConfidencePattern},
		}, []fp{
			{"placeholder", "dp.pt." + strings.Repeat("x", 43)},
			{"too short", "dp.pt." + rnd(616, alnum, 20)},
			{"unknown kind", "dp.zz." + rnd(617, alnum, 43)},
			{"too long", tok + rnd(618, alnum, 10)},
			{"template", "dp.st.<your-service-token>"},
		}
}

func TestDopplerToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesDopplerToken()
	checkDetector(t, DopplerToken(), tps, fps)
}
