package whoami

import "net/http"

// Notion checks integration tokens with GET /v1/users/me (Bearer, Notion-Version), which
// names the integration's bot user and the person who added it. Notion's only revoke call is
// for public OAuth integrations and needs the integration's client secret, so patrol does not
// revoke: the owner refreshes the secret on the integration's settings page.
//
// Docs: https://developers.notion.com/reference/get-self, https://developers.notion.com/reference/versioning
var Notion = Spec{
	Name: "notion", Display: "Notion", DefaultBaseURL: "https://api.notion.com/",
	Auth:   Auth{Header: "Authorization", Prefix: "Bearer "},
	Header: http.Header{"Notion-Version": {"2022-06-28"}},
	Verify: Call{Method: http.MethodGet, Path: "v1/users/me"},
	Owner:  Fields{ID: "id", Name: "name", Email: "bot.owner.user.person.email", Org: "bot.workspace_name"},
}
