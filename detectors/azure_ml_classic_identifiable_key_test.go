package detectors

import "testing"

func init() { registerCases(AzureMLClassicIdentifiableKey, casesAzureMLClassicIdentifiableKey) }

func casesAzureMLClassicIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureMLClassicIdentifiableKey, 759)
}

func TestAzureMLClassicIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureMLClassicIdentifiableKey()
	checkDetector(t, AzureMLClassicIdentifiableKey(), tps, fps)
}
