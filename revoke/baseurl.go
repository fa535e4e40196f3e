package revoke

import (
	"fmt"
	"net/url"
	"strings"
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
