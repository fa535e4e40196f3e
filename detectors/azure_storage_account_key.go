package detectors

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// azuriteKeySHA256 is the SHA-256 of the Azurite/storage-emulator account key, a public,
// documented constant that appears in countless test setups; it is not a leak.
const azuriteKeySHA256 = "0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059"

func init() { register(AzureStorageAccountKey) }

// AzureStorageAccountKey finds Azure storage account keys where they are named: the value
// of AccountKey in a connection string ("…;AccountKey=<88 base64 characters ending ==>;…"),
// an accountKey/account_key/StorageAccountKey/AZURE_STORAGE_KEY/primary_access_key field as
// written in JSON, YAML, INI, .env, XML (<AccountKey>…</AccountKey>, key="StorageKey"
// value="…") and code, a command line (az … --account-key …, PowerShell -StorageAccountKey …), or the key argument
// of a shared-key credential (new StorageSharedKeyCredential(name, "…") in C#, Java and
// JavaScript, azblob.NewSharedKeyCredential in Go, the C++ SDK's
// StorageSharedKeyCredential). The value must decode to 64 bytes; the storage emulator's
// well-known key is ignored.
//
// References: https://learn.microsoft.com/azure/storage/common/storage-configure-connection-string
func AzureStorageAccountKey() *Detector {
	return &Detector{
		ID:          "azure-storage-account-key",
		Description: "Azure storage account key (AccountKey in a connection string, or a named key)",
		Keywords:    []string{"accountkey", "account_key", "account-key", "storage_key", "storage-key", "storagekey", "access_key", "access-key", "sharedkeycredential"},
		Pattern: `(?:` +
			`(?i:(?:account|storage|primary|secondary)[_-]?(?:access[_-]?)?key)["']?(?:[ \t]*(?::=|=>|[:=])[ \t]*|[ \t]+|>|[ \t]+(?i:value)[ \t]*=[ \t]*)["']?` +
			`|SharedKeyCredential[^\r\n;]{0,80}?["']` +
			`)([0-9A-Za-z+/]{86}==)(?:[^0-9A-Za-z+/=]|$)`,
		Before:     16,
		After:      200,
		MinEntropy: 4,
		Validate:   validAzureStorageKey,
		RotateURL:  "https://learn.microsoft.com/azure/storage/common/storage-account-keys-manage#manually-rotate-access-keys",
	}
}

func validAzureStorageKey(tok []byte) (Confidence, bool) {
	var raw [66]byte
	n, err := base64.StdEncoding.Decode(raw[:], tok)
	if err != nil || n != 64 {
		return "", false
	}
	if sum := sha256.Sum256(tok); hex.EncodeToString(sum[:]) == azuriteKeySHA256 {
		return "", false
	}
	return ConfidencePattern, true
}
