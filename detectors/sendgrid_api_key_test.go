package detectors

import (
	"strings"
	"testing"
)

// sendgridKey builds a synthetic SendGrid key: SG.<22>.<43>.
func sendgridKey(seed uint64) string {
	return "SG." + rnd(seed, b64url, 22) + "." + rnd(seed+1, b64url, 43)
}

func init() { registerCases(SendGridAPIKey, casesSendGridAPIKey) }

func casesSendGridAPIKey() ([]tp, []fp) {
	tok := sendgridKey(470)
	return []tp{
			{"random 1", tok, ConfidencePattern},
			{"random 2", sendgridKey(472), ConfidencePattern},
			{"random 3", sendgridKey(474), ConfidencePattern},
		}, []fp{
			{"message field", "msg.setTimeout(fn, 1000)"},
			{"placeholder", "SG." + strings.Repeat("x", 22) + "." + strings.Repeat("x", 43)},
			{"short secret", tok[:len(tok)-1]},
			{"lower-case prefix", "sg" + tok[2:]},
			{"extra segment", tok + ".abc"},
		}
}

func TestSendGridAPIKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesSendGridAPIKey()
	checkDetector(t, SendGridAPIKey(), tps, fps)
}
