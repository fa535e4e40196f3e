package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(HuggingFaceToken, casesHuggingFaceToken) }

func casesHuggingFaceToken() ([]tp, []fp) {
	tok := "hf_" + rnd(520, letters, 34)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "hf_" + rnd(521, letters, 34), ConfidencePattern},
			{"random 3", "hf_" + rnd(522, letters, 34), ConfidencePattern},
		}, []fp{
			{"placeholder", "hf_" + strings.Repeat("x", 34)},
			{"camel-case identifier", "hf_generatedByHomeAppForDebuggingP"},
			{"lower-case identifier", "hf_servingcellpriorityparametersde"},
			{"too long", tok + "a"},
			{"digits", "hf_" + rnd(523, alnum, 34)},
		}
}

func TestHuggingFaceToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesHuggingFaceToken()
	checkDetector(t, HuggingFaceToken(), tps, fps)
}
