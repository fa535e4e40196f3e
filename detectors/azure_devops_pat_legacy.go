package detectors

func init() { register(AzureDevOpsPATLegacy) }

// AzureDevOpsPATLegacy finds the 52-character Azure DevOps PAT (lower-case base32 of 32 bytes).
// Its alphabet matches far too much text for a pattern alone, so the CRC32 checksum is
// mandatory: a 52-character base32 run that fails it is not a finding.
//
// References: security-utilities SEC101/102 AdoLegacyPat; PROVIDERS.md §1.1.2.
func AzureDevOpsPATLegacy() *Detector {
	return &Detector{
		ID:               "azure-devops-pat-legacy",
		Provider:         "azuredevops",
		Description:      "Azure DevOps personal access token (legacy 52-char base32, checksum-verified)",
		RotateURL:        "https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate#revoke-a-pat",
		Checks:           "CRC32",
		Run:              &Run{Charset: "abcdefghijklmnopqrstuvwxyz234567", MinLen: 52, MaxLen: 52},
		Pattern:          `(?:^|[^2-7a-z])([2-7a-z]{52})(?:[^2-7a-z]|$)`,
		Validate:         validADOLegacyPAT,
		KeepPlaceholders: true,
	}
}

func validADOLegacyPAT(tok []byte) (Confidence, bool) {
	if ValidADOLegacyPAT(tok) {
		return ConfidenceChecksum, true
	}
	return "", false
}
