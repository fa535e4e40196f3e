package revoke

import (
	"fmt"

	"github.com/patrolsec/patrol/internal/httpx"
)

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
	base, err := httpx.BaseURL(cfg.BaseURL, def)
	if err != nil {
		return Endpoint{}, fmt.Errorf("%s: %w", name, err)
	}
	cfg.HTTP.Provider = name
	return Endpoint{Client: NewClient(cfg.HTTP), Base: base}, nil
}
