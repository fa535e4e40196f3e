package detectors

func init() { register(CloudflareGlobalAPIKeyLegacy) }

// CloudflareGlobalAPIKeyLegacy finds Cloudflare Global API keys from before the scannable
// format: 37 lower-case hex digits, sent with the account's email in X-Auth-Key. Hex alone
// matches hashes, so the key must follow its name on the same line: cloudflare …,
// X-Auth-Key: …, CF_API_KEY=…, CLOUDFLARE_API_KEY, cf_auth_key; or sit nested below
// "cloudflare" under a key name ("cloudflare": {⏎ "api_key": …). No hash is 37 digits long.
//
// References: https://developers.cloudflare.com/fundamentals/api/get-started/keys/
func CloudflareGlobalAPIKeyLegacy() *Detector {
	return &Detector{
		ID:          "cloudflare-global-api-key-legacy",
		Description: "Cloudflare Global API key (legacy 37 hex digits, next to its name)",
		// "cloudf" and "cfapik": see cloudflare-api-token-legacy.
		Keywords:   []string{"cloudf", "x-auth-key", "cf_api_key", "cf-api-key", "cfapik", "cf_auth_key"},
		Pattern:    afterKeyword(`cloudflare|x-auth-key|cf[_-]?(?:api|auth)[_-]?key`, `[0-9a-f]{37}`, `0-9A-Za-z_+/-`),
		Before:     8,
		After:      256,
		MinEntropy: 3.2,
		Validate:   hexLetterAndDigit,
		RotateURL:  "https://developers.cloudflare.com/fundamentals/api/get-started/keys/",
	}
}
