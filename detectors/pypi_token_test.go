package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(PyPIToken, casesPyPIToken) }

func casesPyPIToken() ([]tp, []fp) {
	const pypi, testPyPI = "AgEIcHlwaS5vcmc", "AgENdGVzdC5weXBpLm9yZw"
	tok := "pypi-" + pypi + rnd(220, b64url, 160)
	return []tp{
			{"pypi.org", tok, ConfidencePattern},
			{"pypi.org long", "pypi-" + pypi + rnd(221, b64url, 400), ConfidencePattern},
			{"test.pypi.org", "pypi-" + testPyPI + rnd(222, b64url, 150), ConfidencePattern},
		}, []fp{
			{"placeholder", "pypi-" + pypi + strings.Repeat("x", 80)},
			{"too short", "pypi-" + pypi + rnd(223, b64url, 30)},
			{"template", "pypi-" + pypi + "<rest-of-your-token>"},
			{"other location", "pypi-" + "AgEIZXhhbXBsZS5vcmc" + rnd(224, b64url, 160)},
			{"low entropy", "pypi-" + pypi + strings.Repeat("AgEI", 30)},
		}
}

func TestPyPIToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesPyPIToken()
	checkDetector(t, PyPIToken(), tps, fps)
}
