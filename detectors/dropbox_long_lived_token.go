package detectors

func init() { register(DropboxLongLivedToken) }

// DropboxLongLivedToken finds Dropbox long-lived access tokens (no longer issued, still
// valid until revoked): 11 characters, ten A's, 43 characters, all [0-9A-Za-z_-]. The ten A's
// are the only fixed part, so the token must follow "dropbox" on the same line, or sit
// nested below it under a key or token name (dropbox:⏎ access_token: …).
//
// References: https://developers.dropbox.com/oauth-guide
func DropboxLongLivedToken() *Detector {
	return &Detector{
		ID:          "dropbox-long-lived-token",
		Description: "Dropbox long-lived access token (next to the word dropbox)",
		Keywords:    []string{"dropbox"},
		Pattern:     afterKeyword(`dropbox`, `[0-9A-Za-z_-]{11}AAAAAAAAAA[0-9A-Za-z_-]{43}`, `0-9A-Za-z_+/-`),
		Before:      8,
		After:       256,
		MinEntropy:  4,
		Validate:    mixedAlnum,
		RotateURL:   "https://www.dropbox.com/developers/documentation/http/documentation#auth-token-revoke",
	}
}
