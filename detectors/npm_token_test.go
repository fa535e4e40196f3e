package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(NPMToken, casesNPMToken) }

func casesNPMToken() ([]tp, []fp) {
	tok := ghToken(150, "npm_")
	return []tp{
			{"random 1", tok, ConfidenceChecksum},
			{"random 2", ghToken(151, "npm_"), ConfidenceChecksum},
			{"random 3", ghToken(152, "npm_"), ConfidenceChecksum},
		}, []fp{
			{"checksum mismatch", flipLast(tok)},
			{"placeholder", "npm_" + strings.Repeat("x", 36)},
			{"env var name", "npm_config_registry=https://registry.npmjs.org/"},
			{"too short", tok[:39]},
			{"github prefix", "ghp_" + tok[4:]},
		}
}

func TestNPMToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesNPMToken()
	checkDetector(t, NPMToken(), tps, fps)
}
