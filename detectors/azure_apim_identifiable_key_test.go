package detectors

import "testing"

func init() { registerCases(AzureAPIMIdentifiableKey, casesAzureAPIMIdentifiableKey) }

func casesAzureAPIMIdentifiableKey() ([]tp, []fp) { return idKeyCases(azureAPIMIdentifiableKey, 254) }

func TestAzureAPIMIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureAPIMIdentifiableKey()
	checkDetector(t, AzureAPIMIdentifiableKey(), tps, fps)
}
