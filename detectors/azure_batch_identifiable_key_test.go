package detectors

import "testing"

func init() { registerCases(AzureBatchIdentifiableKey, casesAzureBatchIdentifiableKey) }

func casesAzureBatchIdentifiableKey() ([]tp, []fp) { return idKeyCases(azureBatchIdentifiableKey, 447) }

func TestAzureBatchIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureBatchIdentifiableKey()
	checkDetector(t, AzureBatchIdentifiableKey(), tps, fps)
}
