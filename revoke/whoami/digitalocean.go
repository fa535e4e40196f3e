package whoami

import "net/http"

// DigitalOcean checks DigitalOcean personal access tokens with GET /v2/account (Bearer),
// which names the account and its team; OAuth access tokens (doo_v1_) work there too, refresh
// tokens (dor_v1_) do not and are left unknown. DigitalOcean documents no API that revokes a
// personal access token by its value: its owner deletes it under API → Tokens.
//
// Docs: https://docs.digitalocean.com/reference/api/digitalocean/#tag/Account/operation/account_get
var DigitalOcean = Spec{
	Name: "digitalocean", Display: "DigitalOcean", DefaultBaseURL: "https://api.digitalocean.com/",
	Prefixes: []string{"dop_v1_", "doo_v1_"},
	Auth:     Auth{Header: "Authorization", Prefix: "Bearer "},
	Verify:   Call{Method: http.MethodGet, Path: "v2/account"},
	Owner:    Fields{ID: "account.uuid", Email: "account.email", Org: "account.team.name", OrgID: "account.team.uuid"},
}
