package detectors

func init() { register(OpenAIAPIKey) }

// OpenAIAPIKey finds OpenAI API keys: project, service-account and admin keys
// (sk-proj-, sk-svcacct-, sk-admin-) and legacy user keys (sk-), all of which carry the
// marker T3BlbkFJ (base64 of "OpenAI") in the middle.
//
// References: https://platform.openai.com/docs/api-reference/authentication
func OpenAIAPIKey() *Detector {
	return &Detector{
		ID:          "openai-api-key",
		Description: "OpenAI API key",
		RotateURL:   "https://help.openai.com/en/articles/5112595-best-practices-for-api-key-safety",
		Keywords:    []string{"t3blbkfj"},
		Pattern: bounded(`sk-(?:(?:proj|svcacct|admin)-[0-9A-Za-z_-]{20,200}T3BlbkFJ[0-9A-Za-z_-]{20,200}|` +
			`[0-9A-Za-z]{20}T3BlbkFJ[0-9A-Za-z]{20})`),
		Before:     224,
		After:      224,
		MinEntropy: 4,
	}
}
