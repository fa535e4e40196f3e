package detectors

import (
	"encoding/base64"
	"testing"
)

// jfrogReference builds a synthetic reference token from its decoded parts.
func jfrogReference(expiry, tail string) string {
	return base64.StdEncoding.EncodeToString([]byte("reftkn" + ":01:" + expiry + ":" + tail))
}

func init() { registerCases(JFrogReferenceToken, casesJFrogReferenceToken) }

func casesJFrogReferenceToken() ([]tp, []fp) {
	tok := jfrogReference("1767225600", rnd(3220, alnum, 27))
	return []tp{
			{"with expiry", tok, ConfidencePattern},
			{"no expiry", jfrogReference("0000000000", rnd(3221, alnum, 27)), ConfidencePattern},
			{"other expiry", jfrogReference("1893456000", rnd(3222, alnum, 27)), ConfidencePattern},
		}, []fp{
			{"wrong version", base64.StdEncoding.EncodeToString([]byte("reftkn" + ":02:1767225600:" + rnd(3223, alnum, 27)))},
			{"letters in expiry", jfrogReference("17672256x0", rnd(3224, alnum, 27))},
			{"symbol in tail", jfrogReference("1767225600", rnd(3225, alnum, 26)+"/")},
			{"longer base64", tok + "QUJD"},
			{"short", tok[:len(tok)-4]},
			{"other text", base64.StdEncoding.EncodeToString([]byte("reftkn" + " is what the docs call it, see the page"))},
		}
}

func TestJFrogReferenceToken(t *testing.T) {
	t.Parallel()
	tps, fps := casesJFrogReferenceToken()
	checkDetector(t, JFrogReferenceToken(), tps, fps)
}
