package detectors

// azureAPIMIdentifiableKey is the API Management direct management, subscription, gateway or repository key format: 64 bytes, standard base64.
var azureAPIMIdentifiableKey = idKey{sig: "APIM", size: 64, alpha: alphaStd, seeds: []uint64{
	0x54656e616e743030, // direct management
	0x496f544875623030, // subscription
	0x4761746577793030, // gateway
	0x4769744b65793030, // repository
}}

func init() { register(AzureAPIMIdentifiableKey) }

// AzureAPIMIdentifiableKey finds Microsoft's identifiable Azure API Management direct management, subscription, gateway or repository key: 86 characters of
// standard base64 plus == padding (optional), the signature "APIM" 10
// characters from the end, and a Marvin32 checksum (4 seeds: direct management, subscription, gateway, repository) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/181 to SEC101/184; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureAPIMIdentifiableKey() *Detector {
	return azureAPIMIdentifiableKey.detector("azure-apim-identifiable-key", "Azure API Management key (identifiable, APIM signature)")
}
