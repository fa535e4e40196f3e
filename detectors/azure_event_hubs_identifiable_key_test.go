package detectors

import "testing"

func init() { registerCases(AzureEventHubsIdentifiableKey, casesAzureEventHubsIdentifiableKey) }

func casesAzureEventHubsIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureEventHubsIdentifiableKey, 702)
}

func TestAzureEventHubsIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureEventHubsIdentifiableKey()
	checkDetector(t, AzureEventHubsIdentifiableKey(), tps, fps)
}
