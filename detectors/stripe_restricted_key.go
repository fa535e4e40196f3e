package detectors

func init() { register(StripeRestrictedKey) }

// StripeRestrictedKey finds live-mode Stripe restricted API keys: rk_live_ + 24 to 247
// alphanumerics. Test-mode keys (rk_test_) are not findings.
//
// References: https://docs.stripe.com/keys#create-restricted-api-secret-key
func StripeRestrictedKey() *Detector {
	return &Detector{
		ID:          "stripe-restricted-key",
		Description: "Stripe live restricted API key",
		Provider:    "stripe",
		RotateURL:   "https://docs.stripe.com/keys#rolling-keys",
		Keywords:    []string{"rk_live_"},
		Pattern:     `(?:^|[^0-9A-Za-z_])(rk_live_[0-9A-Za-z]{24,247})(?:[^0-9A-Za-z_]|$)`,
		Before:      8,
		After:       256,
		MinEntropy:  3.5,
	}
}
