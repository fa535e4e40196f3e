package detectors

import "testing"

func casesAzureFunctionsIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureFunctionsIdentifiableKey, 856)
}

func TestAzureFunctionsIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureFunctionsIdentifiableKey()
	checkDetector(t, AzureFunctionsIdentifiableKey(), tps, fps)
}
