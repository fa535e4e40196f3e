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
	"<AccountKey>",
	"--account-key ",
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
			{"XML element", azureKey(253), ConfidencePattern},
			{"az flag", azureKey(254), ConfidencePattern},
		}, []fp{
			{"storage emulator key", "AccountKey=" + "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu" + "Fq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="},
			{"no AccountKey", "SharedKey=" + key},
			{"too short", "AccountKey=" + key[:84] + "=="},
			{"template", "AccountKey=<your-account-key>;"},
			{"placeholder", "AccountKey=" + "xxxxxxxxxx" + key[10:]},
			{"credential without a literal", "new StorageSharedKeyCredential(name, accountKey); // " + key},
			{"name on another line", "account_key:\n  " + key},
		}
}

func TestAzureStorageAccountKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAzureStorageAccountKey()
	checkDetector(t, AzureStorageAccountKey(), tps, fps, azureLeads...)
}

// TestAzureStorageAccountKeyForms checks the ways people write a storage account key (issue
// 18, point 4): one row per syntax, each holding the key once.
func TestAzureStorageAccountKeyForms(t *testing.T) {
	t.Parallel()
	key := azureKey(260)
	checkForms(t, AzureStorageAccountKey(), key, []form{
		{"connection string", "DefaultEndpointsProtocol=https;AccountName=acct1;AccountKey=" + key + ";EndpointSuffix=core.windows.net"},
		{"json", `{"storage": {"accountName": "acct1", "accountKey": "` + key + `"}}`},
		{"yaml", "storage:\n  account_key: " + key + "\n"},
		{"xml element", "<AccountKey>" + key + "</AccountKey>"},
		{"xml appSettings", `<add key="StorageKey" value="` + key + `" />`},
		{"ini", "[azure]\nstorage_account_key = " + key + "\n"},
		{"dotenv", "AZURE_STORAGE_KEY=" + key + "\n"},
		{"csharp", `var cred = new StorageSharedKeyCredential("acct1", "` + key + `");`},
		{"cpp", `auto cred = std::make_shared<StorageSharedKeyCredential>("acct1", "` + key + `");`},
		{"go", `cred, err := azblob.NewSharedKeyCredential("acct1", "` + key + `")`},
		{"python", `BlobServiceClient(url, credential={"account_name": "acct1", "account_key": "` + key + `"})`},
		{"javascript", `const cred = new StorageSharedKeyCredential(account, '` + key + `');`},
		{"powershell", "New-AzStorageContext -StorageAccountName acct1 -StorageAccountKey " + key},
		{"az cli", "az storage blob upload --account-name acct1 --account-key " + key + " -f x"},
		{"terraform", `  storage_account_access_key = "` + key + `"`},
	})
}
