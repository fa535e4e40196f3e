package whoami

import "net/http"

// Stripe checks secret and restricted keys with GET /v1/account (Bearer), the read-only call
// that retrieves the key's own account. A restricted key without the permission answers 403:
// unknown. Stripe documents no API that revokes or rolls a key: its owner rolls it in the
// Dashboard under Developers → API keys.
//
// Docs: https://docs.stripe.com/api/accounts/retrieve, https://docs.stripe.com/keys
var Stripe = Spec{
	Name: "stripe", Display: "Stripe", DefaultBaseURL: "https://api.stripe.com/",
	Auth:   Auth{Header: "Authorization", Prefix: "Bearer "},
	Verify: Call{Method: http.MethodGet, Path: "v1/account"},
	Owner:  Fields{ID: "id", Email: "email", Name: "settings.dashboard.display_name", Org: "business_profile.name"},
}
