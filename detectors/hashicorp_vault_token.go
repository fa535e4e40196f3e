package detectors

func init() { register(HashiCorpVaultToken) }

// HashiCorpVaultToken finds HashiCorp Vault service tokens (hvs. + 90 or more base64url
// characters, Vault 1.10+) and batch tokens (hvb. + 138 or more). Older s.-prefixed tokens are
// too generic to find without context and are not covered.
//
// References: https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes
func HashiCorpVaultToken() *Detector {
	return &Detector{
		ID:          "hashicorp-vault-token",
		Description: "HashiCorp Vault service or batch token",
		RotateURL:   "https://developer.hashicorp.com/vault/docs/commands/token/revoke",
		Keywords:    []string{"hvs.", "hvb."},
		Pattern:     `(?:^|[^0-9A-Za-z_.-])(hvs\.[0-9A-Za-z_-]{90,300}|hvb\.[0-9A-Za-z_-]{138,400})` + endB,
		Before:      8,
		After:       416,
		MinEntropy:  4,
	}
}
