package detectors

// azureIoTIdentifiableKey is the IoT Hub, IoT device or Device Provisioning Service key format: 32 bytes, standard base64.
var azureIoTIdentifiableKey = idKey{sig: "AIoT", size: 32, alpha: alphaStd, seeds: []uint64{
	0x496f544875623030, // IoT Hub
	0x4470734b65793030, // device provisioning
	0x4465766963653030, // device
}}

func init() { register(AzureIoTIdentifiableKey) }

// AzureIoTIdentifiableKey finds Microsoft's identifiable Azure IoT Hub, IoT device or Device Provisioning Service key: 43 characters of
// standard base64 plus = padding (optional), the signature "AIoT" 10
// characters from the end, and a Marvin32 checksum (3 seeds: IoT Hub, device provisioning, device) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/178 to SEC101/180; its tests' sample key is checked in identifiable_test.go.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureIoTIdentifiableKey() *Detector {
	return azureIoTIdentifiableKey.detector("azure-iot-identifiable-key", "Azure IoT Hub, device or provisioning key (identifiable, AIoT signature)")
}
