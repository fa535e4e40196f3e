package detectors

func init() { register(ShopifySharedSecret) }

// ShopifySharedSecret finds Shopify app shared secrets (client secrets): shpss_ + 32 hex
// digits. The secret signs OAuth and webhook HMACs for the app, so a leak lets anyone forge
// them; it is rotated in the Partner Dashboard or the Dev Dashboard.
//
// References: https://shopify.dev/docs/apps/build/authentication-authorization/client-secrets/rotate-revoke-client-credentials
func ShopifySharedSecret() *Detector {
	return &Detector{
		ID:          "shopify-shared-secret",
		Description: "Shopify app shared secret",
		Keywords:    []string{"shpss_"},
		Pattern:     bounded(`shpss_[0-9a-fA-F]{32}`),
		Before:      8,
		After:       48,
		MinEntropy:  3,
		RotateURL:   "https://shopify.dev/docs/apps/build/authentication-authorization/client-secrets/rotate-revoke-client-credentials",
	}
}
