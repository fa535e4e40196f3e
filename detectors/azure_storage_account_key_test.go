package detectors

import (
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// azureLeads are the connection-string prefixes placed before the true positives of
// azure-storage-account-key.
var azureLeads = []string{
	"DefaultEndpointsProtocol=https;AccountName=patrolacct;AccountKey=",
	`"accountKey": "`,
	"AccountName=x;AccountKey=",
}

// azureKey returns a synthetic account key: base64 of 64 pseudo-random bytes.
func azureKey(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, 64)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return base64.StdEncoding.EncodeToString(b)
}

func init() { registerCases(AzureStorageAccountKey, casesAzureStorageAccountKey, azureLeads...) }

func casesAzureStorageAccountKey() ([]tp, []fp) {
	key := azureKey(250)
	return []tp{
			{"connection string", key, ConfidencePattern},
			{"JSON field", azureKey(251), ConfidencePattern},
			{"short connection string", azureKey(252), ConfidencePattern},
		}, []fp{
			{"storage emulator key", "AccountKey=" + "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu" + "Fq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="},
			{"no AccountKey", "SharedKey=" + key},
			{"too short", "AccountKey=" + key[:84] + "=="},
			{"template", "AccountKey=<your-account-key>;"},
			{"placeholder", "AccountKey=" + "xxxxxxxxxx" + key[10:]},
		}
}

func TestAzureStorageAccountKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureStorageAccountKey()
	checkDetector(t, AzureStorageAccountKey(), tps, fps, azureLeads...)
}
