package whoami

import "net/http"

// CircleCI checks personal API tokens with GET /api/v2/me (Circle-Token), which names the
// user. CircleCI documents no API that revokes a token: its owner deletes it under User
// Settings → Personal API Tokens.
//
// Docs: https://circleci.com/docs/api/v2/index.html#operation/getCurrentUser
var CircleCI = Spec{
	Name: "circleci", Display: "CircleCI", DefaultBaseURL: "https://circleci.com/",
	Auth:   Auth{Header: "Circle-Token"},
	Verify: Call{Method: http.MethodGet, Path: "api/v2/me"},
	Owner:  Fields{ID: "id", Login: "login", Name: "name"},
}
