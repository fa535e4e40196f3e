package whoami

import "net/http"

// Heroku checks API keys and OAuth tokens with GET /account (Bearer, Accept:
// application/vnd.heroku+json; version=3), which names the account. Heroku's revoke calls
// take an authorization's id, not a token's value, so patrol does not revoke: the owner
// regenerates the API key under Account settings, or revokes the authorization.
//
// Docs: https://devcenter.heroku.com/articles/platform-api-reference#account-info,
// https://devcenter.heroku.com/articles/platform-api-reference#clients
var Heroku = Spec{
	Name: "heroku", Display: "Heroku", DefaultBaseURL: "https://api.heroku.com/",
	Auth:   Auth{Header: "Authorization", Prefix: "Bearer "},
	Header: http.Header{"Accept": {"application/vnd.heroku+json; version=3"}},
	Verify: Call{Method: http.MethodGet, Path: "account"},
	Owner:  Fields{ID: "id", Name: "name", Email: "email"},
}
