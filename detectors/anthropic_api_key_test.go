package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(AnthropicAPIKey, casesAnthropicAPIKey) }

func casesAnthropicAPIKey() ([]tp, []fp) {
	tok := "sk-" + "ant-api03-" + rnd(510, b64url, 93) + "AA"
	return []tp{
			{"api key 1", tok, ConfidencePattern},
			{"api key 2", "sk-" + "ant-api03-" + rnd(511, b64url, 93) + "AA", ConfidencePattern},
			{"admin key", "sk-" + "ant-admin01-" + rnd(512, b64url, 93) + "AA", ConfidencePattern},
		}, []fp{
			{"wrong suffix", tok[:len(tok)-2] + "BB"},
			{"too short", "sk-" + "ant-api03-" + rnd(513, b64url, 60) + "AA"},
			{"placeholder", "sk-" + "ant-api03-" + strings.Repeat("x", 93) + "AA"},
			{"unknown version", "sk-" + "ant-api02-" + rnd(514, b64url, 93) + "AA"},
			{"template", "sk-" + "ant-api03-<your-key>"},
		}
}

func TestAnthropicAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAnthropicAPIKey()
	checkDetector(t, AnthropicAPIKey(), tps, fps)
}
