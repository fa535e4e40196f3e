package detectors

// Entra ID (Azure AD) client secret constants (IdentifiableMetadata.cs).
const (
	entraSecretSeed     = 0x4161645077643030 // "AadPwd00"
	entraSecretAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890.-_~"
)

func init() { register(AzureEntraClientSecret) }

// AzureEntraClientSecret finds Microsoft Entra ID (Azure AD) application client secrets in
// their identifiable formats: 3 characters, the signature "8Q~", 34 more, all from
// [A-Za-z0-9.~_-] (40 in all), whose last 3 characters should be the first 3 of a Marvin32
// checksum of the first 37 written in that alphabet (IsAzureAadClientAppIdentifiableSecret);
// and the older "7Q~" secrets (37 characters) that carry no checksum.
//
// A checksum match is ConfidenceChecksum; a mismatch is still reported, as ConfidencePattern:
// Microsoft's sources give no test vector for this checksum (their one 8Q~ sample,
// "xxx8Q~dead…", fails it, and their own rule SEC101/156 does not check it), so patrol cannot
// yet confirm it against an issued secret, and a missed Entra secret costs more than a
// pattern-only finding. patrol has no Azure provider, so the finding is reported, audited and
// mailed but neither verified nor revoked (Provider "").
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableMetadata.cs
func AzureEntraClientSecret() *Detector {
	return &Detector{
		ID:          "azure-entra-client-secret",
		Description: "Microsoft Entra ID (Azure AD) client secret (identifiable, 8Q~ or 7Q~ signature)",
		RotateURL:   "https://learn.microsoft.com/en-us/entra/identity-platform/how-to-add-credentials",
		Checks:      "Marvin32 (8Q~ only)",
		Keywords:    []string{"8q~", "7q~"},
		Pattern:     `(?:^|[^A-Za-z0-9~._\-+/])([A-Za-z0-9~._\-]{3}(?:8Q~[A-Za-z0-9~._\-]{34}|7Q~[A-Za-z0-9~._\-]{31}))(?:[^A-Za-z0-9~._\-]|$)`,
		Before:      8,
		After:       40,
		MinEntropy:  3.5,
		Validate: func(tok []byte) (Confidence, bool) {
			if ValidEntraClientSecret(tok) {
				return ConfidenceChecksum, true
			}
			return ConfidencePattern, true
		},
	}
}

// entraChecksum returns the first 3 characters of the checksum of the first 37 characters
// of an 8Q~ secret: Marvin32 written most significant digit first in entraSecretAlphabet,
// left-padded to 6 characters (CustomAlphabetEncoder.Encode).
func entraChecksum(body []byte) string {
	c := Marvin32(body, entraSecretSeed)
	var digits []byte
	for ; c > 0; c /= uint32(len(entraSecretAlphabet)) {
		digits = append(digits, entraSecretAlphabet[c%uint32(len(entraSecretAlphabet))])
	}
	out := make([]byte, max(6, len(digits)))
	for i := range out {
		out[i] = entraSecretAlphabet[0]
	}
	for i, d := range digits {
		out[len(out)-1-i] = d
	}
	return string(out[:3])
}

// ValidEntraClientSecret reports whether a 40-character 8Q~ secret carries its checksum.
func ValidEntraClientSecret(tok []byte) bool {
	if len(tok) != 40 || string(tok[3:6]) != "8Q~" {
		return false
	}
	return entraChecksum(tok[:37]) == string(tok[37:])
}

// EntraClientSecret builds a checksum-valid 8Q~ secret from 34 characters of the secret
// alphabet (3 before the signature, 31 after), for tests. It returns "" for bad arguments.
func EntraClientSecret(random34 string) string {
	if len(random34) != 34 {
		return ""
	}
	body := random34[:3] + "8Q~" + random34[3:]
	return body + entraChecksum([]byte(body))
}
