package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(AzureEntraClientSecret, casesAzureEntraClientSecret) }

func casesAzureEntraClientSecret() ([]tp, []fp) {
	good := EntraClientSecret(rnd(31, entraSecretAlphabet, 34))
	good2 := EntraClientSecret(rnd(32, alnum, 34))
	legacy := rnd(33, alnum, 3) + "7Q~" + rnd(34, entraSecretAlphabet, 31)
	return []tp{
			{"checksum", good, ConfidenceChecksum},
			{"checksum alnum", good2, ConfidenceChecksum},
			{"7Q~ without checksum", legacy, ConfidencePattern},
			{"checksum mismatch still reported", flipLast(good), ConfidencePattern},
		}, []fp{
			{"placeholder", EntraClientSecret(strings.Repeat("x", 34))},
			{"Microsoft's sample", "xxx8Q~dead.dead.DEAD-DEAD" + "-dead~deadxxxxx"},
			{"wrong signature", good[:3] + "9Q~" + good[6:]},
			{"too long", good + "a"},
			{"7Q~ too long", legacy + "ab"},
			{"low entropy 7Q~", "abc7Q~" + strings.Repeat("ab", 15) + "a"},
		}
}

func TestAzureEntraClientSecret(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureEntraClientSecret()
	checkDetector(t, AzureEntraClientSecret(), tps, fps)
}
