package detectors

import "testing"

func init() { registerCases(AzureCosmosDBIdentifiableKey, casesAzureCosmosDBIdentifiableKey) }

func casesAzureCosmosDBIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureCosmosDBIdentifiableKey, 582)
}

func TestAzureCosmosDBIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureCosmosDBIdentifiableKey()
	checkDetector(t, AzureCosmosDBIdentifiableKey(), tps, fps)
}
