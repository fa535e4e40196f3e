package detectors

func init() { register(AzureCASKKey) }

// AzureCASKKey finds Microsoft's Common Annotated Security Keys ("legacy CASK", the format of
// security-utilities' LegacyCommonAnnotatedSecurityKey and rule SEC101/200) of every Azure
// service other than Azure DevOps, whose PATs azure-devops-pat reports: 84 base62 characters
// (88 in the long form, ending in 2 more checksum characters and "=="), 52 random, the CASK
// signature "JQQJ", "9", the kind (9 standard, D derived, H hashed), year and month
// characters, 16 reserved characters, a 4-character provider signature (AZEG Event Grid, ACOG
// Azure AI services, AZCS Communication Services, …; LegacyCaskProviderSignatures.cs) and a Marvin32
// checksum (seed "Default0") of the 60 bytes before it, in base62 or, in older keys, base64.
// The checksum is mandatory: a mismatch is not a finding. Microsoft's sample key
// (bench_data.utf8 in the Rust port, signature ABCD) is checked in identifiable_test.go.
// patrol has no Azure provider, so the finding is reported, audited and mailed but neither
// verified nor revoked (Provider "").
//
// References: https://github.com/microsoft/security-utilities/blob/main/src/Microsoft.Security.Utilities.Core/IdentifiableSecrets.cs
func AzureCASKKey() *Detector {
	return &Detector{
		ID:          "azure-cask-key",
		Description: "Azure Common Annotated Security Key (CASK, JQQJ signature, Marvin32 checksum)",
		Checks:      "Marvin32",
		Keywords:    []string{"jqqj9"},
		Pattern:     `(?:^|[^0-9A-Za-z])([0-9A-Za-z]{52}JQQJ9[9DH][0-9A-Za-z][A-L][0-9A-Za-z]{16}[A-Za-z][0-9A-Za-z]{7}(?:[0-9A-Za-z]{2}==)?)(?:[^0-9A-Za-z=]|$)`,
		Before:      64,
		After:       96,
		Validate:    validCASKKey,
	}
}

func validCASKKey(tok []byte) (Confidence, bool) {
	// The Azure DevOps PAT shape belongs to azure-devops-pat, which reports it even without
	// a checksum.
	if string(tok[56:58]) == "99" && string(tok[72:80]) == "AAAAAZDO" {
		return "", false
	}
	if ValidCASK(tok, string(tok[76:80])) {
		return ConfidenceChecksum, true
	}
	return "", false
}
