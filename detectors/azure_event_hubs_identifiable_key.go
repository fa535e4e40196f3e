package detectors

// azureEventHubsIdentifiableKey is the Event Hubs shared access (SAS) key format: 32 bytes, standard base64.
var azureEventHubsIdentifiableKey = idKey{sig: "+AEh", size: 32, alpha: alphaStd, seeds: []uint64{
	0x53656e6430303030, // send
	0x4c697374656e3030, // listen
	0x4d616e6167653030, // manage
}}

func init() { register(AzureEventHubsIdentifiableKey) }

// AzureEventHubsIdentifiableKey finds Microsoft's identifiable Azure Event Hubs shared access (SAS) key: 43 characters of
// standard base64 plus = padding (optional), the signature "+AEh" 10
// characters from the end, and a Marvin32 checksum (3 seeds: send, listen, manage) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/172; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureEventHubsIdentifiableKey() *Detector {
	return azureEventHubsIdentifiableKey.detector("azure-event-hubs-identifiable-key", "Azure Event Hubs shared access key (identifiable, +AEh signature)")
}
