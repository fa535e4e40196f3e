package whoami

import "net/http"

// SendGrid checks API keys with GET /v3/scopes (Bearer), which every key may call and which
// lists the key's scopes; /v3/user/profile would need a scope a restricted key lacks.
// SendGrid's key deletion (DELETE /v3/api_keys/{api_key_id}) needs the api_keys scope and
// the key's id, not its value, so patrol does not revoke: the owner deletes the key under
// Settings → API Keys.
//
// Docs: https://www.twilio.com/docs/sendgrid/api-reference/api-key-permissions/retrieve-a-list-of-scopes-for-which-this-user-has-access
var SendGrid = Spec{
	Name: "sendgrid", Display: "SendGrid", DefaultBaseURL: "https://api.sendgrid.com/",
	Auth:   Auth{Header: "Authorization", Prefix: "Bearer "},
	Verify: Call{Method: http.MethodGet, Path: "v3/scopes"},
	Owner:  Fields{Scopes: "scopes"},
}
