package detectors

// azureCacheRedisIdentifiableKey is the Cache for Redis access key format: 32 bytes, standard base64.
var azureCacheRedisIdentifiableKey = idKey{sig: "AzCa", size: 32, alpha: alphaStd, seeds: []uint64{
	0x4163636573733030, // access
}}

func init() { register(AzureCacheRedisIdentifiableKey) }

// AzureCacheRedisIdentifiableKey finds Microsoft's identifiable Azure Cache for Redis access key: 43 characters of
// standard base64 plus = padding (optional), the signature "AzCa" 10
// characters from the end, and a Marvin32 checksum (1 seed: access) in the last 4 bytes.
// The checksum is mandatory: a mismatch is not a finding. patrol has no Azure provider, so the
// finding is reported, audited and mailed but neither verified nor revoked (Provider "").
// security-utilities rule SEC101/154. No test vector: Microsoft's sources give no AzCa sample.
// Their alternative "special character" checksum (AzureCacheForRedisWithSpecialCharacterChecksum,
// "+" and "/" replaced by "P" and "F") is not implemented: as written it hashes the checksum
// bytes themselves, so no key can be built to test it.
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureCacheRedisIdentifiableKey() *Detector {
	return azureCacheRedisIdentifiableKey.detector("azure-cache-redis-identifiable-key", "Azure Cache for Redis access key (identifiable, AzCa signature)")
}
