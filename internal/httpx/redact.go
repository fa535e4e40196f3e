package httpx

import (
	"net/url"
	"strings"
)

// RedactURL returns raw fit for an error message, a log line or a report. Of a URL
// ("scheme://…") it keeps the scheme, host, port and path, and drops:
//
//   - the user information, whole: a password, and a user name that may itself be a token
//     (git accepts https://<token>@github.com/…);
//   - the query: token, access_token, private_token, client_secret, key, sig (signed URLs)
//     and whatever name the next API picks travel there, so no parameter is kept;
//   - the fragment (OAuth implicit grants put access_token there).
//
// A URL that url.Parse rejects keeps only "scheme://host/…". A string without "://" (a local
// path, an scp-like git address "git@host:org/repo") loses any query or fragment, and a
// "user:password@" before its first slash; an SSH login ("git@") is not a secret and stays.
//
// RedactURL does not look for tokens in the path: callers whose API puts one there (npm's
// DELETE /-/npm/v1/tokens/token/{token}) must name such requests by a template instead.
func RedactURL(raw string) string {
	if !strings.Contains(raw, "://") {
		return redactNonURL(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		scheme, rest, _ := strings.Cut(raw, "://")
		host := rest
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		if i := strings.LastIndexByte(host, '@'); i >= 0 {
			host = host[i+1:]
		}
		return scheme + "://" + host + "/…"
	}
	u.User = nil
	u.RawQuery, u.ForceQuery = "", false
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// redactNonURL is RedactURL for a path or an scp-like address.
func redactNonURL(s string) string {
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	head := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		head = s[:i]
	}
	if at := strings.LastIndexByte(head, '@'); at >= 0 && strings.Contains(head[:at], ":") {
		s = s[at+1:]
	}
	return s
}
