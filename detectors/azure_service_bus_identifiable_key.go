package detectors

// azureServiceBusIdentifiableKey is the Service Bus shared access (SAS) key format: 32 bytes, standard base64.
var azureServiceBusIdentifiableKey = idKey{sig: "+ASb", size: 32, alpha: alphaStd, seeds: []uint64{
	0x53656e6430303030, // send
	0x4c697374656e3030, // listen
	0x4d616e6167653030, // manage
}}

func init() { register(AzureServiceBusIdentifiableKey) }

// AzureServiceBusIdentifiableKey finds Microsoft's identifiable Azure Service Bus shared access (SAS) key: 43 characters of
// standard base64 plus = padding (optional), the signature "+ASb" 10
// characters from the end, and a Marvin32 checksum (3 seeds: send, listen, manage) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/171; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureServiceBusIdentifiableKey() *Detector {
	return azureServiceBusIdentifiableKey.detector("azure-service-bus-identifiable-key", "Azure Service Bus shared access key (identifiable, +ASb signature)")
}
