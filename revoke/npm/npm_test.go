package npm_test

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
	"github.com/patrolsec/patrol/revoke/npm"
	"github.com/patrolsec/patrol/secret"
)

// fake behaves as PROVIDERS.md §5 documents the npm registry.
type fake struct {
	t   *testing.T
	srv *revtest.Server

	mu       sync.Mutex
	tokens   map[string]bool // token → revoked
	whoamiFn http.HandlerFunc
	deleteFn http.HandlerFunc
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, tokens: map[string]bool{}}
	f.srv = revtest.NewServer(t, map[string]http.HandlerFunc{
		"GET /-/whoami":                       f.whoami,
		"GET /-/npm/v1/user":                  f.profile,
		"DELETE /-/npm/v1/tokens/token/{key}": f.delete,
	})
	return f
}

func (f *fake) live(w http.ResponseWriter, r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	revoked, known := f.tokens[tok]
	f.mu.Unlock()
	if !ok || !known || revoked {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"Unauthorized"}`))
		return "", false
	}
	return tok, true
}

func (f *fake) whoami(w http.ResponseWriter, r *http.Request) {
	if f.whoamiFn != nil {
		f.whoamiFn(w, r)
		return
	}
	if _, ok := f.live(w, r); ok {
		_, _ = w.Write([]byte(`{"username":"jdoe"}`))
	}
}

func (f *fake) profile(w http.ResponseWriter, r *http.Request) {
	if _, ok := f.live(w, r); ok {
		_, _ = w.Write([]byte(`{"tfa":null,"name":"jdoe","email":"jdoe@example.com","email_verified":true,"fullname":"Jane Doe"}`))
	}
}

func (f *fake) delete(w http.ResponseWriter, r *http.Request) {
	if f.deleteFn != nil {
		f.deleteFn(w, r)
		return
	}
	tok, ok := f.live(w, r)
	if !ok {
		return
	}
	if r.PathValue("key") != tok {
		f.t.Errorf("DELETE key is not the token being revoked")
	}
	f.mu.Lock()
	f.tokens[tok] = true
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (f *fake) add(tok secret.Token) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[tok.Reveal()] = false
}

func newProvider(t *testing.T, f *fake, clk *revtest.Clock, log *revtest.Log, timeout time.Duration) *npm.Provider {
	t.Helper()
	o := revtest.Options(clk, log)
	if timeout > 0 {
		o.Timeout = timeout
	}
	p, err := npm.New(npm.Config{BaseURL: f.srv.URL, HTTP: o})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return p
}

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		known     bool
		whoamiFn  http.HandlerFunc
		timeout   time.Duration
		want      revoke.Verification
		wantIs    error
		wantCalls int
	}{
		{
			name: "live", known: true,
			want: revoke.Verification{Status: revoke.StatusLive, Identity: revoke.Identity{
				ID: "jdoe", Login: "jdoe", Name: "Jane Doe", Email: "jdoe@example.com",
			}},
			wantCalls: 1,
		},
		{name: "401 dead", want: revoke.Verification{Status: revoke.StatusDead}, wantCalls: 1},
		{
			name:     "403 unknown",
			whoamiFn: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) },
			want:     revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrForbidden, wantCalls: 1,
		},
		{
			name:     "500 unknown",
			whoamiFn: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) },
			want:     revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrServer, wantCalls: 3,
		},
		{
			name:     "slow unknown",
			whoamiFn: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			timeout:  30 * time.Millisecond,
			want:     revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrTimeout, wantCalls: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.whoamiFn = tt.whoamiFn
			tok := revtest.NPMToken()
			if tt.known {
				f.add(tok)
			}
			clk, log := revtest.NewClock(), &revtest.Log{}
			got, err := newProvider(t, f, clk, log, tt.timeout).Verify(t.Context(), tok, revoke.Hints{})
			if tt.wantIs == nil && err != nil || tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Verify() error = %v, want %v", err, tt.wantIs)
			}
			got.CheckedAt = time.Time{}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Verify() (-want +got):\n%s", diff)
			}
			// A timed-out attempt may be abandoned before the fake counts it.
			if n := f.srv.Calls("GET /-/whoami"); n != tt.wantCalls && !(tt.timeout > 0 && n <= tt.wantCalls) {
				t.Errorf("whoami calls = %d, want %d", n, tt.wantCalls)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
		})
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	tok := revtest.NPMToken()
	f.add(tok)
	clk, log := revtest.NewClock(), &revtest.Log{}
	p := newProvider(t, f, clk, log, 0)
	v, err := p.Verify(t.Context(), tok, revoke.Hints{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(t.Context(), tok, v); err != nil {
		t.Fatalf("Revoke() = %v", err)
	}
	if n := f.srv.Calls("DELETE /-/npm/v1/tokens/token/{key}"); n != 1 {
		t.Errorf("DELETE calls = %d, want 1", n)
	}
	revtest.NoPoll(t, f.srv, "GET /-/whoami", 1)
	revtest.WantVerify(t, p, tok, revoke.StatusDead)
	// Already dead: a plain 401 to the DELETE is nothing left to revoke.
	if err := p.Revoke(t.Context(), tok, v); err != nil {
		t.Errorf("Revoke(already revoked) = %v, want nil", err)
	}
	revtest.NoPoll(t, f.srv, "GET /-/whoami", 2)
	revtest.NoLeak(t, tok, log.String())
}

// TestRevokeDoesNotConfirm: a 2xx is what Revoke waits for, even when the registry keeps the
// token working; noticing that is the pipeline's confirm step, through Verify.
func TestRevokeDoesNotConfirm(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.deleteFn = func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }
	tok := revtest.NPMToken()
	f.add(tok)
	clk, log := revtest.NewClock(), &revtest.Log{}
	p := newProvider(t, f, clk, log, 0)
	if err := p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive}); err != nil {
		t.Errorf("Revoke() = %v, want nil on 2xx", err)
	}
	revtest.NoPoll(t, f.srv, "GET /-/whoami", 0)
	revtest.WantVerify(t, p, tok, revoke.StatusLive) // the confirm step's to report
	revtest.NoLeak(t, tok, log.String())
}

func TestRevokeFailures(t *testing.T) {
	t.Parallel()
	unauthorized := func(wa string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", wa)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}
	tests := []struct {
		name   string
		fn     http.HandlerFunc
		wantIs error
	}{
		{name: "otp required", fn: unauthorized("OTP"), wantIs: revoke.ErrNotSupported},
		{name: "ip restricted", fn: unauthorized("ipaddress"), wantIs: revoke.ErrNotSupported},
		{name: "server error", fn: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }, wantIs: revoke.ErrServer},
		{name: "rate limited", fn: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "600")
			w.WriteHeader(http.StatusTooManyRequests)
		}, wantIs: revoke.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.deleteFn = tt.fn
			tok := revtest.NPMToken()
			f.add(tok)
			clk, log := revtest.NewClock(), &revtest.Log{}
			err := newProvider(t, f, clk, log, 0).Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive})
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("Revoke() = %v, want %v", err, tt.wantIs)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
			if strings.Contains(revtest.ErrText(err)+log.String(), f.srv.URL) {
				t.Errorf("the request URL (holding the token) reached an error or log")
			}
		})
	}
}
