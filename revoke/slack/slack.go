package slack

import (
	"cmp"
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
const Name = "slack"

// DefaultBaseURL is the Web API root.
const DefaultBaseURL = "https://slack.com/api/"

// DefaultConfirmTimeout is how long the pipeline's confirm step should keep calling Verify
// after Revoke before it calls the revocation unconfirmed. Slack documents no delay after
// auth.revoke's {"ok":true,"revoked":true}.
const DefaultConfirmTimeout = time.Minute

// Config configures a Provider: the base URL (see revoke.EndpointConfig) and the HTTP client.
type Config = revoke.EndpointConfig

// Provider is the Slack provider. It is safe for concurrent use.
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

// Name returns "slack".
func (p *Provider) Name() string { return Name }

// call sends one Web API method and maps ok:false to an *APIError whose Kind is the sentinel
// the error code stands for.
func (p *Provider) call(ctx context.Context, tok secret.Token, method, op, path string, out any) error {
	h := http.Header{"Authorization": {"Bearer " + tok.Reveal()}, "Accept": {"application/json"}}
	var body []byte
	if method == http.MethodPost {
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		body = []byte{}
	}
	resp, err := p.e.Client.Do(ctx, &revoke.Request{Op: op, Method: method, URL: p.e.Base + path, Header: h, Body: body})
	if err != nil {
		return err
	}
	env, err := ParseEnvelope(resp.Body)
	if err != nil {
		return &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Err: err}
	}
	if !env.OK {
		return &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Code: env.Error, Kind: kindOf(env.Error)}
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Err: errors.New("malformed body")}
		}
	}
	return nil
}

func kindOf(code string) error {
	switch code {
	case "invalid_auth", "account_inactive", "token_revoked", "token_expired":
		return revoke.ErrUnauthorized
	case "ratelimited":
		return revoke.ErrRateLimited
	case "missing_scope", "not_allowed_token_type", "no_permission":
		return revoke.ErrForbidden
	}
	return revoke.ErrUnexpected
}

// Verify checks tok with POST auth.test and reads the owner's e-mail with GET users.info,
// which works only when the token has users:read.email.
//
// Slack API docs: https://api.slack.com/methods/auth.test, https://api.slack.com/methods/users.info
//
//meta:operation POST /auth.test
//meta:operation GET /users.info
func (p *Provider) Verify(ctx context.Context, tok secret.Token, _ revoke.Hints) (revoke.Verification, error) {
	var at AuthTest
	err := p.call(ctx, tok, http.MethodPost, "POST /auth.test", "auth.test", &at)
	v := revoke.Verification{CheckedAt: p.e.Client.Now(), Status: revoke.StatusOf(err)}
	if err != nil {
		if v.Status == revoke.StatusDead {
			return v, nil
		}
		return v, err
	}
	if at.UserID == "" && at.BotID == "" {
		v.Status = revoke.StatusUnknown
		return v, &revoke.APIError{Provider: Name, Op: "POST /auth.test", StatusCode: http.StatusOK, Kind: revoke.ErrUnexpected, Code: "no user_id"}
	}
	v.Identity = revoke.Identity{
		ID: at.UserID, Login: at.User, Org: at.Team, OrgID: at.TeamID, Tenant: at.EnterpriseID,
	}
	if at.UserID != "" {
		var ui UsersInfo
		err := p.call(ctx, tok, http.MethodGet, "GET /users.info", "users.info?user="+url.QueryEscape(at.UserID), &ui)
		if err != nil {
			p.e.Client.Logger().DebugContext(ctx, "owner e-mail unavailable", "provider", Name, "err", err.Error())
		} else {
			v.Identity.Email = ui.User.Profile.Email
			v.Identity.Name = cmp.Or(ui.User.RealName, ui.User.Profile.RealName)
		}
	}
	return v, nil
}

// Revoke revokes tok with POST auth.revoke, authenticated by tok itself, and returns nil on
// {"ok":true,"revoked":true} without re-checking the token (the pipeline's confirm step calls
// Verify). An answer that the token no longer authenticates (invalid_auth, token_revoked,
// token_expired, account_inactive) also returns nil: Verify will report it dead.
// {"ok":true,"revoked":false} is what the test=1 dry run answers, and is ErrUnexpected.
//
// Slack API docs: https://api.slack.com/methods/auth.revoke
//
//meta:operation POST /auth.revoke
func (p *Provider) Revoke(ctx context.Context, tok secret.Token, v revoke.Verification) error {
	if v.Status != revoke.StatusLive {
		return fmt.Errorf("slack: %w (%s)", revoke.ErrNotLive, v.Status)
	}
	var r struct {
		Revoked bool `json:"revoked"`
	}
	err := p.call(ctx, tok, http.MethodPost, "POST /auth.revoke", "auth.revoke", &r)
	switch {
	case errors.Is(err, revoke.ErrUnauthorized):
	case err != nil:
		return err
	case !r.Revoked:
		return &revoke.APIError{Provider: Name, Op: "POST /auth.revoke", StatusCode: http.StatusOK, Kind: revoke.ErrUnexpected, Code: "revoked:false"}
	}
	return nil
}

// Envelope is what every Web API answer carries.
type Envelope struct {
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

// ParseEnvelope decodes the ok/error part of a Web API answer. The error code is kept only
// when it looks like one (lower-case words), so that no free text reaches an error message.
func ParseEnvelope(b []byte) (Envelope, error) {
	var e Envelope
	if err := json.Unmarshal(b, &e); err != nil {
		return Envelope{}, errors.New("malformed body")
	}
	if !e.OK && !isCode(e.Error) {
		e.Error = "unknown_error"
	}
	return e, nil
}

func isCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz_.") == ""
}

// AuthTest is the body of auth.test.
type AuthTest struct {
	URL          string `json:"url"`
	Team         string `json:"team"`
	User         string `json:"user"`
	TeamID       string `json:"team_id"`
	UserID       string `json:"user_id"`
	BotID        string `json:"bot_id"`
	EnterpriseID string `json:"enterprise_id"`
}

// UsersInfo is the part of users.info that patrol reads.
type UsersInfo struct {
	User struct {
		RealName string `json:"real_name"`
		Profile  struct {
			Email    string `json:"email"`
			RealName string `json:"real_name"`
		} `json:"profile"`
	} `json:"user"`
}
