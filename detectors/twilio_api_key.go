package detectors

func init() { register(TwilioAPIKey) }

// TwilioAPIKey finds Twilio API key SIDs: SK + 32 lower-case hex digits. Their only literal
// part, "SK", is far too common for the keyword prefilter, so the scanner calls this detector
// on runs of exactly 34 characters from [0-9a-fSK] instead. The SID is half of a credential
// (the key secret is the other half), but it marks a leak and names the account.
//
// References: https://www.twilio.com/docs/iam/api-keys
func TwilioAPIKey() *Detector {
	return &Detector{
		ID:          "twilio-api-key",
		Description: "Twilio API key SID",
		RotateURL:   "https://www.twilio.com/docs/iam/api-keys",
		Run:         &Run{Charset: "0123456789abcdefSK", MinLen: 34, MaxLen: 34},
		Pattern:     `(?:^|[^0-9A-Za-z_])(SK[0-9a-f]{32})(?:[^0-9A-Za-z_]|$)`,
		MinEntropy:  3,
	}
}
