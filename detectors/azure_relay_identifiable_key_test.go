package detectors

import "testing"

func init() { registerCases(AzureRelayIdentifiableKey, casesAzureRelayIdentifiableKey) }

func casesAzureRelayIdentifiableKey() ([]tp, []fp) { return idKeyCases(azureRelayIdentifiableKey, 939) }

func TestAzureRelayIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureRelayIdentifiableKey()
	checkDetector(t, AzureRelayIdentifiableKey(), tps, fps)
}
