package detectors

func init() { register(PostmanAPIKey) }

// PostmanAPIKey finds Postman API keys: PMAK- + 24 hex digits + "-" + 34 hex digits.
//
// References: https://learning.postman.com/docs/developer/postman-api/authentication/
func PostmanAPIKey() *Detector {
	return &Detector{
		ID:          "postman-api-key",
		Description: "Postman API key",
		Provider:    "postman",
		RotateURL:   "https://learning.postman.com/docs/developer/postman-api/authentication/",
		Keywords:    []string{"pmak-"},
		Pattern:     bounded(`PMAK-[0-9a-f]{24}-[0-9a-f]{34}`),
		Before:      8,
		After:       72,
		MinEntropy:  3,
	}
}
