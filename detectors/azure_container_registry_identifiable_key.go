package detectors

// azureContainerRegistryIdentifiableKey is the Container Registry access key format: 39 bytes, standard base64.
var azureContainerRegistryIdentifiableKey = idKey{sig: "+ACR", size: 39, alpha: alphaStd, seeds: []uint64{
	0x41435244666c7430, // registry
}}

func init() { register(AzureContainerRegistryIdentifiableKey) }

// AzureContainerRegistryIdentifiableKey finds Microsoft's identifiable Azure Container Registry access key: 52 characters of
// standard base64, the signature "+ACR" 10
// characters from the end, and a Marvin32 checksum (1 seed: registry) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/176; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureContainerRegistryIdentifiableKey() *Detector {
	return azureContainerRegistryIdentifiableKey.detector("azure-container-registry-identifiable-key", "Azure Container Registry access key (identifiable, +ACR signature)")
}
