package detectors

import (
	"strings"
	"testing"
)

// atlassianToken builds a synthetic, checksum-valid API token with a body of n characters.
func atlassianToken(seed uint64, n int) string {
	head := "ATATT3xFfGF0" + rnd(seed, b64url, n-6) + "="
	return head + AtlassianChecksum([]byte(head))
}

func init() { registerCases(AtlassianAPIToken, casesAtlassianAPIToken) }

func casesAtlassianAPIToken() ([]tp, []fp) {
	tok := atlassianToken(2600, 177)
	return []tp{
			{"current length", tok, ConfidenceChecksum},
			{"random 2", atlassianToken(2601, 177), ConfidenceChecksum},
			{"shorter body", atlassianToken(2602, 120), ConfidenceChecksum},
		}, []fp{
			{"bad checksum", flipLast(tok)},
			{"lower-case checksum", tok[:len(tok)-8] + strings.ToLower(tok[len(tok)-8:])},
			{"truncated", tok[:len(tok)-1]},
			{"placeholder", "ATATT3xFfGF0..."},
			{"no checksum", "ATATT3xFfGF0" + rnd(2603, b64url, 171)},
			{"other header", "ATATT3" + atlassianToken(2604, 177)[12:]},
			{"inside a word", "X" + tok},
		}
}

func TestAtlassianAPIToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesAtlassianAPIToken()
	checkDetector(t, AtlassianAPIToken(), tps, fps)
}
