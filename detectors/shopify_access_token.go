package detectors

func init() { register(ShopifyAccessToken) }

// ShopifyAccessToken finds Shopify Admin API access tokens: shpat_ (app access token),
// shpca_ (custom app) or shppa_ (legacy private app) + 32 hex digits.
//
// References: https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/generate-app-access-tokens-admin
func ShopifyAccessToken() *Detector {
	return &Detector{
		ID:          "shopify-access-token",
		Description: "Shopify Admin API access token",
		RotateURL:   "https://shopify.dev/docs/apps/build/authentication-authorization/client-secrets/rotate-revoke-client-credentials",
		Keywords:    []string{"shpat_", "shpca_", "shppa_"},
		Pattern:     bounded(`shp(?:at|ca|pa)_[0-9a-fA-F]{32}`),
		Before:      8,
		After:       48,
		MinEntropy:  3,
	}
}
