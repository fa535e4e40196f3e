package detectors

import "testing"

func init() {
	registerCases(AzureContainerRegistryIdentifiableKey, casesAzureContainerRegistryIdentifiableKey)
}

func casesAzureContainerRegistryIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureContainerRegistryIdentifiableKey, 639)
}

func TestAzureContainerRegistryIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureContainerRegistryIdentifiableKey()
	checkDetector(t, AzureContainerRegistryIdentifiableKey(), tps, fps)
}
