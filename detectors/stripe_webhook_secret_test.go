package detectors

import (
	"strings"
	"testing"
)

func init() { registerCases(StripeWebhookSecret, casesStripeWebhookSecret) }

func casesStripeWebhookSecret() ([]tp, []fp) {
	tok := "whsec" + "_" + rnd(3330, alnum, 32)
	return []tp{
			{"dashboard", tok, ConfidencePattern},
			{"CLI", "whsec" + "_" + rnd(3331, hexLo, 64), ConfidencePattern},
			{"Svix", "whsec" + "_" + rnd(3332, b64std, 43) + "=", ConfidencePattern},
		}, []fp{
			{"short", tok[:len(tok)-1]},
			{"placeholder", "whsec" + "_" + strings.Repeat("x", 32)},
			{"template", "whsec" + "_...your-signing-secret..."},
			{"too long", "whsec" + "_" + rnd(3333, alnum, 89)},
			{"identifier", "whsec" + "_is_the_prefix_of_every_webhook_secret"},
		}
}

func TestStripeWebhookSecret(t *testing.T) {
	t.Parallel()
	tps, fps := casesStripeWebhookSecret()
	checkDetector(t, StripeWebhookSecret(), tps, fps)
}
