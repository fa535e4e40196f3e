package detectors

import "testing"

func init() { registerCases(AzureCacheRedisIdentifiableKey, casesAzureCacheRedisIdentifiableKey) }

func casesAzureCacheRedisIdentifiableKey() ([]tp, []fp) {
	return idKeyCases(azureCacheRedisIdentifiableKey, 373)
}

func TestAzureCacheRedisIdentifiableKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureCacheRedisIdentifiableKey()
	checkDetector(t, AzureCacheRedisIdentifiableKey(), tps, fps)
}
