package detectors

// azureBatchIdentifiableKey is the Batch account key format: 64 bytes, standard base64.
var azureBatchIdentifiableKey = idKey{sig: "+ABa", size: 64, alpha: alphaStd, seeds: []uint64{
	0x4162416363743030, // account
}}

func init() { register(AzureBatchIdentifiableKey) }

// AzureBatchIdentifiableKey finds Microsoft's identifiable Azure Batch account key: 86 characters of
// standard base64 plus == padding (optional), the signature "+ABa" 10
// characters from the end, and a Marvin32 checksum (1 seed: account) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/163; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureBatchIdentifiableKey() *Detector {
	return azureBatchIdentifiableKey.detector("azure-batch-identifiable-key", "Azure Batch account key (identifiable, +ABa signature)")
}
