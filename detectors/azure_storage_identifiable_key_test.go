package detectors

import "testing"

func init() { registerCases(AzureStorageIdentifiableKey, casesAzureStorageIdentifiableKey) }

func casesAzureStorageIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureStorageIdentifiableKey, 752)
}

func TestAzureStorageIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureStorageIdentifiableKey()
	checkDetector(t, AzureStorageIdentifiableKey(), tps, fps)
}
