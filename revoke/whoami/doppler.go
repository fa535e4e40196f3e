package whoami

import "net/http"

// Doppler checks Doppler tokens (personal, CLI, service, service account) with GET /v3/me
// (Bearer), which names the token and its workplace, and revokes them with POST
// /v3/auth/revoke {"token": …}, authenticated by the token itself (200). SCIM (dp.scim.) and
// audit (dp.audit.) tokens serve other APIs and are left unknown.
//
// Docs: https://docs.doppler.com/reference/auth-me, https://docs.doppler.com/reference/auth-revoke
var Doppler = Spec{
	Name: "doppler", Display: "Doppler", DefaultBaseURL: "https://api.doppler.com/",
	Prefixes: []string{"dp.pt.", "dp.ct.", "dp.st.", "dp.sa."},
	Auth:     Auth{Header: "Authorization", Prefix: "Bearer "},
	Verify:   Call{Method: http.MethodGet, Path: "v3/me"},
	Owner:    Fields{ID: "slug", Name: "name", Org: "workplace.name", OrgID: "workplace.slug"},
	Revoke: &Call{Method: http.MethodPost, Path: "v3/auth/revoke",
		Body: func(tok string) any { return map[string]string{"token": tok} }},
}
