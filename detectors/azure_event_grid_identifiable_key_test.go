package detectors

import "testing"

func init() { registerCases(AzureEventGridIdentifiableKey, casesAzureEventGridIdentifiableKey) }

func casesAzureEventGridIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureEventGridIdentifiableKey, 877)
}

func TestAzureEventGridIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureEventGridIdentifiableKey()
	checkDetector(t, AzureEventGridIdentifiableKey(), tps, fps)
}
