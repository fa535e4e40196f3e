package whoami

import "net/http"

// Buildkite checks API access tokens with GET /v2/access-token (Bearer), which gives the
// token's scopes and its user, and revokes them with DELETE /v2/access-token, authenticated
// by the token itself (204; no scope needed). Buildkite documents the revoke as immediate.
//
// Docs: https://buildkite.com/docs/apis/rest-api/access-token
var Buildkite = Spec{
	Name: "buildkite", Display: "Buildkite", DefaultBaseURL: "https://api.buildkite.com/",
	Auth:   Auth{Header: "Authorization", Prefix: "Bearer "},
	Verify: Call{Method: http.MethodGet, Path: "v2/access-token"},
	Owner:  Fields{Name: "user.name", Email: "user.email", Scopes: "scopes"},
	Revoke: &Call{Method: http.MethodDelete, Path: "v2/access-token"},
}
