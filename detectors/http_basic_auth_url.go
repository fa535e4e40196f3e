package detectors

import (
	"net/netip"
	"strings"
)

func init() { register(HTTPBasicAuthURL) }

// HTTPBasicAuthURL finds passwords written into HTTP URLs, https://user:password@host/…, the
// basic-auth credentials that browsers, curl, git and package managers send (the scheme in
// lower case, as it is written in practice). The token is the password alone. URLs are everywhere in documentation, so this detector is stricter than the
// other URL detectors: besides urlcred.go's rules (placeholders, defaults, reserved and
// loopback hosts), the password must be at least eight bytes with 3 bits of entropy per byte,
// hold a digit or an upper-case letter (lower-case words such as "not-a-password" are
// samples; generated passwords and tokens mix classes), and the host must be a domain name
// with a dot or an IP address — "user:pass@host" is a sample. A
// known token in the password (a GitHub PAT in a git remote) is also found by its own
// detector; the scanner keeps the more confident one.
//
// References: https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1
func HTTPBasicAuthURL() *Detector {
	return &Detector{
		ID:          "http-basic-auth-url",
		Description: "Password in an HTTP(S) URL (basic authentication)",
		Keywords:    []string{"http://", "https://"},
		// A literal, lower-case start lets RE2 skip to each "http" at once: this pattern runs
		// at every URL in the text, so it must cost little where there is no password.
		Pattern:          `https?://` + urlUserChars + `:(` + urlPassChars + `)@` + urlHostChars,
		Before:           8,
		After:            320,
		Broad:            true, // any credential may be the password; a specific detector wins
		KeepPlaceholders: true, // passwordOK checks the decoded password instead
		ValidateMatch:    validHTTPPassword,
		RotateURL:        "https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/Authentication#access_using_credentials_in_the_url",
	}
}

// minHTTPPassword and minHTTPEntropy are the stricter bars of HTTPBasicAuthURL.
const (
	minHTTPPassword = 8
	minHTTPEntropy  = 3.0
)

// validHTTPPassword is validURLPassword with the stricter bars, and hosts that are domain
// names or IP addresses.
func validHTTPPassword(match []byte, start, end int) (Confidence, bool) {
	_, pw, hosts, ok := urlUserinfo(string(match[bytesIndexScheme(match):]))
	if !ok || !strings.ContainsFunc(pw, func(r rune) bool { return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' }) {
		return "", false
	}
	for _, h := range hosts {
		if !strings.Contains(h, ".") && !isIP(h) {
			return "", false
		}
	}
	return validURLPassword(minHTTPPassword, minHTTPEntropy)(match, start, end)
}

func isIP(h string) bool {
	_, err := netip.ParseAddr(strings.Trim(h, "[]"))
	return err == nil
}
