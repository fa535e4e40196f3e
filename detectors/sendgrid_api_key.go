package detectors

func init() { register(SendGridAPIKey) }

// SendGridAPIKey finds Twilio SendGrid API keys: SG. + 22-character key id + "." + 43-character
// secret, both base64url.
//
// References: https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys
func SendGridAPIKey() *Detector {
	return &Detector{
		ID:          "sendgrid-api-key",
		Description: "SendGrid API key",
		Provider:    "sendgrid",
		RotateURL:   "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",
		// "sg." also hits "msg." in code; the window is small and the pattern is strict.
		Keywords:   []string{"sg."},
		Pattern:    `(?:^|[^0-9A-Za-z_.-])(SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43})(?:[^0-9A-Za-z_.-]|$)`,
		Before:     8,
		After:      72,
		MinEntropy: 4,
	}
}
