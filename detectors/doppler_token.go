package detectors

func init() { register(DopplerToken) }

// DopplerToken finds Doppler API tokens: personal (dp.pt.), CLI (dp.ct.), service
// (dp.st., optionally followed by the config's name), service account (dp.sa.), SCIM
// (dp.scim.) and audit (dp.audit.) tokens, each ending in 40–44 alphanumerics (43 in Doppler's
// examples; the exact length is not documented).
//
// References: https://docs.doppler.com/reference/auth-token-formats
func DopplerToken() *Detector {
	return &Detector{
		ID:          "doppler-token",
		Description: "Doppler API token",
		Provider:    "doppler",
		RotateURL:   "https://docs.doppler.com/docs/service-tokens",
		Keywords:    []string{"dp.pt.", "dp.ct.", "dp.st.", "dp.sa.", "dp.scim.", "dp.audit."},
		Pattern: `(?:^|[^0-9A-Za-z_.-])(dp\.(?:pt|ct|sa|scim|audit|st(?:\.[0-9A-Za-z_-]{1,80})?)\.[0-9A-Za-z]{40,44})` +
			endB,
		Before:     8,
		After:      144,
		MinEntropy: 3.5,
	}
}
