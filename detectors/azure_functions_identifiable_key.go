package detectors

// azureFunctionsIdentifiableKey is the Functions function, system or master key format: 40 bytes, URL-safe base64 ("-" and "_").
var azureFunctionsIdentifiableKey = idKey{sig: "AzFu", size: 40, alpha: alphaURL, seeds: []uint64{
	0x46756e6374693030, // function
	0x53797374656d3030, // system
	0x4d61737465723030, // master
}}

func init() { register(AzureFunctionsIdentifiableKey) }

// AzureFunctionsIdentifiableKey finds Microsoft's identifiable Azure Functions function, system or master key: 54 characters of
// URL-safe base64 ("-" and "_") plus == padding (optional), the signature "AzFu" 10
// characters from the end, and a Marvin32 checksum (3 seeds: function, system, master) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/158; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureFunctionsIdentifiableKey() *Detector {
	return azureFunctionsIdentifiableKey.detector("azure-functions-identifiable-key", "Azure Functions key (identifiable, AzFu signature)")
}
