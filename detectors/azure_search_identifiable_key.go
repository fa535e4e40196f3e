package detectors

// azureSearchIdentifiableKey is the AI (Cognitive) Search query or admin key format: 39 bytes, standard or URL-safe base64 (Microsoft issues query keys URL-safe).
var azureSearchIdentifiableKey = idKey{sig: "AzSe", size: 39, alpha: alphaBoth, seeds: []uint64{
	0x5175657279303030, // query
	0x5041646d696e3030, // admin
}}

func init() { register(AzureSearchIdentifiableKey) }

// AzureSearchIdentifiableKey finds Microsoft's identifiable Azure AI (Cognitive) Search query or admin key: 52 characters of
// standard or URL-safe base64 (Microsoft issues query keys URL-safe), the signature "AzSe" 10
// characters from the end, and a Marvin32 checksum (2 seeds: query, admin) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/166 and SEC101/167; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureSearchIdentifiableKey() *Detector {
	return azureSearchIdentifiableKey.detector("azure-search-identifiable-key", "Azure AI Search query or admin key (identifiable, AzSe signature)")
}
