package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(RubyGemsAPIKey, casesRubyGemsAPIKey) }

func casesRubyGemsAPIKey() ([]tp, []fp) {
	tok := "rubygems_" + rnd(2980, hexLo, 48)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "rubygems_" + rnd(2981, hexLo, 48), ConfidencePattern},
			{"random 3", "rubygems_" + rnd(2982, hexLo, 48), ConfidencePattern},
		}, []fp{
			{"placeholder", "rubygems_" + strings.Repeat("x", 48)},
			{"zeros", "rubygems_" + strings.Repeat("0", 48)},
			{"too short", tok[:len(tok)-1]},
			{"too long", tok + "a"},
			{"upper-case hex", "rubygems_" + strings.ToUpper(rnd(2983, hexLo, 48))},
			{"identifier", "rubygems_api_key = ENV.fetch('GEM_HOST_API_KEY')"},
		}
}

func TestRubyGemsAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesRubyGemsAPIKey()
	checkDetector(t, RubyGemsAPIKey(), tps, fps)
}
