package detectors

import (
	"strings"
	"testing"
)

// openAIMarker is base64 of "OpenAI", the marker in the middle of every OpenAI key.
const openAIMarker = "T3Blbk" + "FJ"

func init() { registerCases(OpenAIAPIKey, casesOpenAIAPIKey) }

func casesOpenAIAPIKey() ([]tp, []fp) {
	proj := "sk-" + "proj-" + rnd(490, b64url, 74) + openAIMarker + rnd(491, b64url, 74)
	return []tp{
			{"project", proj, ConfidencePattern},
			{"service account", "sk-" + "svcacct-" + rnd(492, b64url, 74) + openAIMarker + rnd(493, b64url, 74), ConfidencePattern},
			{"admin", "sk-" + "admin-" + rnd(494, b64url, 58) + openAIMarker + rnd(495, b64url, 58), ConfidencePattern},
			{"legacy", "sk-" + rnd(496, alnum, 20) + openAIMarker + rnd(497, alnum, 20), ConfidencePattern},
		}, []fp{
			{"no marker", "sk-" + "proj-" + rnd(498, b64url, 156)},
			{"placeholder", "sk-" + "proj-" + strings.Repeat("x", 74) + openAIMarker + strings.Repeat("x", 74)},
			{"legacy too short", "sk-" + rnd(499, alnum, 19) + openAIMarker + rnd(500, alnum, 20)},
			{"marker alone", "the marker " + openAIMarker + " means OpenAI"},
			{"unknown kind", "sk-" + "user-" + rnd(501, b64url, 74) + openAIMarker + rnd(502, b64url, 74)},
		}
}

func TestOpenAIAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesOpenAIAPIKey()
	checkDetector(t, OpenAIAPIKey(), tps, fps)
}
