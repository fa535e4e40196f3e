package detectors

// azureMLClassicIdentifiableKey is the Machine Learning (classic) web service key format: 64 bytes, standard base64.
var azureMLClassicIdentifiableKey = idKey{sig: "+AMC", size: 64, alpha: alphaStd, seeds: []uint64{
	0x436c617373696330, // classic
}}

func init() { register(AzureMLClassicIdentifiableKey) }

// AzureMLClassicIdentifiableKey finds Microsoft's identifiable Azure Machine Learning (classic) web service key: 86 characters of
// standard base64 plus == padding (optional), the signature "+AMC" 10
// characters from the end, and a Marvin32 checksum (1 seed: classic) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/170; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureMLClassicIdentifiableKey() *Detector {
	return azureMLClassicIdentifiableKey.detector("azure-ml-classic-identifiable-key", "Azure Machine Learning classic web service key (identifiable, +AMC signature)")
}
