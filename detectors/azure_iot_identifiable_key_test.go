package detectors

import "testing"

func init() { registerCases(AzureIoTIdentifiableKey, casesAzureIoTIdentifiableKey) }

func casesAzureIoTIdentifiableKey() ([]tp, []fp) { return idKeyCases(azureIoTIdentifiableKey, 426) }

func TestAzureIoTIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureIoTIdentifiableKey()
	checkDetector(t, AzureIoTIdentifiableKey(), tps, fps)
}
