package detectors

func init() { register(StripeSecretKey) }

// StripeSecretKey finds live-mode Stripe secret keys: sk_live_ + 24 to 247 alphanumerics.
// Test-mode keys (sk_test_) move no money and are not findings; publishable keys (pk_) are
// public by design.
//
// References: https://docs.stripe.com/keys
func StripeSecretKey() *Detector {
	return &Detector{
		ID:          "stripe-secret-key",
		Description: "Stripe live secret key",
		Provider:    "stripe",
		RotateURL:   "https://docs.stripe.com/keys#rolling-keys",
		Keywords:    []string{"sk_live_"},
		Pattern:     `(?:^|[^0-9A-Za-z_])(sk_live_[0-9A-Za-z]{24,247})(?:[^0-9A-Za-z_]|$)`,
		Before:      8,
		After:       256,
		MinEntropy:  3.5,
	}
}
