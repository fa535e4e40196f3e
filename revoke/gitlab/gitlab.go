package gitlab

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/secret"
)

// Name is the provider key.
const Name = "gitlab"

// DefaultBaseURL is gitlab.com.
const DefaultBaseURL = "https://gitlab.com/"

// DefaultConfirmTimeout is how long the pipeline's confirm step should keep calling Verify
// after Revoke before it calls the revocation unconfirmed. GitLab documents no delay after
// the DELETE's 204.
const DefaultConfirmTimeout = time.Minute

// Config configures a Provider: the base URL (see revoke.EndpointConfig) and the HTTP client.
type Config = revoke.EndpointConfig

// Provider is the GitLab provider. It is safe for concurrent use.
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

// Name returns "gitlab".
func (p *Provider) Name() string { return Name }

func (p *Provider) do(ctx context.Context, tok secret.Token, method, op, path string) (*revoke.Response, error) {
	return p.e.Client.Do(ctx, &revoke.Request{
		Op: op, Method: method, URL: p.e.Base + path,
		Header: http.Header{"Private-Token": {tok.Reveal()}, "Accept": {"application/json"}},
	})
}

// Verify checks tok with GET /api/v4/personal_access_tokens/self (401 means dead) and reads
// the owner from GET /api/v4/user, which needs read_user or api scope; without it the owner is
// only the numeric user id.
//
// GitLab API docs: https://docs.gitlab.com/api/personal_access_tokens/#get-details-on-a-personal-access-token,
// https://docs.gitlab.com/api/users/#get-the-current-user
//
//meta:operation GET /api/v4/personal_access_tokens/self
//meta:operation GET /api/v4/user
func (p *Provider) Verify(ctx context.Context, tok secret.Token, _ revoke.Hints) (revoke.Verification, error) {
	const op = "GET /api/v4/personal_access_tokens/self"
	resp, err := p.do(ctx, tok, http.MethodGet, op, "api/v4/personal_access_tokens/self")
	v := revoke.Verification{CheckedAt: p.e.Client.Now(), Status: revoke.StatusOf(err)}
	if err != nil {
		if v.Status == revoke.StatusDead {
			return v, nil
		}
		return v, err
	}
	self, err := ParseSelf(resp.Body)
	if err != nil {
		v.Status = revoke.StatusUnknown
		return v, &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Err: err}
	}
	if self.Revoked || !self.Active {
		// A 200 for a revoked or inactive token is off-contract (GitLab answers 401); do not
		// guess either way.
		v.Status = revoke.StatusUnknown
		return v, &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "token reported revoked or inactive"}
	}
	v.Identity = revoke.Identity{ID: strconv.FormatInt(self.UserID, 10), Scopes: self.Scopes}
	if t, err := time.Parse(time.DateOnly, self.ExpiresAt); err == nil {
		v.Identity.Expires = t
	}
	const uop = "GET /api/v4/user"
	resp, err = p.do(ctx, tok, http.MethodGet, uop, "api/v4/user")
	if err == nil {
		var u User
		if u, err = ParseUser(resp.Body); err == nil {
			v.Identity.Login, v.Identity.Name = u.Username, u.Name
			v.Identity.Email = cmp.Or(u.Email, u.PublicEmail, u.CommitEmail)
			if u.ID != 0 {
				v.Identity.ID = strconv.FormatInt(u.ID, 10)
			}
		}
	}
	if err != nil {
		p.e.Client.Logger().DebugContext(ctx, "owner details unavailable", "provider", Name, "err", err.Error())
	}
	return v, nil
}

// Revoke revokes tok with DELETE /api/v4/personal_access_tokens/self, authenticated by tok
// itself, and returns nil on the documented 204 without re-checking the token (the pipeline's
// confirm step calls Verify). A 401 to the DELETE also returns nil: the token no longer
// authenticates (revoked or expired since Verify), which Verify will report as dead.
//
// GitLab API docs: https://docs.gitlab.com/api/personal_access_tokens/#revoke-a-personal-access-token
//
//meta:operation DELETE /api/v4/personal_access_tokens/self
func (p *Provider) Revoke(ctx context.Context, tok secret.Token, v revoke.Verification) error {
	if v.Status != revoke.StatusLive {
		return fmt.Errorf("gitlab: %w (%s)", revoke.ErrNotLive, v.Status)
	}
	const op = "DELETE /api/v4/personal_access_tokens/self"
	resp, err := p.do(ctx, tok, http.MethodDelete, op, "api/v4/personal_access_tokens/self")
	switch {
	case errors.Is(err, revoke.ErrUnauthorized):
	case err != nil:
		return err
	case resp.StatusCode != http.StatusNoContent:
		return &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "want 204 No Content"}
	}
	return nil
}

// Self is the body of GET /api/v4/personal_access_tokens/self.
type Self struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Revoked   bool     `json:"revoked"`
	Active    bool     `json:"active"`
	Scopes    []string `json:"scopes"`
	UserID    int64    `json:"user_id"`
	ExpiresAt string   `json:"expires_at"` // "2026-01-31" or null
}

// ParseSelf decodes a personal_access_tokens/self body.
func ParseSelf(b []byte) (Self, error) {
	var s Self
	if err := json.Unmarshal(b, &s); err != nil {
		return Self{}, errors.New("malformed token details")
	}
	if s.UserID == 0 {
		return Self{}, errors.New("token details without user_id")
	}
	return s, nil
}

// User is the part of GET /api/v4/user that patrol reads.
type User struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	PublicEmail string `json:"public_email"`
	CommitEmail string `json:"commit_email"`
}

// ParseUser decodes a /api/v4/user body.
func ParseUser(b []byte) (User, error) {
	var u User
	if err := json.Unmarshal(b, &u); err != nil {
		return User{}, errors.New("malformed user")
	}
	return u, nil
}
