package detectors

func init() { register(DropboxAccessToken) }

// DropboxAccessToken finds Dropbox short-lived OAuth access tokens: sl. (optionally a
// one-letter kind and a dot, as in sl.u.) + 130 to 1400 characters of [0-9A-Za-z_-]. They
// expire within hours, but a leak in a recent commit is still live, and the refresh token
// that minted it is often beside it.
//
// References: https://developers.dropbox.com/oauth-guide
func DropboxAccessToken() *Detector {
	return &Detector{
		ID:          "dropbox-access-token",
		Description: "Dropbox short-lived access token",
		Keywords:    []string{"sl."},
		Pattern:     `(?:^|[^0-9A-Za-z_.-])(sl\.(?:[a-z]\.)?[0-9A-Za-z_-]{130,1000}[0-9A-Za-z_-]{0,400})(?:[^0-9A-Za-z_.-]|$)`,
		Before:      8,
		After:       1420,
		MinEntropy:  4.5,
		Validate:    mixedAlnum,
		RotateURL:   "https://www.dropbox.com/developers/documentation/http/documentation#auth-token-revoke",
	}
}
