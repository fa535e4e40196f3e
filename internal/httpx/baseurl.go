package httpx

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// BaseURL checks that raw (or def when raw is empty) is an absolute URL that may carry a
// credential — https, or plain http to a loopback address only — without user information,
// query or fragment, and returns it with a trailing slash, ready for base + "relative/path".
// Tokens (a leaked one being verified, an admin PAT, a listing token) must never travel
// unencrypted to another host.
func BaseURL(raw, def string) (string, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("base URL %q is not an absolute http(s) URL without credentials or query", RedactURL(raw))
	}
	if !Secure(u) {
		return "", fmt.Errorf("base URL %q: plain http is only allowed to a loopback address; use https", RedactURL(raw))
	}
	s := u.String()
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// Secure reports whether u may carry a credential: https, or http to a loopback address.
func Secure(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u.Host != ""
	case "http":
		return Loopback(u.Hostname())
	}
	return false
}

// Loopback reports whether host (without port or brackets) is localhost or a loopback IP.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		return ip.IsLoopback()
	}
	return false
}

// ResetEpoch reads a rate-limit reset header (X-RateLimit-Reset of GitHub and Azure DevOps,
// RateLimit-Reset of GitLab): Unix seconds.
func ResetEpoch(v string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

// Sleep waits d or until ctx ends, whichever is first, and returns ctx.Err() in the second case.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
