package detectors

func init() { register(MailchimpAPIKey) }

// MailchimpAPIKey finds Mailchimp Marketing API keys: 32 lower-case hex digits, a dash and the
// account's data center (us1 … us21), which is also the API host (https://us6.api.mailchimp.com).
// The data-center suffix is the structure that sets the key apart from any hex string. The
// keywords are "<last hex digit>-us", so the prefilter indexes the rare pairs "0-" … "f-" and
// "-u" rather than the common "us".
//
// References: https://mailchimp.com/developer/marketing/guides/quick-start/#generate-your-api-key
func MailchimpAPIKey() *Detector {
	const hex = "0123456789abcdef"
	kws := make([]string, 0, len(hex))
	for _, c := range hex {
		kws = append(kws, string(c)+"-us")
	}
	return &Detector{
		ID:          "mailchimp-api-key",
		Description: "Mailchimp Marketing API key",
		Keywords:    kws,
		Pattern:     bounded(`[0-9a-f]{32}-us[1-9][0-9]?`),
		Before:      40,
		After:       8,
		MinEntropy:  3,
		RotateURL:   "https://mailchimp.com/help/about-api-keys/",
	}
}
