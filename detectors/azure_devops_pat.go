package detectors

func init() { register(AzureDevOpsPAT) }

// AzureDevOpsPAT finds the 84-character Azure DevOps personal access token (the "legacy CASK"
// format, since Sprint 241, mid-2024): 52 random base62 characters, the CASK signature JQQJ,
// kind and date characters, reserved AAAA…, the provider signature AZDO and a Marvin32 checksum.
// A checksum mismatch is still reported, as ConfidencePattern: the base62 checksum branch is
// not yet confirmed against an issued token (PROVIDERS.md §1.1.1).
//
// References: https://learn.microsoft.com/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate
func AzureDevOpsPAT() *Detector {
	return &Detector{
		ID:          "azure-devops-pat",
		Provider:    "azuredevops",
		Description: "Azure DevOps personal access token (84-char AZDO format)",
		RotateURL:   "https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate#revoke-a-pat",
		Checks:      "Marvin32",
		Keywords:    []string{"jqqj99"},
		Pattern:     `(?:^|[^0-9A-Za-z])([0-9A-Za-z]{52}JQQJ99[0-9A-Za-z][A-L][0-9A-Za-z]{12}AAAAAZDO[0-9A-Za-z]{4}(?:[0-9A-Za-z]{2}==)?)(?:[^0-9A-Za-z=]|$)`,
		Before:      64,
		After:       96,
		Validate:    validADOPAT,
	}
}

func validADOPAT(tok []byte) (Confidence, bool) {
	// Year character: base64 index = year-2024. Accept 2024 (A) to 2050 (a); later is not a
	// date Azure DevOps can have written yet.
	if y := tok[58]; !(y >= 'A' && y <= 'Z' || y == 'a') {
		return ConfidencePattern, true
	}
	if ValidCASK(tok, "AZDO") {
		return ConfidenceChecksum, true
	}
	return ConfidencePattern, true
}
