package detectors

// azureCosmosDBIdentifiableKey is the Cosmos DB account key format: 64 bytes, standard base64.
var azureCosmosDBIdentifiableKey = idKey{sig: "ACDb", size: 64, alpha: alphaStd, seeds: []uint64{
	0x537973416c6c3030, // system all
	0x5265736f75723030, // resource
	0x4d617374524f3030, // master read-only
	0x53797374524f3030, // system read-only
	0x456e637279703030, // data encryption
	0x4d61737452573030, // master read-write
	0x5379737452573030, // system read-write
}}

func init() { register(AzureCosmosDBIdentifiableKey) }

// AzureCosmosDBIdentifiableKey finds Microsoft's identifiable Azure Cosmos DB account key: 86 characters of
// standard base64 plus == padding (optional), the signature "ACDb" 10
// characters from the end, and a Marvin32 checksum (7 seeds: system all, resource, master read-only, system read-only, data encryption, master read-write, system read-write) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/160; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureCosmosDBIdentifiableKey() *Detector {
	return azureCosmosDBIdentifiableKey.detector("azure-cosmosdb-identifiable-key", "Azure Cosmos DB key (identifiable, ACDb signature)")
}
