package npm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/secret"
)

// Name is the provider key.
const Name = "npm"

// DefaultBaseURL is the public registry.
const DefaultBaseURL = "https://registry.npmjs.org/"

// DefaultConfirmTimeout is how long the pipeline's confirm step should keep calling Verify
// after Revoke before it calls the revocation unconfirmed. npm documents no delay (nor the
// DELETE's exact success status, PROVIDERS.md §5).
const DefaultConfirmTimeout = time.Minute

// Config configures a Provider: the base URL (see revoke.EndpointConfig) and the HTTP client.
type Config = revoke.EndpointConfig

// Provider is the npm provider. It is safe for concurrent use.
type Provider struct {
	e revoke.Endpoint
}

// New returns a Provider for cfg.
func New(cfg Config) (*Provider, error) {
	e, err := revoke.NewEndpoint(Name, DefaultBaseURL, cfg)
	if err != nil {
		return nil, err
	}
	return &Provider{e: e}, nil
}

// Name returns "npm".
func (p *Provider) Name() string { return Name }

func (p *Provider) do(ctx context.Context, tok secret.Token, method, op, path string) (*revoke.Response, error) {
	return p.e.Client.Do(ctx, &revoke.Request{
		Op: op, Method: method, URL: p.e.Base + path,
		Header: http.Header{"Authorization": {"Bearer " + tok.Reveal()}, "Accept": {"application/json"}},
	})
}

// Verify checks tok with GET /-/whoami (401 means dead) and reads the e-mail from
// GET /-/npm/v1/user.
//
// npm docs: https://github.com/npm/registry/blob/main/docs/user/authentication.md,
// https://github.com/npm/npm-profile
//
//meta:operation GET /-/whoami
//meta:operation GET /-/npm/v1/user
func (p *Provider) Verify(ctx context.Context, tok secret.Token, _ revoke.Hints) (revoke.Verification, error) {
	const op = "GET /-/whoami"
	resp, err := p.do(ctx, tok, http.MethodGet, op, "-/whoami")
	v := revoke.Verification{CheckedAt: p.e.Client.Now(), Status: revoke.StatusOf(err)}
	if err != nil {
		if v.Status == revoke.StatusDead {
			return v, nil
		}
		return v, err
	}
	var who struct {
		Username string `json:"username"`
	}
	if json.Unmarshal(resp.Body, &who) != nil || who.Username == "" {
		v.Status = revoke.StatusUnknown
		return v, &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "no username"}
	}
	v.Identity = revoke.Identity{ID: who.Username, Login: who.Username}
	const uop = "GET /-/npm/v1/user"
	resp, err = p.do(ctx, tok, http.MethodGet, uop, "-/npm/v1/user")
	if err == nil {
		var prof struct {
			Name     string `json:"name"`
			Email    string `json:"email"`
			FullName string `json:"fullname"`
		}
		if json.Unmarshal(resp.Body, &prof) == nil {
			v.Identity.Email, v.Identity.Name = prof.Email, prof.FullName
		}
	} else {
		p.e.Client.Logger().DebugContext(ctx, "owner profile unavailable", "provider", Name, "err", err.Error())
	}
	return v, nil
}

// Revoke deletes tok with DELETE /-/npm/v1/tokens/token/{token}, authenticated by tok itself,
// and returns nil on any 2xx without re-checking the token (the pipeline's confirm step calls
// Verify). A 401 asking for a one-time password (2FA on writes) or naming an IP restriction
// gives ErrNotSupported; a plain 401 returns nil: the token no longer authenticates, which
// Verify will report as dead.
//
// npm docs: https://docs.npmjs.com/cli/commands/npm-token (npm-profile removeToken)
//
//meta:operation DELETE /-/npm/v1/tokens/token/{token}
func (p *Provider) Revoke(ctx context.Context, tok secret.Token, v revoke.Verification) error {
	if v.Status != revoke.StatusLive {
		return fmt.Errorf("npm: %w (%s)", revoke.ErrNotLive, v.Status)
	}
	const op = "DELETE /-/npm/v1/tokens/token/{token}"
	resp, err := p.do(ctx, tok, http.MethodDelete, op, "-/npm/v1/tokens/token/"+url.PathEscape(tok.Reveal()))
	if errors.Is(err, revoke.ErrUnauthorized) && resp != nil {
		switch wa := strings.ToLower(strings.Join(resp.Header.Values("WWW-Authenticate"), " ")); {
		case strings.Contains(wa, "otp"):
			return fmt.Errorf("npm: %w: the registry asks for a one-time password (2FA on writes); revoke it with npm token revoke", revoke.ErrNotSupported)
		case strings.Contains(wa, "ipaddress"):
			return fmt.Errorf("npm: %w: the token is restricted to other IP addresses", revoke.ErrNotSupported)
		}
		err = nil // the token no longer authenticates: nothing left to revoke
	}
	return err
}
