package whoami

import "net/http"

// Datadog checks API keys with GET /api/v1/validate (DD-API-KEY), answered {"valid": true}.
// Datadog documents 403 for an invalid key, but a key is valid on one Datadog site only
// (datadoghq.com, datadoghq.eu, us3 …) and another site answers it 403 too, so 403 is
// unknown here, never dead: set providers.datadog.base_url to the organization's site.
// Datadog documents no self-revoke: the owner revokes the key under Organization Settings →
// API Keys.
//
// Docs: https://docs.datadoghq.com/api/latest/authentication/#validate-api-key
var Datadog = Spec{
	Name: "datadog", Display: "Datadog", DefaultBaseURL: "https://api.datadoghq.com/",
	Auth:   Auth{Header: "DD-API-KEY"},
	Verify: Call{Method: http.MethodGet, Path: "api/v1/validate"},
	Dead:   []int{},
	Check:  &Check{Path: "valid", Live: "true"},
}
