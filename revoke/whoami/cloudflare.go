package whoami

import "net/http"

// Cloudflare checks API tokens with GET /client/v4/user/tokens/verify (Bearer). A 200 answer
// carries result.status: "active" is live, "expired" dead; "disabled" is unknown, since its
// owner can enable it again. Revoking a token (DELETE /user/tokens/{token_id}) needs the API
// Tokens Write permission that leaked tokens rarely have, so patrol does not revoke: the owner
// rolls or deletes it under My Profile → API Tokens.
//
// Docs: https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify/,
// https://developers.cloudflare.com/fundamentals/api/troubleshooting/
var Cloudflare = Spec{
	Name: "cloudflare", Display: "Cloudflare", DefaultBaseURL: "https://api.cloudflare.com/",
	Auth:   Auth{Header: "Authorization", Prefix: "Bearer "},
	Verify: Call{Method: http.MethodGet, Path: "client/v4/user/tokens/verify"},
	Check:  &Check{Path: "result.status", Live: "active", Dead: []string{"expired"}},
}
