package detectors

func init() { register(StripeWebhookSecret) }

// StripeWebhookSecret finds webhook signing secrets: whsec_ + 32 or more characters
// (Stripe's dashboard: 32 alphanumerics; the Stripe CLI: 64 hex digits). Services built on
// Svix (Clerk, Resend, …) use the same prefix with a base64 body, which is as much a secret,
// so the body may hold + and / and end in padding. Whoever holds it can forge events the
// receiver trusts; there is nothing to verify, only to roll.
//
// References: https://docs.stripe.com/webhooks#verify-events
func StripeWebhookSecret() *Detector {
	return &Detector{
		ID:          "stripe-webhook-secret",
		Description: "Stripe (or Svix) webhook signing secret",
		// "whse", not "whsec_": the latter is indexed under "ec"/"c_", common in source.
		Keywords:   []string{"whse"},
		Pattern:    `(?:^|[^0-9A-Za-z_+/-])(whsec_[0-9A-Za-z+/]{32,88}={0,2})(?:[^0-9A-Za-z_+/=-]|$)`,
		Before:     8,
		After:      104,
		MinEntropy: 3.5,
		RotateURL:  "https://docs.stripe.com/webhooks#roll-endpoint-secrets",
	}
}
