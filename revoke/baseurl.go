package revoke

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// BaseURL checks that raw (or def when raw is empty) is an absolute http(s) URL without
// credentials, query or fragment, and returns it with a trailing slash, ready for
// base + "relative/path".
func BaseURL(raw, def string) (string, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("base URL %q is not an absolute http(s) URL without credentials or query", redactedURL(raw))
	}
	s := u.String()
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// Endpoint is what a provider whose leaked token checks and revokes itself (GitLab, Slack,
// npm) needs: the shared client, the API root and how long to wait for a revocation to show.
type Endpoint struct {
	Client  *Client
	Base    string
	Confirm time.Duration
}

// NewEndpoint checks baseURL (def when empty) and builds provider name's client; confirm
// defaults to defConfirm.
func NewEndpoint(name, baseURL, def string, h ClientOptions, confirm, defConfirm time.Duration) (Endpoint, error) {
	base, err := BaseURL(baseURL, def)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%s: %w", name, err)
	}
	h.Provider = name
	if confirm <= 0 {
		confirm = defConfirm
	}
	return Endpoint{Client: NewClient(h), Base: base, Confirm: confirm}, nil
}
