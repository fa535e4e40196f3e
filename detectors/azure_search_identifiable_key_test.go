package detectors

import "testing"

func init() { registerCases(AzureSearchIdentifiableKey, casesAzureSearchIdentifiableKey) }

func casesAzureSearchIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureSearchIdentifiableKey, 372)
}

func TestAzureSearchIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureSearchIdentifiableKey()
	checkDetector(t, AzureSearchIdentifiableKey(), tps, fps)
}
