package whoami

import "net/http"

// HuggingFace checks Hugging Face user access tokens with GET /api/whoami-v2 (Bearer), which
// names the user and the token's role. Hugging Face documents no API that revokes a token:
// its owner deletes or invalidates it in Settings → Access Tokens.
//
// Docs: https://huggingface.co/docs/hub/api (GET /api/whoami-v2),
// https://huggingface.co/docs/hub/security-tokens
var HuggingFace = Spec{
	Name: "huggingface", Display: "Hugging Face", DefaultBaseURL: "https://huggingface.co/",
	Auth:   Auth{Header: "Authorization", Prefix: "Bearer "},
	Verify: Call{Method: http.MethodGet, Path: "api/whoami-v2"},
	Owner:  Fields{ID: "id", Login: "name", Name: "fullname", Email: "email", Scopes: "auth.accessToken.role"},
}
