package whoami_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/internal/revtest"
	"github.com/patrolsec/patrol/revoke/whoami"
	"github.com/patrolsec/patrol/secret"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// contract is one issuer's documented API, written from its docs (named in each Spec's
// comment) independently of the Spec under test: the route, how the token is carried, the
// fixed headers, the documented live answer and bad-token answer, and the self-revoke.
type contract struct {
	spec  whoami.Spec
	route string // ServeMux pattern of the verify call
	// token reads the token from a request as the issuer documents it; false when it is not
	// carried that way.
	token     func(r *http.Request) (string, bool)
	header    map[string]string // fixed headers the issuer requires
	live      string            // documented 200 body
	deadCode  int               // documented bad-token status
	deadBody  string
	wantDead  revoke.Status // what the bad-token answer must give (unknown for Datadog's 403)
	want      revoke.Identity
	revoke    string // ServeMux pattern of the self-revoke call, "" when none is documented
	revokeOK  int    // its documented success status
	revokeFn  func(t *testing.T, r *http.Request, tok string)
	makeToken func() string
}

func bearer(prefix, header string) func(r *http.Request) (string, bool) {
	return func(r *http.Request) (string, bool) {
		return strings.CutPrefix(r.Header.Get(header), prefix)
	}
}

func contracts() []contract {
	return []contract{
		{
			spec: whoami.HuggingFace, route: "GET /api/whoami-v2", token: bearer("Bearer ", "Authorization"),
			live: `{"type":"user","id":"62f264b9f3c90f4b6514a269","name":"jdoe","fullname":"Jane Doe","email":"jdoe@example.com",` +
				`"emailVerified":true,"orgs":[],"auth":{"type":"access_token","accessToken":{"displayName":"ci","role":"write"}}}`,
			deadCode: 401, deadBody: `{"error":"Invalid credentials in Authorization header"}`, wantDead: revoke.StatusDead,
			want: revoke.Identity{ID: "62f264b9f3c90f4b6514a269", Login: "jdoe", Name: "Jane Doe", Email: "jdoe@example.com", Scopes: []string{"write"}},
		},
		{
			spec: whoami.Doppler, route: "GET /v3/me", token: bearer("Bearer ", "Authorization"),
			live:     `{"slug":"0c1e2f","name":"ci token","created_at":"2025-01-01T00:00:00.000Z","type":"service_token","token_preview":"dp.st.x…","workplace":{"slug":"acme","name":"Acme"}}`,
			deadCode: 401, deadBody: `{"messages":["Invalid Auth token"],"success":false}`, wantDead: revoke.StatusDead,
			want:      revoke.Identity{ID: "0c1e2f", Name: "ci token", Org: "Acme", OrgID: "acme"},
			makeToken: func() string { return "dp.st." + revtest.Random(43, base62) },
			revoke:    "POST /v3/auth/revoke", revokeOK: 200,
			revokeFn: func(t *testing.T, r *http.Request, tok string) {
				var body struct{ Token string }
				if err := jsonDecode(r, &body); err != nil || body.Token != tok {
					t.Errorf("revoke body does not carry the token as {\"token\": …} (err %v)", err)
				}
			},
		},
		{
			spec: whoami.DigitalOcean, route: "GET /v2/account", token: bearer("Bearer ", "Authorization"),
			live:     `{"account":{"droplet_limit":25,"email":"jdoe@example.com","uuid":"b6fr89dbf6d9156cace5f3c78dc9851d957381ef","email_verified":true,"status":"active","team":{"uuid":"5df3e3004a17e242b7c20ca6c9fc25b701a47ece","name":"My Team"}}}`,
			deadCode: 401, deadBody: `{"id":"Unauthorized","message":"Unable to authenticate you."}`, wantDead: revoke.StatusDead,
			want:      revoke.Identity{ID: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", Email: "jdoe@example.com", Org: "My Team", OrgID: "5df3e3004a17e242b7c20ca6c9fc25b701a47ece"},
			makeToken: func() string { return "dop_v1_" + revtest.Random(64, "0123456789abcdef") },
		},
		{
			spec: whoami.Postman, route: "GET /me", token: bearer("", "X-Api-Key"),
			live:     `{"user":{"id":12345678,"username":"jdoe","email":"jdoe@example.com","fullName":"Jane Doe","avatar":"","isPublic":true,"teamId":123,"teamName":"Acme","teamDomain":"acme"},"operations":[]}`,
			deadCode: 401, deadBody: `{"error":{"name":"AuthenticationError","message":"Invalid API Key. Every request requires a valid API Key to be sent."}}`, wantDead: revoke.StatusDead,
			want: revoke.Identity{ID: "12345678", Login: "jdoe", Name: "Jane Doe", Email: "jdoe@example.com", Org: "Acme", OrgID: "123"},
		},
		{
			spec: whoami.Telegram, route: "GET /{bot}/getMe",
			token:    func(r *http.Request) (string, bool) { return strings.CutPrefix(r.PathValue("bot"), "bot") },
			live:     `{"ok":true,"result":{"id":9007199254740993,"is_bot":true,"first_name":"Deploy Bot","username":"deploy_bot","can_join_groups":true}}`,
			deadCode: 401, deadBody: `{"ok":false,"error_code":401,"description":"Unauthorized"}`, wantDead: revoke.StatusDead,
			want:      revoke.Identity{ID: "9007199254740993", Login: "deploy_bot", Name: "Deploy Bot"},
			makeToken: func() string { return revtest.Random(10, "0123456789") + ":" + revtest.Random(35, base62+"_-") },
		},
		{
			spec: whoami.SendGrid, route: "GET /v3/scopes", token: bearer("Bearer ", "Authorization"),
			live:     `{"scopes":["mail.send","alerts.read"]}`,
			deadCode: 401, deadBody: `{"errors":[{"field":null,"message":"authorization required"}]}`, wantDead: revoke.StatusDead,
			want: revoke.Identity{Scopes: []string{"mail.send", "alerts.read"}},
		},
		{
			spec: whoami.Cloudflare, route: "GET /client/v4/user/tokens/verify", token: bearer("Bearer ", "Authorization"),
			live:     `{"success":true,"errors":[],"messages":[{"code":10000,"message":"This API Token is valid and active","type":null}],"result":{"id":"f267e341f3dd4697bd3b9f71dd96247f","status":"active","not_before":"2018-07-01T05:20:00Z"}}`,
			deadCode: 401, deadBody: `{"success":false,"errors":[{"code":1000,"message":"Invalid API Token"}],"messages":[],"result":null}`, wantDead: revoke.StatusDead,
		},
		{
			spec: whoami.Datadog, route: "GET /api/v1/validate", token: bearer("", "DD-API-KEY"),
			live:     `{"valid":true}`,
			deadCode: 403, deadBody: `{"errors":["Forbidden"]}`, wantDead: revoke.StatusUnknown,
			makeToken: func() string { return revtest.Random(32, "0123456789abcdef") },
		},
		{
			spec: whoami.CircleCI, route: "GET /api/v2/me", token: bearer("", "Circle-Token"),
			live:     `{"id":"5ab1a5c1-6b6b-4c5a-9e1d-3d2b1e9f0a11","login":"jdoe","name":"Jane Doe"}`,
			deadCode: 401, deadBody: `{"message":"You must log in first."}`, wantDead: revoke.StatusDead,
			want: revoke.Identity{ID: "5ab1a5c1-6b6b-4c5a-9e1d-3d2b1e9f0a11", Login: "jdoe", Name: "Jane Doe"},
		},
		{
			spec: whoami.Buildkite, route: "GET /v2/access-token", token: bearer("Bearer ", "Authorization"),
			live:     `{"uuid":"b63254c0-3271-4a98-8270-7cfbd6c2f14e","scopes":["read_builds"],"description":"Development Token","created_at":"2025-07-16 06:07:42 UTC","user":{"email":"jdoe@example.com","name":"Jane Doe"}}`,
			deadCode: 401, deadBody: `{"message":"Authentication required. Please supply a valid API Access Token: https://buildkite.com/docs/apis/rest-api#authentication"}`, wantDead: revoke.StatusDead,
			want:   revoke.Identity{Name: "Jane Doe", Email: "jdoe@example.com", Scopes: []string{"read_builds"}},
			revoke: "DELETE /v2/access-token", revokeOK: 204,
		},
		{
			spec: whoami.Notion, route: "GET /v1/users/me", token: bearer("Bearer ", "Authorization"),
			header:   map[string]string{"Notion-Version": "2022-06-28"},
			live:     `{"object":"user","id":"16d84278-ab0e-484c-9bdd-b35da3bd8905","name":"pied piper","avatar_url":null,"type":"bot","bot":{"owner":{"type":"user","user":{"object":"user","id":"5389a034-eb5c-47b5-8a9e-f79c99ef166c","name":"christine makenotion","avatar_url":null,"type":"person","person":{"email":"christine@example.com"}}},"workspace_name":"Acme"}}`,
			deadCode: 401, deadBody: `{"object":"error","status":401,"code":"unauthorized","message":"API token is invalid."}`, wantDead: revoke.StatusDead,
			want: revoke.Identity{ID: "16d84278-ab0e-484c-9bdd-b35da3bd8905", Name: "pied piper", Email: "christine@example.com", Org: "Acme"},
		},
		{
			spec: whoami.Heroku, route: "GET /account", token: bearer("Bearer ", "Authorization"),
			header:   map[string]string{"Accept": "application/vnd.heroku+json; version=3"},
			live:     `{"allow_tracking":true,"beta":false,"created_at":"2012-01-01T12:00:00Z","email":"jdoe@example.com","id":"01234567-89ab-cdef-0123-456789abcdef","name":"Jane Doe","verified":true}`,
			deadCode: 401, deadBody: `{"id":"unauthorized","message":"Invalid credentials provided."}`, wantDead: revoke.StatusDead,
			want: revoke.Identity{ID: "01234567-89ab-cdef-0123-456789abcdef", Name: "Jane Doe", Email: "jdoe@example.com"},
		},
		{
			spec: whoami.Discord, route: "GET /api/v10/users/@me", token: bearer("Bot ", "Authorization"),
			live:     `{"id":"80351110224678912","username":"deploybot","discriminator":"0","global_name":null,"avatar":null,"bot":true}`,
			deadCode: 401, deadBody: `{"message":"401: Unauthorized","code":0}`, wantDead: revoke.StatusDead,
			want: revoke.Identity{ID: "80351110224678912", Login: "deploybot"},
		},
		{
			spec: whoami.Stripe, route: "GET /v1/account", token: bearer("Bearer ", "Authorization"),
			live:     `{"id":"acct_1Nv0FGQ9RKHgCVdK","object":"account","business_profile":{"name":"Acme Inc."},"email":"jdoe@example.com","settings":{"dashboard":{"display_name":"Acme"}}}`,
			deadCode: 401, deadBody: `{"error":{"message":"Invalid API Key provided: sk_live_****","type":"invalid_request_error"}}`, wantDead: revoke.StatusDead,
			want: revoke.Identity{ID: "acct_1Nv0FGQ9RKHgCVdK", Name: "Acme", Email: "jdoe@example.com", Org: "Acme Inc."},
		},
	}
}

// fake serves one contract: the verify route and, when documented, the revoke route; any
// other request fails the test (revtest.Server).
type fake struct {
	t   *testing.T
	c   contract
	srv *revtest.Server

	mu      sync.Mutex
	tokens  map[string]bool // token → revoked
	script  []int           // statuses to answer first, in order
	liveFor string          // body override for a live token
}

func newFake(t *testing.T, c contract) *fake {
	f := &fake{t: t, c: c, tokens: map[string]bool{}}
	routes := map[string]http.HandlerFunc{c.route: f.verify}
	if c.revoke != "" {
		routes[c.revoke] = f.revoke
	}
	f.srv = revtest.NewServer(t, routes)
	return f
}

// authed checks the documented headers and returns the live token, or answers as the issuer
// does for a bad one.
func (f *fake) authed(w http.ResponseWriter, r *http.Request) (string, bool) {
	for k, v := range f.c.header {
		if got := r.Header.Get(k); got != v {
			f.t.Errorf("%s: header %s = %q, want %q", f.c.route, k, got, v)
		}
	}
	tok, ok := f.c.token(r)
	f.mu.Lock()
	revoked, known := f.tokens[tok]
	f.mu.Unlock()
	if !ok || !known || revoked {
		w.WriteHeader(f.c.deadCode)
		_, _ = w.Write([]byte(f.c.deadBody))
		return "", false
	}
	return tok, true
}

func (f *fake) scripted(w http.ResponseWriter) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.script) == 0 {
		return false
	}
	code := f.script[0]
	f.script = f.script[1:]
	if code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "7")
	}
	w.WriteHeader(code)
	return true
}

func (f *fake) verify(w http.ResponseWriter, r *http.Request) {
	if f.scripted(w) {
		return
	}
	if _, ok := f.authed(w, r); ok {
		body := f.c.live
		if f.liveFor != "" {
			body = f.liveFor
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}
}

func (f *fake) revoke(w http.ResponseWriter, r *http.Request) {
	if f.scripted(w) {
		return
	}
	tok, ok := f.authed(w, r)
	if !ok {
		return
	}
	if f.c.revokeFn != nil {
		f.c.revokeFn(f.t, r, tok)
	}
	f.mu.Lock()
	f.tokens[tok] = true
	f.mu.Unlock()
	w.WriteHeader(f.c.revokeOK)
	if f.c.revokeOK == 200 {
		_, _ = w.Write([]byte(`{}`))
	}
}

func (f *fake) token() secret.Token {
	raw := revtest.Random(40, base62)
	if f.c.makeToken != nil {
		raw = f.c.makeToken()
	}
	f.mu.Lock()
	f.tokens[raw] = false
	f.mu.Unlock()
	return secret.New(raw)
}

func provider(t *testing.T, f *fake, clk *revtest.Clock, log *revtest.Log) *whoami.Provider {
	t.Helper()
	p, err := whoami.New(f.c.spec, whoami.Config{BaseURL: f.srv.URL, HTTP: revtest.Options(clk, log)})
	if err != nil {
		t.Fatalf("New(%s) = %v", f.c.spec.Name, err)
	}
	return p
}

func TestVerify(t *testing.T) {
	t.Parallel()
	for _, c := range contracts() {
		t.Run(c.spec.Name, func(t *testing.T) {
			t.Parallel()
			tests := []struct {
				name      string
				known     bool
				script    []int
				want      revoke.Status
				wantIs    error
				wantCalls int
				wantSleep time.Duration
			}{
				{name: "live", known: true, want: revoke.StatusLive, wantCalls: 1},
				{name: "bad token", want: c.wantDead, wantCalls: 1},
				{name: "403 unknown", known: true, script: []int{403}, want: revoke.StatusUnknown, wantIs: revoke.ErrForbidden, wantCalls: 1},
				{name: "5xx unknown after retries", known: true, script: []int{502, 502, 502}, want: revoke.StatusUnknown, wantIs: revoke.ErrServer, wantCalls: 3},
				{name: "429 waits Retry-After", known: true, script: []int{429}, want: revoke.StatusLive, wantCalls: 2, wantSleep: 7 * time.Second},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					f := newFake(t, c)
					f.script = tt.script
					tok := f.token()
					if !tt.known {
						tok = secret.New(revtest.Random(40, base62))
						if c.makeToken != nil {
							tok = secret.New(c.makeToken())
						}
					}
					clk, log := revtest.NewClock(), &revtest.Log{}
					got, err := provider(t, f, clk, log).Verify(t.Context(), tok, revoke.Hints{})
					if got.Status != tt.want {
						t.Errorf("Verify() = %s, %v, want %s", got.Status, err, tt.want)
					}
					switch {
					case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
						t.Errorf("Verify() error = %v, want %v", err, tt.wantIs)
					case tt.want != revoke.StatusUnknown && err != nil:
						t.Errorf("Verify() error = %v, want nil", err)
					case tt.want == revoke.StatusUnknown && err == nil:
						t.Errorf("Verify() = unknown without an error")
					}
					if tt.want == revoke.StatusLive {
						if diff := cmp.Diff(c.want, got.Identity); diff != "" {
							t.Errorf("Verify() identity (-want +got):\n%s", diff)
						}
					}
					if n := f.srv.Calls(c.route); n != tt.wantCalls {
						t.Errorf("%s calls = %d, want %d", c.route, n, tt.wantCalls)
					}
					if tt.wantSleep > 0 && !cmp.Equal(clk.Sleeps(), []time.Duration{tt.wantSleep}) {
						t.Errorf("sleeps = %v, want [%v] (Retry-After)", clk.Sleeps(), tt.wantSleep)
					}
					revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
					if strings.Contains(revtest.ErrText(err)+log.String(), f.srv.URL) {
						t.Errorf("a request URL reached an error or log line")
					}
				})
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	for _, c := range contracts() {
		t.Run(c.spec.Name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, c)
			tok := f.token()
			clk, log := revtest.NewClock(), &revtest.Log{}
			p := provider(t, f, clk, log)
			if p.CanRevoke() != (c.revoke != "") {
				t.Errorf("CanRevoke() = %v, want %v (documented self-revoke: %q)", p.CanRevoke(), c.revoke != "", c.revoke)
			}
			var _ revoke.Unrevocable = p
			if err := p.RevokeUnsupported(); (err == nil) != (c.revoke != "") || err != nil && !errors.Is(err, revoke.ErrNotSupported) {
				t.Errorf("RevokeUnsupported() = %v, want nil only with a documented self-revoke", err)
			}
			if err := p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusDead}); !errors.Is(err, revoke.ErrNotLive) {
				t.Errorf("Revoke(dead) = %v, want ErrNotLive", err)
			}
			v, err := p.Verify(t.Context(), tok, revoke.Hints{})
			if err != nil || v.Status != revoke.StatusLive {
				t.Fatalf("Verify() = %s, %v", v.Status, err)
			}
			err = p.Revoke(t.Context(), tok, v)
			if c.revoke == "" {
				if !errors.Is(err, revoke.ErrNotSupported) || !strings.Contains(revtest.ErrText(err), c.spec.Display) {
					t.Errorf("Revoke() = %v, want ErrNotSupported naming %s", err, c.spec.Display)
				}
				if n := f.srv.Total(); n != 1 {
					t.Errorf("requests = %d, want 1 (Verify's only)", n)
				}
				revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
				return
			}
			if err != nil {
				t.Fatalf("Revoke() = %v", err)
			}
			if n := f.srv.Calls(c.revoke); n != 1 {
				t.Errorf("%s calls = %d, want 1", c.revoke, n)
			}
			revtest.NoPoll(t, f.srv, c.route, 1)
			revtest.WantVerify(t, p, tok, revoke.StatusDead)
			// Already revoked: the bad-token answer means nothing is left to revoke.
			if err := p.Revoke(t.Context(), tok, v); err != nil {
				t.Errorf("Revoke(already revoked) = %v, want nil", err)
			}
			f.script = []int{503, 503, 503}
			if err := p.Revoke(t.Context(), f.token(), v); !errors.Is(err, revoke.ErrServer) {
				t.Errorf("Revoke(5xx) = %v, want ErrServer", err)
			}
			revtest.NoLeak(t, tok, log.String())
		})
	}
}

// TestVerifyBodyVerdicts: issuers whose 200 carries the verdict (Cloudflare's status,
// Datadog's valid, Telegram's ok), and answers off the contract, which are unknown.
func TestVerifyBodyVerdicts(t *testing.T) {
	t.Parallel()
	byName := map[string]contract{}
	for _, c := range contracts() {
		byName[c.spec.Name] = c
	}
	tests := []struct {
		name, issuer, body string
		want               revoke.Status
		wantIs             error
	}{
		{name: "cloudflare expired", issuer: "cloudflare", body: `{"success":true,"result":{"id":"x","status":"expired"}}`, want: revoke.StatusDead},
		{name: "cloudflare disabled", issuer: "cloudflare", body: `{"success":true,"result":{"id":"x","status":"disabled"}}`, want: revoke.StatusUnknown, wantIs: revoke.ErrUnexpected},
		{name: "datadog valid false", issuer: "datadog", body: `{"valid":false}`, want: revoke.StatusUnknown, wantIs: revoke.ErrUnexpected},
		{name: "telegram ok false", issuer: "telegram", body: `{"ok":false}`, want: revoke.StatusUnknown, wantIs: revoke.ErrUnexpected},
		{name: "not json", issuer: "huggingface", body: `<html>sign in</html>`, want: revoke.StatusUnknown, wantIs: revoke.ErrUnexpected},
		{name: "no owner id", issuer: "heroku", body: `{"email":"x@example.com"}`, want: revoke.StatusUnknown, wantIs: revoke.ErrUnexpected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, byName[tt.issuer])
			f.liveFor = tt.body
			tok := f.token()
			clk, log := revtest.NewClock(), &revtest.Log{}
			got, err := provider(t, f, clk, log).Verify(t.Context(), tok, revoke.Hints{})
			if got.Status != tt.want || (tt.wantIs == nil) != (err == nil) || tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Verify() = %s, %v, want %s, %v", got.Status, err, tt.want, tt.wantIs)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
		})
	}
}

// TestVerifyOtherKinds: tokens of the issuer that its "who am I" call does not take
// (DigitalOcean refresh tokens, Doppler SCIM tokens) would be refused with the status that
// means dead, so they are unknown, and no request is made.
func TestVerifyOtherKinds(t *testing.T) {
	t.Parallel()
	byName := map[string]contract{}
	for _, c := range contracts() {
		byName[c.spec.Name] = c
	}
	tests := []struct{ issuer, token string }{
		{"digitalocean", "dor_v1_" + revtest.Random(64, "0123456789abcdef")},
		{"doppler", "dp.scim." + revtest.Random(43, base62)},
		{"doppler", "dp.audit." + revtest.Random(43, base62)},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, byName[tt.issuer])
			tok := secret.New(tt.token)
			clk, log := revtest.NewClock(), &revtest.Log{}
			p := provider(t, f, clk, log)
			v, err := p.Verify(t.Context(), tok, revoke.Hints{})
			if v.Status != revoke.StatusUnknown || !errors.Is(err, revoke.ErrNotSupported) {
				t.Errorf("Verify() = %s, %v, want unknown, ErrNotSupported", v.Status, err)
			}
			if err := p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive}); !errors.Is(err, revoke.ErrNotSupported) {
				t.Errorf("Revoke() = %v, want ErrNotSupported", err)
			}
			if n := f.srv.Total(); n != 0 {
				t.Errorf("requests = %d, want 0", n)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
		})
	}
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	if _, err := whoami.New(whoami.Spec{}, whoami.Config{}); err == nil {
		t.Error("New(empty spec) = nil error")
	}
	if _, err := whoami.New(whoami.Stripe, whoami.Config{BaseURL: "http://api.example.com/"}); err == nil {
		t.Error("New(plain http to a remote host) = nil error")
	}
}

func TestSpecsDistinct(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, s := range whoami.Specs {
		if seen[s.Name] || s.Display == "" || s.DefaultBaseURL == "" {
			t.Errorf("spec %q: duplicate, or no display name or base URL", s.Name)
		}
		seen[s.Name] = true
	}
	if len(seen) != len(contracts()) {
		t.Errorf("Specs has %d issuers, the contract table %d: test each", len(seen), len(contracts()))
	}
}
