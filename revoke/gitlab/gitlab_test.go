package gitlab_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/gitlab"
	"github.com/patrolsec/patrol/revoke/internal/revtest"
	"github.com/patrolsec/patrol/secret"
)

// fake behaves as PROVIDERS.md §3.2–3.3 documents GitLab, mounted under a relative root
// (/gitlab/) as a self-managed instance may be.
type fake struct {
	t   *testing.T
	srv *revtest.Server

	mu        sync.Mutex
	tokens    map[string]bool // token → revoked
	userScope bool            // the token has read_user
	selfFn    http.HandlerFunc
}

const root = "/gitlab"

func newFake(t *testing.T) *fake {
	f := &fake{t: t, tokens: map[string]bool{}, userScope: true}
	f.srv = revtest.NewServer(t, map[string]http.HandlerFunc{
		"GET " + root + "/api/v4/personal_access_tokens/self":    f.self,
		"DELETE " + root + "/api/v4/personal_access_tokens/self": f.revoke,
		"GET " + root + "/api/v4/user":                           f.user,
	})
	return f
}

// auth answers 401 the way GitLab does and reports whether the token is live.
func (f *fake) auth(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		f.t.Errorf("%s %s: Authorization sent; PRIVATE-TOKEN expected", r.Method, r.URL.Path)
	}
	tok := r.Header.Get("PRIVATE-TOKEN")
	f.mu.Lock()
	revoked, known := f.tokens[tok]
	f.mu.Unlock()
	switch {
	case !known:
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"401 Unauthorized"}`))
		return false
	case revoked:
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}`))
		return false
	}
	return true
}

func (f *fake) self(w http.ResponseWriter, r *http.Request) {
	if f.selfFn != nil {
		f.selfFn(w, r)
		return
	}
	if !f.auth(w, r) {
		return
	}
	_, _ = w.Write([]byte(`{"id":42,"name":"ci","revoked":false,"created_at":"2026-01-01T00:00:00.000Z","description":"",` +
		`"scopes":["api","read_user"],"user_id":7,"last_used_at":null,"active":true,"expires_at":"2026-12-31"}`))
}

func (f *fake) user(w http.ResponseWriter, r *http.Request) {
	if !f.auth(w, r) {
		return
	}
	if !f.userScope {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error":"insufficient_scope"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"id": 7, "username": "jdoe", "name": "Jane Doe", "email": "jane@example.com", "public_email": "", "state": "active"})
}

func (f *fake) revoke(w http.ResponseWriter, r *http.Request) {
	if !f.auth(w, r) {
		return
	}
	f.mu.Lock()
	f.tokens[r.Header.Get("PRIVATE-TOKEN")] = true
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (f *fake) add(tok secret.Token) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[tok.Reveal()] = false
}

func newProvider(t *testing.T, f *fake, clk *revtest.Clock, log *revtest.Log, timeout time.Duration) *gitlab.Provider {
	t.Helper()
	o := revtest.Options(clk, log)
	if timeout > 0 {
		o.Timeout = timeout
	}
	p, err := gitlab.New(gitlab.Config{BaseURL: f.srv.URL + root, HTTP: o})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return p
}

func TestVerify(t *testing.T) {
	t.Parallel()
	exp := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		known     bool
		userScope bool
		selfFn    http.HandlerFunc
		timeout   time.Duration
		want      revoke.Verification
		wantIs    error
		wantCalls int
	}{
		{
			name: "live with read_user", known: true, userScope: true,
			want: revoke.Verification{Status: revoke.StatusLive, Identity: revoke.Identity{
				ID: "7", Login: "jdoe", Name: "Jane Doe", Email: "jane@example.com", Scopes: []string{"api", "read_user"}, Expires: exp,
			}},
			wantCalls: 1,
		},
		{
			name: "live without read_user", known: true,
			want: revoke.Verification{Status: revoke.StatusLive, Identity: revoke.Identity{
				ID: "7", Scopes: []string{"api", "read_user"}, Expires: exp,
			}},
			wantCalls: 1,
		},
		{name: "401 is dead", want: revoke.Verification{Status: revoke.StatusDead}, wantCalls: 1},
		{
			name:   "403 is unknown",
			selfFn: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) },
			want:   revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrForbidden, wantCalls: 1,
		},
		{
			name: "429 Retry-After then live",
			selfFn: func() http.HandlerFunc {
				n := 0
				return func(w http.ResponseWriter, r *http.Request) {
					if n++; n == 1 {
						w.Header().Set("Retry-After", "11")
						w.WriteHeader(http.StatusTooManyRequests)
						return
					}
					_, _ = w.Write([]byte(`{"id":1,"scopes":[],"user_id":9,"active":true,"expires_at":null}`))
				}
			}(),
			want:      revoke.Verification{Status: revoke.StatusLive, Identity: revoke.Identity{ID: "9", Scopes: []string{}}},
			wantCalls: 2,
		},
		{
			name:   "500 is unknown",
			selfFn: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) },
			want:   revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrServer, wantCalls: 3,
		},
		{
			name:    "slow is unknown",
			selfFn:  func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			timeout: 30 * time.Millisecond,
			want:    revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrTimeout, wantCalls: 3,
		},
		{
			name:   "garbage body is unknown",
			selfFn: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`<html>`)) },
			want:   revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrUnexpected, wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.selfFn, f.userScope = tt.selfFn, tt.userScope
			tok := revtest.GitLabToken()
			if tt.known {
				f.add(tok)
			}
			clk, log := revtest.NewClock(), &revtest.Log{}
			p := newProvider(t, f, clk, log, tt.timeout)
			got, err := p.Verify(t.Context(), tok, revoke.Hints{})
			if tt.wantIs == nil && err != nil || tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Verify() error = %v, want %v", err, tt.wantIs)
			}
			got.CheckedAt = time.Time{}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Verify() (-want +got):\n%s", diff)
			}
			// A timed-out attempt may be abandoned before the fake counts it.
			if n := f.srv.Calls("GET " + root + "/api/v4/personal_access_tokens/self"); n != tt.wantCalls && !(tt.timeout > 0 && n <= tt.wantCalls) {
				t.Errorf("self calls = %d, want %d", n, tt.wantCalls)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
		})
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	tok := revtest.GitLabToken()
	f.add(tok)
	clk, log := revtest.NewClock(), &revtest.Log{}
	p := newProvider(t, f, clk, log, 0)
	v, err := p.Verify(t.Context(), tok, revoke.Hints{})
	if err != nil || v.Status != revoke.StatusLive {
		t.Fatalf("Verify() = %v, %v", v.Status, err)
	}
	const self = "GET " + root + "/api/v4/personal_access_tokens/self"
	if err := p.Revoke(t.Context(), tok, v); err != nil {
		t.Fatalf("Revoke() = %v", err)
	}
	if n := f.srv.Calls("DELETE " + root + "/api/v4/personal_access_tokens/self"); n != 1 {
		t.Errorf("DELETE calls = %d, want 1", n)
	}
	revtest.NoPoll(t, f.srv, self, 1)
	revtest.WantVerify(t, p, tok, revoke.StatusDead)
	// Already dead between verify and revoke: the DELETE's 401 is fine, and Verify says dead.
	if err := p.Revoke(t.Context(), tok, v); err != nil {
		t.Errorf("Revoke(already revoked) = %v, want nil", err)
	}
	revtest.NoPoll(t, f.srv, self, 2)
	if err := p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusDead}); !errors.Is(err, revoke.ErrNotLive) {
		t.Errorf("Revoke(dead) = %v, want ErrNotLive", err)
	}
	revtest.NoLeak(t, tok, log.String())
}

// scripted is a provider on a fake at the instance root that serves only routes.
func scripted(t *testing.T, routes map[string]http.HandlerFunc) (*gitlab.Provider, *revtest.Server, *revtest.Clock, *revtest.Log) {
	t.Helper()
	clk, log := revtest.NewClock(), &revtest.Log{}
	srv := revtest.NewServer(t, routes)
	p, err := gitlab.New(gitlab.Config{BaseURL: srv.URL, HTTP: revtest.Options(clk, log)})
	if err != nil {
		t.Fatal(err)
	}
	return p, srv, clk, log
}

func TestRevokeRefused(t *testing.T) {
	t.Parallel()
	p, _, _, log := scripted(t, map[string]http.HandlerFunc{
		"DELETE /api/v4/personal_access_tokens/self": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"message":"400 Bad request - Token not revoked"}`))
		},
	})
	tok := revtest.GitLabToken()
	err := p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive})
	var ae *revoke.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Errorf("Revoke() = %v, want APIError 400", err)
	}
	revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
}

// TestRevokeDoesNotConfirm: the 204 is what Revoke waits for, even when the instance keeps
// the token working; noticing that is the pipeline's confirm step, through Verify.
func TestRevokeDoesNotConfirm(t *testing.T) {
	t.Parallel()
	p, srv, _, log := scripted(t, map[string]http.HandlerFunc{
		"DELETE /api/v4/personal_access_tokens/self": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNoContent)
		},
		"GET /api/v4/personal_access_tokens/self": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"id":1,"scopes":["api"],"user_id":9,"active":true,"expires_at":null}`))
		},
		"GET /api/v4/user": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) },
	})
	tok := revtest.GitLabToken()
	if err := p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive}); err != nil {
		t.Errorf("Revoke() = %v, want nil on 204", err)
	}
	revtest.NoPoll(t, srv, "GET /api/v4/personal_access_tokens/self", 0)
	revtest.WantVerify(t, p, tok, revoke.StatusLive) // the confirm step's to report
	revtest.NoLeak(t, tok, log.String())
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id":42,"scopes":["api"],"user_id":7,"active":true,"expires_at":"2026-12-31"}`))
	f.Add([]byte(`{"id":7,"username":"jdoe","email":"a@b"}`))
	f.Add([]byte(`{"user_id":"7"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := gitlab.ParseSelf(b); err == nil && s.UserID == 0 {
			t.Errorf("ParseSelf accepted a body without user_id")
		}
		_, _ = gitlab.ParseUser(b)
	})
}
