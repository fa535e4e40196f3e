package slack_test

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
	"github.com/patrolsec/patrol/revoke/slack"
	"github.com/patrolsec/patrol/secret"
)

// fake behaves as PROVIDERS.md §4 documents Slack: HTTP 200 with ok:false for failures,
// Bearer auth, auth.test / auth.revoke / users.info.
type fake struct {
	t   *testing.T
	srv *revtest.Server

	mu       sync.Mutex
	tokens   map[string]bool // token → revoked
	emailOK  bool
	testFn   http.HandlerFunc
	revokeFn http.HandlerFunc
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, tokens: map[string]bool{}, emailOK: true}
	f.srv = revtest.NewServer(t, map[string]http.HandlerFunc{
		"POST /api/auth.test":   f.authTest,
		"POST /api/auth.revoke": f.authRevoke,
		"GET /api/users.info":   f.usersInfo,
	})
	return f
}

func (f *fake) live(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		_, _ = w.Write([]byte(`{"ok":false,"error":"not_authed"}`))
		return false
	}
	f.mu.Lock()
	revoked, known := f.tokens[tok]
	f.mu.Unlock()
	switch {
	case !known:
		_, _ = w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
		return false
	case revoked:
		_, _ = w.Write([]byte(`{"ok":false,"error":"token_revoked"}`))
		return false
	}
	return true
}

func (f *fake) authTest(w http.ResponseWriter, r *http.Request) {
	if f.testFn != nil {
		f.testFn(w, r)
		return
	}
	if !f.live(w, r) {
		return
	}
	_, _ = w.Write([]byte(`{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"jane","team_id":"T012AB3C4","user_id":"U061F7AUR","enterprise_id":"E0AB"}`))
}

func (f *fake) authRevoke(w http.ResponseWriter, r *http.Request) {
	if f.revokeFn != nil {
		f.revokeFn(w, r)
		return
	}
	if r.Method != http.MethodPost {
		f.t.Errorf("auth.revoke by %s", r.Method)
	}
	if !f.live(w, r) {
		return
	}
	f.mu.Lock()
	f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] = true
	f.mu.Unlock()
	_, _ = w.Write([]byte(`{"ok":true,"revoked":true}`))
}

func (f *fake) usersInfo(w http.ResponseWriter, r *http.Request) {
	if !f.live(w, r) {
		return
	}
	if r.URL.Query().Get("user") != "U061F7AUR" {
		f.t.Errorf("users.info user = %q", r.URL.Query().Get("user"))
	}
	if !f.emailOK {
		_, _ = w.Write([]byte(`{"ok":false,"error":"missing_scope","needed":"users:read.email","provided":"chat:write"}`))
		return
	}
	_, _ = w.Write([]byte(`{"ok":true,"user":{"id":"U061F7AUR","name":"jane","real_name":"Jane Doe","profile":{"email":"jane@acme.example","real_name":"Jane Doe"}}}`))
}

func (f *fake) add(tok secret.Token) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[tok.Reveal()] = false
}

func newProvider(t *testing.T, f *fake, clk *revtest.Clock, log *revtest.Log) *slack.Provider {
	t.Helper()
	p, err := slack.New(slack.Config{BaseURL: f.srv.URL + "/api/", HTTP: revtest.Options(clk, log)})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return p
}

func okFalse(code string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"ok":false,"error":"` + code + `"}`))
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	liveID := revoke.Identity{ID: "U061F7AUR", Login: "jane", Org: "Acme", OrgID: "T012AB3C4", Tenant: "E0AB"}
	withEmail := liveID
	withEmail.Email, withEmail.Name = "jane@acme.example", "Jane Doe"
	tests := []struct {
		name      string
		known     bool
		emailOK   bool
		testFn    http.HandlerFunc
		want      revoke.Status
		wantID    revoke.Identity
		wantIs    error
		wantCalls int
	}{
		{name: "live with email scope", known: true, emailOK: true, want: revoke.StatusLive, wantID: withEmail, wantCalls: 1},
		{name: "live without email scope", known: true, want: revoke.StatusLive, wantID: liveID, wantCalls: 1},
		{name: "invalid_auth is dead", want: revoke.StatusDead, wantCalls: 1},
		{name: "token_revoked is dead", testFn: okFalse("token_revoked"), want: revoke.StatusDead, wantCalls: 1},
		{name: "account_inactive is dead", testFn: okFalse("account_inactive"), want: revoke.StatusDead, wantCalls: 1},
		{name: "not_authed is unknown", testFn: okFalse("not_authed"), want: revoke.StatusUnknown, wantIs: revoke.ErrUnexpected, wantCalls: 1},
		{name: "ok:false ratelimited is unknown", testFn: okFalse("ratelimited"), want: revoke.StatusUnknown, wantIs: revoke.ErrRateLimited, wantCalls: 1},
		{
			name: "HTTP 429 retried then unknown",
			testFn: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			want: revoke.StatusUnknown, wantIs: revoke.ErrRateLimited, wantCalls: 3,
		},
		{
			name:   "HTTP 500 is unknown",
			testFn: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) },
			want:   revoke.StatusUnknown, wantIs: revoke.ErrServer, wantCalls: 3,
		},
		{
			name:   "free text error is not echoed",
			testFn: okFalse("Something <b>odd</b> happened"),
			want:   revoke.StatusUnknown, wantIs: revoke.ErrUnexpected, wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.testFn, f.emailOK = tt.testFn, tt.emailOK
			tok := revtest.SlackToken()
			if tt.known {
				f.add(tok)
			}
			clk, log := revtest.NewClock(), &revtest.Log{}
			p := newProvider(t, f, clk, log)
			got, err := p.Verify(t.Context(), tok, revoke.Hints{})
			if tt.wantIs == nil && err != nil || tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Verify() error = %v, want %v", err, tt.wantIs)
			}
			if got.Status != tt.want {
				t.Errorf("Verify() status = %s, want %s", got.Status, tt.want)
			}
			if diff := cmp.Diff(tt.wantID, got.Identity); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
			if n := f.srv.Calls("POST /api/auth.test"); n != tt.wantCalls {
				t.Errorf("auth.test calls = %d, want %d", n, tt.wantCalls)
			}
			if strings.Contains(revtest.ErrText(err), "<b>") {
				t.Errorf("error %q echoes free text", err)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
		})
	}
}

func TestVerify429Sleeps(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	n := 0
	f.testFn = func(w http.ResponseWriter, r *http.Request) {
		if n++; n == 1 {
			w.Header().Set("Retry-After", "4")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		okFalse("invalid_auth")(w, r)
	}
	clk, log := revtest.NewClock(), &revtest.Log{}
	got, err := newProvider(t, f, clk, log).Verify(t.Context(), revtest.SlackToken(), revoke.Hints{})
	if err != nil || got.Status != revoke.StatusDead {
		t.Errorf("Verify() = %s, %v, want dead", got.Status, err)
	}
	if diff := cmp.Diff([]time.Duration{4 * time.Second}, clk.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	tok := revtest.SlackToken()
	f.add(tok)
	clk, log := revtest.NewClock(), &revtest.Log{}
	p := newProvider(t, f, clk, log)
	v, err := p.Verify(t.Context(), tok, revoke.Hints{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(t.Context(), tok, v); err != nil {
		t.Fatalf("Revoke() = %v", err)
	}
	if n := f.srv.Calls("POST /api/auth.revoke"); n != 1 {
		t.Errorf("auth.revoke calls = %d, want 1", n)
	}
	revtest.NoPoll(t, f.srv, "POST /api/auth.test", 1)
	revtest.WantVerify(t, p, tok, revoke.StatusDead)
	// Already revoked: auth.revoke says token_revoked, which is dead.
	if err := p.Revoke(t.Context(), tok, v); err != nil {
		t.Errorf("Revoke(again) = %v, want nil", err)
	}
	revtest.NoPoll(t, f.srv, "POST /api/auth.test", 2)
	revtest.NoLeak(t, tok, log.String())
}

func TestRevokeFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fn     http.HandlerFunc
		wantIs error
	}{
		{name: "not_bearer_token", fn: okFalse("not_bearer_token"), wantIs: revoke.ErrUnexpected},
		{name: "ratelimited", fn: okFalse("ratelimited"), wantIs: revoke.ErrRateLimited},
		{name: "revoked false", fn: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"ok":true,"revoked":false}`)) }, wantIs: revoke.ErrUnexpected},
		{name: "HTTP 500", fn: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, wantIs: revoke.ErrServer},
		{name: "HTTP 429", fn: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusTooManyRequests)
		}, wantIs: revoke.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.revokeFn = tt.fn
			tok := revtest.SlackToken()
			f.add(tok)
			clk, log := revtest.NewClock(), &revtest.Log{}
			err := newProvider(t, f, clk, log).Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive})
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("Revoke() = %v, want %v", err, tt.wantIs)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
		})
	}
}

// TestRevokeDoesNotConfirm: {"ok":true,"revoked":true} is what Revoke waits for, even when
// the token keeps working; noticing that is the pipeline's confirm step, through Verify.
func TestRevokeDoesNotConfirm(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.revokeFn = func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"ok":true,"revoked":true}`)) }
	tok := revtest.SlackToken()
	f.add(tok)
	clk, log := revtest.NewClock(), &revtest.Log{}
	p := newProvider(t, f, clk, log)
	if err := p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive}); err != nil {
		t.Errorf("Revoke() = %v, want nil", err)
	}
	revtest.NoPoll(t, f.srv, "POST /api/auth.test", 0)
	revtest.WantVerify(t, p, tok, revoke.StatusLive) // the confirm step's to report
	revtest.NoLeak(t, tok, log.String())
}

func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{`{"ok":true}`, `{"ok":false,"error":"invalid_auth"}`, `{"ok":false,"error":"x y"}`, `[]`, `{"ok":"yes"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := slack.ParseEnvelope(b)
		if err == nil && !e.OK && strings.ContainsAny(e.Error, " <>\"'") {
			t.Errorf("ParseEnvelope kept free text %q", e.Error)
		}
	})
}
