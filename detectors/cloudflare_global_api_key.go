package detectors

func init() { register(CloudflareGlobalAPIKey) }

// CloudflareGlobalAPIKey finds Cloudflare Global API keys in the scannable format: cfk_ +
// 40 characters + 8 hex digits. Cloudflare documents a checksum there; the CRC32 that
// cfut_/cfat_ tokens carry is checked, but no published global key has confirmed that it
// is the same one, so a mismatch still reports the key, with pattern confidence. The key
// grants the account's full access. Keys from before the format are
// cloudflare-global-api-key-legacy.
//
// References: https://developers.cloudflare.com/fundamentals/api/get-started/token-formats/
func CloudflareGlobalAPIKey() *Detector {
	return &Detector{
		ID:          "cloudflare-global-api-key",
		Description: "Cloudflare Global API key (cfk_)",
		Checks:      "CRC32",
		Keywords:    []string{"cfk_"},
		Pattern:     bounded(`cfk_[0-9A-Za-z_-]{40}[0-9a-f]{8}`),
		Before:      8,
		After:       64,
		MinEntropy:  4,
		Validate: func(tok []byte) (Confidence, bool) {
			if cloudflareChecksumOK(tok[len(tok)-48:]) {
				return ConfidenceChecksum, true
			}
			return ConfidencePattern, true
		},
		RotateURL: "https://developers.cloudflare.com/fundamentals/api/get-started/keys/",
	}
}
