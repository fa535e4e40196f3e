package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(GitLabPATRoutable, casesGitLabPATRoutable) }

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
