package detectors

func init() { register(MailgunAPIKey) }

// MailgunAPIKey finds Mailgun private API keys: the legacy key-<32 hex> and the current
// <32 hex>-<8 hex>-<8 hex>. Neither has a literal part selective enough for the prefilter
// ("key-" is everywhere), so the word mailgun (any case) must come at most 200 bytes
// before the key: MAILGUN_API_KEY=…, mailgun: {api_key: …}, mailgun.client({key: …}). The public validation key (pubkey-…) is not a
// secret and is not reported.
//
// References: https://help.mailgun.com/hc/en-us/articles/203380100-Where-can-I-find-my-API-keys-and-SMTP-credentials
func MailgunAPIKey() *Detector {
	return &Detector{
		ID:          "mailgun-api-key",
		Description: "Mailgun private API key (after the word mailgun)",
		Keywords:    []string{"mailgun"},
		Pattern: `(?i:mailgun)(?s:.){0,200}?[^0-9A-Za-z_-]` +
			`(key-[0-9a-f]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})` + endB,
		Before:     8,
		After:      256,
		MinEntropy: 3,
		RotateURL:  "https://help.mailgun.com/hc/en-us/articles/203380100-Where-can-I-find-my-API-keys-and-SMTP-credentials",
	}
}
