package detectors

import "testing"

func init() { registerCases(AWSAccessKeyID, casesAWSAccessKeyID) }

func casesAWSAccessKeyID() ([]tp, []fp) {
	tok := "AKIA" + rnd(230, b32up, 16)
	return []tp{
			{"long-term", tok, ConfidencePattern},
			{"temporary", "ASIA" + rnd(231, b32up, 16), ConfidencePattern},
			{"service bearer", "ABIA" + rnd(232, b32up, 16), ConfidencePattern},
			{"context-specific", "ACCA" + rnd(233, b32up, 16), ConfidencePattern},
		}, []fp{
			{"docs example", "AKIAIOSFODNN7" + "EXAMPLE"},
			{"placeholder", "AKIAXXXXXXXXXXXXXXXX"},
			{"lower case", "akia" + rnd(234, "abcdefghijklmnopqrstuvwxyz234567", 16)},
			{"digits outside base32", "AKIA" + rnd(235, "0189", 16)},
			{"too long", tok + "Q"},
			{"inside a word", "TODAYINASIAASACKOFRICEFELLOVER"},
		}
}

func TestAWSAccessKeyID(t *testing.T) {
	t.Parallel()
	tps, fps := casesAWSAccessKeyID()
	checkDetector(t, AWSAccessKeyID(), tps, fps)
}
