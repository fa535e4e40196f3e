package whoami

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/secret"
)

// DefaultConfirmTimeout is how long the pipeline's confirm step keeps calling Verify after a
// self-revoke was accepted, for issuers that document no delay.
const DefaultConfirmTimeout = time.Minute

// Spec is one issuer's self-check and, when documented, self-revoke.
type Spec struct {
	// Name is the provider key, as in detectors.Detector.Provider ("huggingface").
	Name string
	// Display names the issuer for people ("Hugging Face").
	Display string
	// DefaultBaseURL is the API root the paths are relative to ("https://huggingface.co/").
	DefaultBaseURL string
	// Prefixes, when set, are the prefixes of the tokens the calls accept: the detector may
	// find others of the issuer's (DigitalOcean refresh tokens, Doppler SCIM tokens) that the
	// "who am I" call would refuse with the very status that means dead. Verify reports those
	// unknown without a request, and Revoke does not try them.
	Prefixes []string
	// Auth says how the token travels.
	Auth Auth
	// Header holds fixed headers the issuer requires (Notion-Version, Heroku's Accept).
	Header http.Header
	// Verify is the read-only "who am I" call.
	Verify Call
	// Dead lists the statuses of Verify the issuer documents for a bad token; nil means 401.
	Dead []int
	// Check, when set, reads the verdict from a 2xx body (Cloudflare's result.status,
	// Datadog's valid, Telegram's ok).
	Check *Check
	// Owner says where the owner is in a 2xx body of Verify.
	Owner Fields
	// Revoke is the documented self-revoke call, authenticated by the token itself; nil when
	// the issuer documents none.
	Revoke *Call
	// ConfirmTimeout is how long the confirm step should poll Verify after Revoke; zero means
	// DefaultConfirmTimeout.
	ConfirmTimeout time.Duration
}

// Auth is how a request carries the token.
type Auth struct {
	// Header is the header that carries it ("Authorization", "X-Api-Key"); empty when the
	// token is in the path.
	Header string
	// Prefix goes before the token in Header ("Bearer ", "Bot ").
	Prefix string
}

// Call is one documented API call.
type Call struct {
	// Method is the HTTP method.
	Method string
	// Path is relative to the base URL; "{token}" in it is replaced by the path-escaped
	// token (Telegram's bot{token}/getMe).
	Path string
	// Body, when set, builds the JSON request body from the token (Doppler's revoke).
	Body func(tok string) any
}

// op names c by its documented template, for errors and logs.
func (c Call) op() string { return c.Method + " /" + c.Path }

// Check reads a verdict from a 2xx body: the value at Path equal to Live is live, a value in
// Dead is dead, anything else (or nothing) is unknown.
type Check struct {
	Path string
	Live string
	Dead []string
}

// Fields are dotted JSON paths into the Verify answer ("user.email"); empty paths are not
// read. ID, when set, must be present, or the answer is off the contract.
type Fields struct {
	ID, Login, Name, Email, Org, OrgID string
	// Scopes is the path of an array of strings, or of one space-separated string.
	Scopes string
}

// Config configures a Provider: the base URL (empty means Spec.DefaultBaseURL) and the HTTP
// client.
type Config = revoke.EndpointConfig

// Provider verifies (and, where documented, revokes) one issuer's tokens with the token
// itself. It is safe for concurrent use.
type Provider struct {
	s Spec
	e revoke.Endpoint
}

// New returns the Provider of spec s for cfg.
func New(s Spec, cfg Config) (*Provider, error) {
	if s.Name == "" || s.Verify.Method == "" {
		return nil, errors.New("whoami: spec without a name or a verify call")
	}
	e, err := revoke.NewEndpoint(s.Name, s.DefaultBaseURL, cfg)
	if err != nil {
		return nil, err
	}
	return &Provider{s: s, e: e}, nil
}

// Name returns the provider key.
func (p *Provider) Name() string { return p.s.Name }

// CanRevoke reports whether the issuer documents a self-revoke that Revoke calls.
func (p *Provider) CanRevoke() bool { return p.s.Revoke != nil }

// ConfirmWindow returns how long the pipeline's confirm step should keep calling Verify after
// Revoke was accepted: ConfirmTimeout, else DefaultConfirmTimeout.
func (s Spec) ConfirmWindow() time.Duration {
	if s.ConfirmTimeout > 0 {
		return s.ConfirmTimeout
	}
	return DefaultConfirmTimeout
}

func (p *Provider) do(ctx context.Context, tok secret.Token, c Call) (*revoke.Response, error) {
	h := http.Header{"Accept": {"application/json"}}
	for k, vs := range p.s.Header {
		h[k] = append([]string(nil), vs...)
	}
	raw := tok.Reveal()
	if p.s.Auth.Header != "" {
		h.Set(p.s.Auth.Header, p.s.Auth.Prefix+raw)
	}
	var body []byte
	if c.Body != nil {
		b, err := json.Marshal(c.Body(raw))
		if err != nil {
			return nil, &revoke.APIError{Provider: p.s.Name, Op: c.op(), Err: errors.New("encode request body")}
		}
		body = b
		h.Set("Content-Type", "application/json")
	}
	path := strings.ReplaceAll(c.Path, "{token}", url.PathEscape(raw))
	// The client keys an exhausted rate limit by the Authorization header; tokens carried in
	// X-Api-Key, Circle-Token, DD-API-KEY or the path get a key of their own (a hash, never
	// the token), so that one token's exhausted budget does not stall the others.
	sum := sha256.Sum256([]byte(raw))
	return p.e.Client.Do(ctx, &revoke.Request{Op: c.op(), Method: c.Method, URL: p.e.Base + path, Header: h, Body: body,
		RateKey: p.s.Name + ":" + hex.EncodeToString(sum[:8])})
}

func (p *Provider) dead(status int) bool {
	if p.s.Dead == nil {
		return status == http.StatusUnauthorized
	}
	return slices.Contains(p.s.Dead, status)
}

// Verify makes the issuer's "who am I" call with tok: 2xx is live (unless Check reads
// otherwise) with the owner read from the answer, a documented bad-token status is dead,
// anything else unknown with the error that kept it from deciding.
func (p *Provider) Verify(ctx context.Context, tok secret.Token, _ revoke.Hints) (revoke.Verification, error) {
	op := p.s.Verify.op()
	v := revoke.Verification{CheckedAt: p.e.Client.Now(), Status: revoke.StatusUnknown}
	if err := p.accepts(tok); err != nil {
		return v, err
	}
	resp, err := p.do(ctx, tok, p.s.Verify)
	if err != nil {
		if resp != nil && p.dead(resp.StatusCode) {
			v.Status = revoke.StatusDead
			return v, nil
		}
		return v, err
	}
	unexpected := func(code string) error {
		return &revoke.APIError{Provider: p.s.Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: code}
	}
	doc, err := decode(resp.Body)
	if err != nil {
		return v, unexpected("body is not JSON")
	}
	if c := p.s.Check; c != nil {
		got, _ := lookup(doc, c.Path)
		switch {
		case got == c.Live:
		case got != "" && slices.Contains(c.Dead, got):
			v.Status = revoke.StatusDead
			return v, nil
		default:
			return v, unexpected(fmt.Sprintf("%s is %q, not %q", c.Path, clip(got), c.Live))
		}
	}
	id, err := p.s.Owner.read(doc)
	if err != nil {
		return v, unexpected(err.Error())
	}
	v.Status, v.Identity = revoke.StatusLive, id
	return v, nil
}

// Revoke makes the issuer's documented self-revoke call with tok, and returns nil on its 2xx
// without re-checking (the pipeline's confirm step calls Verify). A bad-token answer also
// returns nil: the token no longer authenticates, nothing is left to revoke. An issuer with no
// documented self-revoke gives ErrNotSupported, naming the issuer.
func (p *Provider) Revoke(ctx context.Context, tok secret.Token, v revoke.Verification) error {
	if v.Status != revoke.StatusLive {
		return fmt.Errorf("%s: %w (%s)", p.s.Name, revoke.ErrNotLive, v.Status)
	}
	if err := p.RevokeUnsupported(); err != nil {
		return err
	}
	if err := p.accepts(tok); err != nil {
		return err
	}
	resp, err := p.do(ctx, tok, *p.s.Revoke)
	if err != nil && resp != nil && p.dead(resp.StatusCode) {
		return nil
	}
	return err
}

// accepts returns ErrNotSupported when tok is not of a kind the calls take (Spec.Prefixes).
func (p *Provider) accepts(tok secret.Token) error {
	if len(p.s.Prefixes) == 0 {
		return nil
	}
	raw := tok.Reveal()
	for _, pre := range p.s.Prefixes {
		if strings.HasPrefix(raw, pre) {
			return nil
		}
	}
	return fmt.Errorf("%s: %w: %s %s takes only tokens starting %s", p.s.Name, revoke.ErrNotSupported,
		p.s.Display, p.s.Verify.op(), strings.Join(p.s.Prefixes, ", "))
}

// RevokeUnsupported implements revoke.Unrevocable: ErrNotSupported, naming the issuer, when
// it documents no self-revoke; nil otherwise.
func (p *Provider) RevokeUnsupported() error {
	if p.s.Revoke != nil {
		return nil
	}
	return fmt.Errorf("%s: %w: %s documents no API call that revokes a token with the token itself; its owner must rotate it",
		p.s.Name, revoke.ErrNotSupported, p.s.Display)
}

// decode parses a JSON body keeping numbers exact (Telegram and Discord ids pass 2^53).
func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// lookup returns the string, number or boolean at the dotted path, as text, and whether it
// was there.
func lookup(doc any, path string) (string, bool) {
	v, ok := at(doc, path)
	if !ok {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

func at(doc any, path string) (any, bool) {
	if path == "" {
		return nil, false
	}
	cur := doc
	for k := range strings.SplitSeq(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok || cur == nil {
			return nil, false
		}
	}
	return cur, true
}

func (f Fields) read(doc any) (revoke.Identity, error) {
	get := func(p string) string { s, _ := lookup(doc, p); return s }
	id := revoke.Identity{ID: get(f.ID), Login: get(f.Login), Name: get(f.Name), Email: get(f.Email),
		Org: get(f.Org), OrgID: get(f.OrgID)}
	if f.ID != "" && id.ID == "" {
		return revoke.Identity{}, fmt.Errorf("no %s", f.ID)
	}
	switch s, _ := at(doc, f.Scopes); x := s.(type) {
	case []any:
		for _, e := range x {
			if str, ok := e.(string); ok {
				id.Scopes = append(id.Scopes, str)
			}
		}
	case string:
		id.Scopes = strings.Fields(x)
	}
	return id, nil
}

// clip keeps an answer's value short in an error code.
func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}
