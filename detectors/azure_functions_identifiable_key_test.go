package detectors

import "testing"

func init() { registerCases(AzureFunctionsIdentifiableKey, casesAzureFunctionsIdentifiableKey) }

func casesAzureFunctionsIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureFunctionsIdentifiableKey, 856)
}

func TestAzureFunctionsIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureFunctionsIdentifiableKey()
	checkDetector(t, AzureFunctionsIdentifiableKey(), tps, fps)
}
