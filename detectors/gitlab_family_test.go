package detectors

import "strings"

// gitlabFamilyCases builds the shared true and false positives of a gitlabFamily detector:
// two legacy tokens from legacy, one checksum-valid routable token, and the usual misses.
func gitlabFamilyCases(prefix string, seed uint64, legacy func(seed uint64) string) ([]tp, []fp) {
	tok := prefix + legacy(seed)
	return []tp{
			{"legacy 1", tok, ConfidencePattern},
			{"legacy 2", prefix + legacy(seed+1), ConfidencePattern},
			{"routable", GitLabRoutableToken(prefix, rnd16(seed+2), "o:1\nu:2", true), ConfidenceChecksum},
		}, []fp{
			{"placeholder", prefix + strings.Repeat("x", len(tok)-len(prefix))},
			{"template", prefix + "<your-token>"},
			{"too short", tok[:len(tok)-1]},
			{"too long", tok + "a"},
			{"other prefix", "glzz-" + tok[len(prefix):]},
		}
}
