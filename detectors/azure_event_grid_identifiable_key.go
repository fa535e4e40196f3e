package detectors

// azureEventGridIdentifiableKey is the Event Grid access key format: 32 bytes, standard base64.
var azureEventGridIdentifiableKey = idKey{sig: "AZEG", size: 32, alpha: alphaStd, seeds: []uint64{
	0x53656e6452656376, // send/receive
}}

func init() { register(AzureEventGridIdentifiableKey) }

// AzureEventGridIdentifiableKey finds Microsoft's identifiable Azure Event Grid access key: 43 characters of
// standard base64 plus = padding (optional), the signature "AZEG" 10
// characters from the end, and a Marvin32 checksum (1 seed: send/receive) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/199. No test vector: the one AZEG sample in Microsoft's
// sources (identifiable_scans.rs, a shape-only scan test) does not carry a valid checksum, so
// this seed is checked only against keys built here with it.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureEventGridIdentifiableKey() *Detector {
	return azureEventGridIdentifiableKey.detector("azure-event-grid-identifiable-key", "Azure Event Grid access key (identifiable, AZEG signature)")
}
