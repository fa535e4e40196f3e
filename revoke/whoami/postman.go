package whoami

import "net/http"

// Postman checks Postman API keys with GET /me (X-Api-Key), which names the user and team.
// Postman documents no API that revokes a key: its owner deletes or regenerates it under
// Settings → API keys.
//
// Docs: https://learning.postman.com/api-docs/api-reference/users/get-authenticated-user
var Postman = Spec{
	Name: "postman", Display: "Postman", DefaultBaseURL: "https://api.getpostman.com/",
	Auth:   Auth{Header: "X-Api-Key"},
	Verify: Call{Method: http.MethodGet, Path: "me"},
	Owner: Fields{ID: "user.id", Login: "user.username", Name: "user.fullName", Email: "user.email",
		Org: "user.teamName", OrgID: "user.teamId"},
}
