package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
	"golang.org/x/time/rate"

	"github.com/patrolsec/patrol/internal/httpx"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/secret"
)

// Name is the provider key.
const Name = "github"

// DefaultBaseURL is the github.com REST API root.
const DefaultBaseURL = "https://api.github.com/"

// MaxBatch is the most credentials one POST /credentials/revoke takes.
const MaxBatch = 1000

// DefaultConfirmTimeout is how long the pipeline's confirm step should keep calling Verify
// after Revoke before it calls the revocation unconfirmed. GitHub documents no delay: its
// revoke endpoint answers 202 Accepted, and a 202 does not say which tokens were valid, so
// only Verify (GET /user answering 401) confirms.
const DefaultConfirmTimeout = 2 * time.Minute

// Config configures a Provider.
type Config struct {
	// BaseURL is the REST root with a trailing slash: DefaultBaseURL, or
	// https://{host}/api/v3/ for GitHub Enterprise Server.
	BaseURL string
	// HTTP shapes the client used for every call.
	HTTP revoke.ClientOptions
	// RevokeLimiter paces POST /credentials/revoke; nil means 60 an hour (burst 60), GitHub's
	// unauthenticated budget.
	RevokeLimiter *rate.Limiter
}

// Provider is the GitHub provider. It is safe for concurrent use.
type Provider struct {
	c      *revoke.Client
	anon   *gh.Client // never holds a token
	revLim *rate.Limiter
}

// New returns a Provider for cfg.
func New(cfg Config) (*Provider, error) {
	base, err := httpx.BaseURL(cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("github: %w", err)
	}
	cfg.HTTP.Provider = Name
	c := revoke.NewClient(cfg.HTTP)
	anon := gh.NewClient(c.HTTPClient())
	anon.BaseURL = u
	anon.UserAgent = c.UserAgent()
	p := &Provider{c: c, anon: anon, revLim: cfg.RevokeLimiter}
	if p.revLim == nil {
		p.revLim = rate.NewLimiter(rate.Every(time.Hour/60), 60)
	}
	return p, nil
}

// Name returns "github".
func (p *Provider) Name() string { return Name }

// Verify checks tok with GET /user and reads the owner's e-mail from GET /user/emails when the
// token's scopes allow it.
//
// GitHub API docs: https://docs.github.com/rest/users/users#get-the-authenticated-user,
// https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user
//
//meta:operation GET /user
//meta:operation GET /user/emails
func (p *Provider) Verify(ctx context.Context, tok secret.Token, _ revoke.Hints) (revoke.Verification, error) {
	client := p.anon.WithAuthToken(tok.Reveal())
	u, resp, err := client.Users.Get(ctx, "")
	v := revoke.Verification{CheckedAt: p.c.Now()}
	if err != nil {
		err = p.apiError("GET /user", resp, err)
		v.Status = revoke.StatusOf(err)
		if v.Status == revoke.StatusDead {
			return v, nil
		}
		return v, err
	}
	v.Status = revoke.StatusLive
	v.Identity = revoke.Identity{
		ID:    strconv.FormatInt(u.GetID(), 10),
		Login: u.GetLogin(),
		Name:  u.GetName(),
		Email: u.GetEmail(),
	}
	scopesHeader, classic := resp.Header["X-Oauth-Scopes"]
	if classic {
		v.Identity.Scopes = splitScopes(strings.Join(scopesHeader, ","))
	}
	if !resp.TokenExpiration.IsZero() {
		v.Identity.Expires = resp.TokenExpiration.Time
	}
	// Classic tokens list their scopes; fine-grained ones do not, so just try.
	if !classic || hasAny(v.Identity.Scopes, "user", "user:email") {
		emails, _, err := client.Users.ListEmails(ctx, nil)
		if err != nil {
			p.c.Logger().DebugContext(ctx, "owner e-mail unavailable", "provider", Name, "err", p.apiError("GET /user/emails", nil, err).Error())
		}
		for _, e := range emails {
			if e.GetPrimary() && e.GetVerified() && e.GetEmail() != "" {
				v.Identity.Email = e.GetEmail()
				break
			}
		}
	}
	return v, nil
}

// Revoke revokes one token; see RevokeBatch.
func (p *Provider) Revoke(ctx context.Context, tok secret.Token, v revoke.Verification) error {
	return p.RevokeBatch(ctx, []revoke.Target{{Token: tok, Verification: v}})[0]
}

// RevokeBatch revokes tokens with POST /credentials/revoke, sent without an Authorization
// header, MaxBatch tokens per call, paced by the revoke limiter. A token's error is nil when
// its call answered 202 Accepted; RevokeBatch does not re-check the tokens (see
// DefaultConfirmTimeout). ghs_ installation tokens are not accepted by the endpoint and get
// ErrNotSupported.
//
// GitHub API docs: https://docs.github.com/rest/credentials/revoke#revoke-a-list-of-credentials
//
//meta:operation POST /credentials/revoke
func (p *Provider) RevokeBatch(ctx context.Context, targets []revoke.Target) []error {
	errs := make([]error, len(targets))
	var idx []int
	for i, t := range targets {
		switch {
		case t.Verification.Status != revoke.StatusLive:
			errs[i] = fmt.Errorf("github: %w (%s)", revoke.ErrNotLive, t.Verification.Status)
		case !revocable(t.Token.Reveal()):
			errs[i] = fmt.Errorf("github: %w: credentials/revoke takes personal access, OAuth, user-to-server and refresh tokens only", revoke.ErrNotSupported)
		default:
			idx = append(idx, i)
		}
	}
	for start := 0; start < len(idx); start += MaxBatch {
		chunk := idx[start:min(start+MaxBatch, len(idx))]
		creds := make([]string, len(chunk))
		for j, i := range chunk {
			creds[j] = targets[i].Token.Reveal()
		}
		err := p.revokeCall(ctx, creds)
		for _, i := range chunk {
			errs[i] = err
		}
	}
	return errs
}

func (p *Provider) revokeCall(ctx context.Context, creds []string) error {
	const op = "POST /credentials/revoke"
	if err := p.c.Pace(ctx, op, p.revLim); err != nil {
		return err
	}
	req, err := p.anon.NewRequest(http.MethodPost, "credentials/revoke", map[string][]string{"credentials": creds})
	if err != nil {
		return fmt.Errorf("github: build %s: %w", op, errors.New("bad base URL"))
	}
	resp, err := p.anon.Do(ctx, req, nil)
	var accepted *gh.AcceptedError
	switch {
	case errors.As(err, &accepted):
		return nil
	case err != nil:
		return p.apiError(op, resp, err)
	case resp.StatusCode == http.StatusAccepted:
		return nil
	}
	return &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "want 202 Accepted"}
}

// apiError turns a go-github error into a *revoke.APIError that carries no URL.
func (p *Provider) apiError(op string, resp *gh.Response, err error) error {
	var ae *revoke.APIError
	if errors.As(err, &ae) {
		ae.Op = op
		return ae
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &revoke.APIError{Provider: Name, Op: op, Err: err}
	}
	e := &revoke.APIError{Provider: Name, Op: op}
	var er *gh.ErrorResponse
	var rl *gh.RateLimitError
	var ab *gh.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		e.StatusCode, e.Code = rl.Response.StatusCode, "rate limit exceeded"
		e.RetryAfter = max(rl.Rate.Reset.Sub(p.c.Now()), time.Second)
	case errors.As(err, &ab):
		e.StatusCode, e.Code = ab.Response.StatusCode, "secondary rate limit"
		e.RetryAfter = time.Minute
		if ab.RetryAfter != nil {
			e.RetryAfter = *ab.RetryAfter
		}
	case errors.As(err, &er) && er.Response != nil:
		e.StatusCode, e.Code = er.Response.StatusCode, er.Message
		e.RetryAfter = p.c.RetryAfter(er.Response.Header)
		if e.StatusCode == http.StatusTooManyRequests && e.RetryAfter == 0 {
			e.Kind = revoke.ErrRateLimited
		}
	case resp != nil && resp.Response != nil:
		e.StatusCode = resp.StatusCode
		e.Err = errors.New("unreadable response")
	default:
		// go-github's own errors (JSON decoding) can quote the URL; keep only their kind.
		e.Kind, e.Err = revoke.ErrUnexpected, errors.New("malformed response")
	}
	if len(e.Code) > 200 {
		e.Code = e.Code[:200]
	}
	return e
}

func revocable(tok string) bool {
	for _, p := range []string{"ghp_", "github_pat_", "gho_", "ghu_", "ghr_"} {
		if strings.HasPrefix(tok, p) {
			return true
		}
	}
	return false
}

// splitScopes parses the X-OAuth-Scopes header: "repo, user:email".
func splitScopes(h string) []string {
	var out []string
	for _, s := range strings.Split(h, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func hasAny(have []string, want ...string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}
