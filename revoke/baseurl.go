package revoke

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/patrolsec/patrol/internal/httpx"
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
		return "", fmt.Errorf("base URL %q is not an absolute http(s) URL without credentials or query", httpx.RedactURL(raw))
	}
	s := u.String()
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// EndpointConfig configures a provider whose leaked token checks and revokes itself (GitLab,
// Slack, npm); each of those packages calls it Config.
type EndpointConfig struct {
	// BaseURL is the root the provider's paths are relative to (GitLab: the instance root, not
	// /api/v4; Slack: the Web API root; npm: the registry root); empty means the provider's
	// DefaultBaseURL.
	BaseURL string
	// HTTP shapes the client used for every call.
	HTTP ClientOptions
}

// Endpoint is what such a provider needs: the shared client and the API root.
type Endpoint struct {
	Client *Client
	Base   string
}

// NewEndpoint checks cfg.BaseURL (def when empty) and builds provider name's client.
func NewEndpoint(name, def string, cfg EndpointConfig) (Endpoint, error) {
	base, err := BaseURL(cfg.BaseURL, def)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%s: %w", name, err)
	}
	cfg.HTTP.Provider = name
	return Endpoint{Client: NewClient(cfg.HTTP), Base: base}, nil
}
