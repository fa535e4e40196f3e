package detectors

import (
	"strings"
	"testing"
)

func casesGitLabPAT() ([]tp, []fp) {
	tok := "glpat-" + rnd(70, b64url, 20)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", "glpat-" + rnd(71, b64url, 20), ConfidencePattern},
			{"random 3", "glpat-" + rnd(72, alnum, 20), ConfidencePattern},
		}, []fp{
			{"placeholder", "glpat-XXXXXXXXXXX-XXXXXXXX"},
			{"template", "glpat-<your-token>"},
			{"too short", tok[:len(tok)-1]},
			{"too long", tok + "a"},
			{"routable token", GitLabRoutableToken("glpat-", rnd16(73), "o:1\nu:2", true)},
			{"deploy prefix", "gldt-" + tok[6:]},
		}
}

func TestGitLabPAT(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitLabPAT()
	checkDetector(t, GitLabPAT(), tps, fps)
}

func casesGitLabPATRoutable() ([]tp, []fp) {
	tok := GitLabRoutableToken("glpat-", rnd16(80), "c:1\no:1\nu:2", true)
	badSum := flipLast(tok)
	dot := strings.IndexByte(tok, '.')
	return []tp{
			{"versioned", tok, ConfidenceChecksum},
			{"unversioned", GitLabRoutableToken("glpat-", rnd16(81), "o:2s\nu:a1", false), ConfidenceChecksum},
			{"long payload", GitLabRoutableToken("glpat-", rnd16(82), "c:3\ng:1z\no:qq\np:5\nu:zzzz", true), ConfidenceChecksum},
			{"checksum mismatch, consistent shape", badSum, ConfidencePattern},
		}, []fp{
			{"mismatch and wrong length field", tok[:dot+4] + "zz" + tok[dot+6:len(tok)-1] + "0"},
			{"placeholder", "glpat-xxxxxxxx-xxxxxxxxxxxxxxxxxx.xxxxxxxxx"},
			{"upper-case checksum", tok[:len(tok)-7] + strings.ToUpper(tok[len(tok)-7:])},
			{"legacy token", "glpat-" + rnd(83, b64url, 20)},
			{"other prefix", "glpxt-" + tok[6:]},
		}
}

func TestGitLabPATRoutable(t *testing.T) {
	t.Parallel()
	tps, fps := casesGitLabPATRoutable()
	checkDetector(t, GitLabPATRoutable(), tps, fps)
}
