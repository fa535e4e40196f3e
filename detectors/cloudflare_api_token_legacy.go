package detectors

func init() { register(CloudflareAPITokenLegacy) }

// CloudflareAPITokenLegacy finds Cloudflare API tokens from before the scannable format:
// 40 characters of [0-9A-Za-z_-] with no prefix, so the token must follow its name on the
// same line (cloudflare …, CF_API_TOKEN=…, CLOUDFLARE_API_TOKEN: …) or sit nested below
// "cloudflare" under a key or token name (cloudflare:⏎ api_token: …). A random token has
// letters of both cases and digits; a 40-character hex run beside "cloudflare" is a commit
// id (uses: cloudflare/wrangler-action@<sha>), not a token.
//
// References: https://developers.cloudflare.com/fundamentals/api/get-started/create-token/
func CloudflareAPITokenLegacy() *Detector {
	return &Detector{
		ID:          "cloudflare-api-token-legacy",
		Provider:    "cloudflare",
		Description: "Cloudflare API token (legacy 40-character, next to its name)",
		// Prefixes where the whole word would be indexed under common byte pairs ("ar", "re",
		// "to", "en"): "cloudf" goes under "ud"/"df", "cfapit" under "cf"/"fa" like cfat_.
		Keywords:   []string{"cloudf", "cf_api_token", "cf-api-token", "cfapit"},
		Pattern:    afterKeyword(`cloudflare|cf[_-]?api[_-]?token`, `[0-9A-Za-z_-]{40}`, `0-9A-Za-z_+/-`),
		Before:     8,
		After:      256,
		MinEntropy: 3.8,
		Validate:   mixedAlnum,
		RotateURL:  "https://developers.cloudflare.com/fundamentals/api/how-to/roll-token/",
	}
}
