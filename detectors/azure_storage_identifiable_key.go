package detectors

// azureStorageIdentifiableKey is the storage account access key format: 64 bytes, standard base64.
var azureStorageIdentifiableKey = idKey{sig: "+ASt", size: 64, alpha: alphaStd, seeds: []uint64{
	0x44656661756c7430, // default
}}

func init() { register(AzureStorageIdentifiableKey) }

// AzureStorageIdentifiableKey finds Microsoft's identifiable Azure storage account access key: 86 characters of
// standard base64 plus == padding (optional), the signature "+ASt" 10
// characters from the end, and a Marvin32 checksum (1 seed: default) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/152; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureStorageIdentifiableKey() *Detector {
	return azureStorageIdentifiableKey.detector("azure-storage-identifiable-key", "Azure storage account key (identifiable, +ASt signature)")
}
