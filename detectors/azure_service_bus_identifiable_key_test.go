package detectors

import "testing"

func init() { registerCases(AzureServiceBusIdentifiableKey, casesAzureServiceBusIdentifiableKey) }

func casesAzureServiceBusIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureServiceBusIdentifiableKey, 925)
}

func TestAzureServiceBusIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureServiceBusIdentifiableKey()
	checkDetector(t, AzureServiceBusIdentifiableKey(), tps, fps)
}
