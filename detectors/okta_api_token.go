package detectors

func init() { register(OktaAPIToken) }

// OktaAPIToken finds Okta API tokens (sent as "Authorization: SSWS <token>"): 00 + 40
// characters of [0-9A-Za-z_-]. The shape has no prefix of its own, so the token must follow
// "okta" (OKTA_API_TOKEN=…, https://….okta.com … ) or "SSWS" on the same line, or sit
// nested below "okta" under a key or token name (okta:⏎ client:⏎ token: …, the SDK's YAML),
// and have letters of both cases and digits.
//
// References: https://developer.okta.com/docs/guides/create-an-api-token/main/
func OktaAPIToken() *Detector {
	return &Detector{
		ID:          "okta-api-token",
		Description: "Okta API token (next to okta or SSWS)",
		Keywords:    []string{"okta", "ssws"},
		Pattern:     afterKeyword(`okta|ssws`, `00[0-9A-Za-z_-]{40}`, `0-9A-Za-z_+/-`),
		Before:      8,
		After:       256,
		MinEntropy:  3.8,
		Validate:    mixedAlnum,
		RotateURL:   "https://help.okta.com/en-us/content/topics/security/api.htm",
	}
}
