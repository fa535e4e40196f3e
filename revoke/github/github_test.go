package github_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/github"
	"github.com/patrolsec/patrol/revoke/internal/revtest"
	"github.com/patrolsec/patrol/secret"
)

// fake behaves as PROVIDERS.md §2.2–2.4 documents GitHub: /user with a Bearer token, 401 for
// unknown or revoked tokens, /user/emails when the scope allows, and an unauthenticated-only
// /credentials/revoke answering 202.
type fake struct {
	t   *testing.T
	srv *revtest.Server

	mu      sync.Mutex
	live    map[string]user  // token → owner
	revoked map[string]bool  // token → revoked by the fake
	batches []int            // sizes of revoke calls
	userFn  http.HandlerFunc // overrides GET /user when set
}

type user struct {
	id     int64
	login  string
	scopes string // X-OAuth-Scopes; "-" for a fine-grained token (no header)
	email  string // primary verified (from /user/emails)
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, live: map[string]user{}, revoked: map[string]bool{}}
	f.srv = revtest.NewServer(t, map[string]http.HandlerFunc{
		"GET /user":                f.user,
		"GET /user/emails":         f.emails,
		"POST /credentials/revoke": f.revoke,
	})
	return f
}

func (f *fake) checkCommon(r *http.Request) {
	if got := r.Header.Get("Accept"); !strings.HasPrefix(got, "application/vnd.github") {
		f.t.Errorf("%s %s: Accept = %q, want application/vnd.github…", r.Method, r.URL.Path, got)
	}
	if got := r.Header.Get("X-GitHub-Api-Version"); got != "2022-11-28" {
		f.t.Errorf("%s %s: X-GitHub-Api-Version = %q", r.Method, r.URL.Path, got)
	}
	if got := r.Header.Get("User-Agent"); got != "patrol/test" {
		f.t.Errorf("%s %s: User-Agent = %q", r.Method, r.URL.Path, got)
	}
}

func (f *fake) owner(r *http.Request) (user, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return user{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u, live := f.live[tok]
	return u, live && !f.revoked[tok]
}

func badCredentials(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}`))
}

func (f *fake) user(w http.ResponseWriter, r *http.Request) {
	f.checkCommon(r)
	if f.userFn != nil {
		f.userFn(w, r)
		return
	}
	u, ok := f.owner(r)
	if !ok {
		badCredentials(w)
		return
	}
	if u.scopes != "-" {
		w.Header().Set("X-OAuth-Scopes", u.scopes)
	}
	w.Header().Set("GitHub-Authentication-Token-Expiration", "2026-10-07 19:07:53 UTC")
	_ = json.NewEncoder(w).Encode(map[string]any{"login": u.login, "id": u.id, "name": "The Octocat", "email": nil, "type": "User"})
}

func (f *fake) emails(w http.ResponseWriter, r *http.Request) {
	f.checkCommon(r)
	u, ok := f.owner(r)
	if !ok {
		badCredentials(w)
		return
	}
	if u.scopes != "-" && !strings.Contains(u.scopes, "user") {
		w.WriteHeader(http.StatusNotFound) // GitHub hides the endpoint without the scope
		_, _ = w.Write([]byte(`{"message":"Not Found"}`))
		return
	}
	_ = json.NewEncoder(w).Encode([]map[string]any{
		{"email": "other@example.com", "primary": false, "verified": true, "visibility": nil},
		{"email": u.email, "primary": true, "verified": true, "visibility": "private"},
	})
}

func (f *fake) revoke(w http.ResponseWriter, r *http.Request) {
	f.checkCommon(r)
	if r.Header.Get("Authorization") != "" {
		w.WriteHeader(http.StatusForbidden) // github.com refuses authenticated revoke calls
		_, _ = w.Write([]byte(`{"message":"Must not be authenticated"}`))
		return
	}
	var body struct {
		Credentials []string `json:"credentials"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Credentials) == 0 || len(body.Credentials) > github.MaxBatch {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"message":"Validation Failed"}`))
		return
	}
	f.mu.Lock()
	f.batches = append(f.batches, len(body.Credentials))
	for _, c := range body.Credentials {
		f.revoked[c] = true
	}
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{}`))
}

func (f *fake) addLive(tok secret.Token, u user) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.live[tok.Reveal()] = u
}

func newProvider(t *testing.T, f *fake, clk *revtest.Clock, log *revtest.Log, mod func(*github.Config)) *github.Provider {
	t.Helper()
	cfg := github.Config{BaseURL: f.srv.URL + "/", HTTP: revtest.Options(clk, log)}
	if mod != nil {
		mod(&cfg)
	}
	p, err := github.New(cfg)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return p
}

func TestVerify(t *testing.T) {
	t.Parallel()
	exp := time.Date(2026, 10, 7, 19, 7, 53, 0, time.UTC)
	tests := []struct {
		name       string
		owner      *user
		userFn     http.HandlerFunc
		timeout    time.Duration
		want       revoke.Verification
		wantIs     error
		wantCalls  int
		wantSleeps []time.Duration
	}{
		{
			name:  "live classic with user:email",
			owner: &user{id: 583231, login: "octocat", scopes: "repo, user:email", email: "octo@example.com"},
			want: revoke.Verification{Status: revoke.StatusLive, Identity: revoke.Identity{
				ID: "583231", Login: "octocat", Name: "The Octocat", Email: "octo@example.com",
				Scopes: []string{"repo", "user:email"}, Expires: exp,
			}},
			wantCalls: 1,
		},
		{
			name:  "live classic without email scope skips /user/emails",
			owner: &user{id: 7, login: "o", scopes: "repo"},
			want: revoke.Verification{Status: revoke.StatusLive, Identity: revoke.Identity{
				ID: "7", Login: "o", Name: "The Octocat", Scopes: []string{"repo"}, Expires: exp,
			}},
			wantCalls: 1,
		},
		{
			name:  "live fine-grained",
			owner: &user{id: 8, login: "fg", scopes: "-", email: "fg@example.com"},
			want: revoke.Verification{Status: revoke.StatusLive, Identity: revoke.Identity{
				ID: "8", Login: "fg", Name: "The Octocat", Email: "fg@example.com", Expires: exp,
			}},
			wantCalls: 1,
		},
		{name: "401 is dead", want: revoke.Verification{Status: revoke.StatusDead}, wantCalls: 1},
		{
			name: "403 SSO is unknown",
			userFn: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-GitHub-SSO", "required; url=https://github.com/orgs/x/sso")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"message":"Resource protected by organization SAML enforcement."}`))
			},
			want: revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrForbidden, wantCalls: 1,
		},
		{
			name: "429 with Retry-After is retried after the delay",
			userFn: func() http.HandlerFunc {
				n := 0
				return func(w http.ResponseWriter, r *http.Request) {
					if n++; n == 1 {
						w.Header().Set("Retry-After", "3")
						w.WriteHeader(http.StatusTooManyRequests)
						return
					}
					_, _ = w.Write([]byte(`{"login":"late","id":9}`))
				}
			}(),
			want:      revoke.Verification{Status: revoke.StatusLive, Identity: revoke.Identity{ID: "9", Login: "late"}},
			wantCalls: 2, wantSleeps: []time.Duration{3 * time.Second},
		},
		{
			name: "403 primary rate limit is unknown",
			userFn: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset", "4102444800") // far beyond MaxWait
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"message":"API rate limit exceeded"}`))
			},
			want: revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrRateLimited, wantCalls: 1,
		},
		{
			name:   "500 is retried then unknown",
			userFn: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) },
			want:   revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrServer, wantCalls: 3,
			wantSleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond},
		},
		{
			name: "slow answer times out, unknown",
			userFn: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done()
			},
			timeout: 30 * time.Millisecond,
			want:    revoke.Verification{Status: revoke.StatusUnknown}, wantIs: revoke.ErrTimeout, wantCalls: 3,
			wantSleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.userFn = tt.userFn
			clk, log := revtest.NewClock(), &revtest.Log{}
			tok := revtest.GitHubToken("ghp_")
			if tt.owner != nil {
				f.addLive(tok, *tt.owner)
			}
			p := newProvider(t, f, clk, log, func(c *github.Config) {
				if tt.timeout > 0 {
					c.HTTP.Timeout = tt.timeout
				}
			})
			got, err := p.Verify(t.Context(), tok, revoke.Hints{})
			if tt.wantIs == nil && err != nil || tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Verify() error = %v, want %v", err, tt.wantIs)
			}
			if !got.CheckedAt.Equal(clk.Now()) {
				t.Errorf("CheckedAt = %v, want %v", got.CheckedAt, clk.Now())
			}
			got.CheckedAt = time.Time{}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Verify() (-want +got):\n%s", diff)
			}
			// A timed-out attempt may be abandoned before the fake counts it.
			if n := f.srv.Calls("GET /user"); n != tt.wantCalls && !(tt.timeout > 0 && n <= tt.wantCalls) {
				t.Errorf("GET /user calls = %d, want %d", n, tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantSleeps, clk.Sleeps()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
		})
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	clk, log := revtest.NewClock(), &revtest.Log{}
	tok := revtest.GitHubToken("ghp_")
	f.addLive(tok, user{id: 1, login: "octocat", scopes: "repo"})
	p := newProvider(t, f, clk, log, nil)
	v, err := p.Verify(t.Context(), tok, revoke.Hints{})
	if err != nil || v.Status != revoke.StatusLive {
		t.Fatalf("Verify() = %v, %v, want live", v.Status, err)
	}
	if err := p.Revoke(t.Context(), tok, v); err != nil {
		t.Fatalf("Revoke() = %v", err)
	}
	if n := f.srv.Calls("POST /credentials/revoke"); n != 1 {
		t.Errorf("revoke calls = %d, want 1", n)
	}
	revtest.NoPoll(t, f.srv, "GET /user", 1)
	revtest.WantVerify(t, p, tok, revoke.StatusDead)
	revtest.NoLeak(t, tok, log.String())
}

func TestRevokeRefusals(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	clk, log := revtest.NewClock(), &revtest.Log{}
	p := newProvider(t, f, clk, log, nil)
	live := revoke.Verification{Status: revoke.StatusLive}
	if err := p.Revoke(t.Context(), revtest.GitHubToken("ghs_"), live); !errors.Is(err, revoke.ErrNotSupported) {
		t.Errorf("Revoke(ghs_) = %v, want ErrNotSupported", err)
	}
	if err := p.Revoke(t.Context(), revtest.GitHubToken("ghp_"), revoke.Verification{Status: revoke.StatusUnknown}); !errors.Is(err, revoke.ErrNotLive) {
		t.Errorf("Revoke(unknown) = %v, want ErrNotLive", err)
	}
	if n := f.srv.Total(); n != 0 {
		t.Errorf("requests = %d, want 0", n)
	}
}

// TestRevokeDoesNotConfirm: a 202 is the answer Revoke waits for, even when the token keeps
// working; noticing that is the pipeline's confirm step, through Verify.
func TestRevokeDoesNotConfirm(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	// The fake accepts the revoke but /user keeps answering 200.
	f.userFn = func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"login":"x","id":1}`)) }
	clk, log := revtest.NewClock(), &revtest.Log{}
	p := newProvider(t, f, clk, log, nil)
	tok := revtest.GitHubToken("ghp_")
	if err := p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive}); err != nil {
		t.Errorf("Revoke() = %v, want nil on 202", err)
	}
	revtest.NoPoll(t, f.srv, "GET /user", 0)
	revtest.WantVerify(t, p, tok, revoke.StatusLive) // the confirm step's to report
}

func TestRevokeBatchSplitsAndPaces(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	clk, log := revtest.NewClock(), &revtest.Log{}
	p := newProvider(t, f, clk, log, func(c *github.Config) {
		c.RevokeLimiter = rate.NewLimiter(rate.Every(time.Minute), 2)
	})
	targets := make([]revoke.Target, 2500)
	for i := range targets {
		targets[i] = revoke.Target{Token: revtest.GitHubToken("ghp_"), Verification: revoke.Verification{Status: revoke.StatusLive}}
	}
	errs := p.RevokeBatch(t.Context(), targets)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("RevokeBatch()[%d] = %v", i, err)
		}
	}
	if diff := cmp.Diff([]int{1000, 1000, 500}, f.batches); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	// Burst 2, then one call a minute: the third call waited a minute.
	var paced int
	for _, d := range clk.Sleeps() {
		if d == time.Minute {
			paced++
		}
	}
	if paced != 1 {
		t.Errorf("limiter waits of 1m = %d, want 1 (sleeps %v)", paced, clk.Sleeps())
	}
	if n := f.srv.Calls("GET /user"); n != 0 {
		t.Errorf("GET /user calls = %d, want 0 (RevokeBatch does not confirm)", n)
	}
	// Every token of every batch reached the fake; the confirm step's Verify sees one dead.
	f.mu.Lock()
	revoked := len(f.revoked)
	f.mu.Unlock()
	if revoked != len(targets) {
		t.Errorf("tokens revoked by the fake = %d, want %d", revoked, len(targets))
	}
	f.addLive(targets[1234].Token, user{id: 1, login: "octocat", scopes: "repo"})
	revtest.WantVerify(t, p, targets[1234].Token, revoke.StatusDead)
}

func TestRevokeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		h      http.HandlerFunc
		wantIs error
	}{
		{name: "422 spammed", h: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"message":"Validation failed, or the endpoint has been spammed."}`))
		}},
		{name: "500", h: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, wantIs: revoke.ErrServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk, log := revtest.NewClock(), &revtest.Log{}
			srv := revtest.NewServer(t, map[string]http.HandlerFunc{"POST /credentials/revoke": tt.h})
			p, err := github.New(github.Config{BaseURL: srv.URL + "/", HTTP: revtest.Options(clk, log)})
			if err != nil {
				t.Fatal(err)
			}
			tok := revtest.GitHubToken("github_pat_")
			err = p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive})
			var ae *revoke.APIError
			if !errors.As(err, &ae) || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
				t.Errorf("Revoke() = %v, want an APIError matching %v", err, tt.wantIs)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
			if strings.Contains(revtest.ErrText(err), srv.URL) {
				t.Errorf("error %q holds the URL", err)
			}
		})
	}
}

// TestRevokeBatchErrorsPerTarget: errs[i] is the outcome of targets[i]'s own call, so a failed
// second call fails only its own tokens.
func TestRevokeBatchErrorsPerTarget(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	srv := revtest.NewServer(t, map[string]http.HandlerFunc{
		"POST /credentials/revoke": func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "" {
				t.Errorf("revoke call carries an Authorization header")
			}
			if calls.Add(1) == 1 {
				w.WriteHeader(http.StatusAccepted)
				_, _ = w.Write([]byte(`{}`))
				return
			}
			w.WriteHeader(http.StatusInternalServerError)
		},
	})
	clk, log := revtest.NewClock(), &revtest.Log{}
	p, err := github.New(github.Config{BaseURL: srv.URL + "/", HTTP: revtest.Options(clk, log)})
	if err != nil {
		t.Fatal(err)
	}
	targets := make([]revoke.Target, github.MaxBatch+2)
	for i := range targets {
		targets[i] = revoke.Target{Token: revtest.GitHubToken("ghp_"), Verification: revoke.Verification{Status: revoke.StatusLive}}
	}
	targets[5].Token = revtest.GitHubToken("ghs_")
	errs := p.RevokeBatch(t.Context(), targets)
	for i, err := range errs {
		var want error
		switch {
		case i == 5:
			want = revoke.ErrNotSupported
		case i > github.MaxBatch: // the second call carries the one live token left (5 is never sent)
			want = revoke.ErrServer
		}
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("RevokeBatch()[%d] = %v, want %v", i, err, want)
		}
	}
	if n := calls.Load(); n != 1+3 { // one 202, then the 500 tried MaxAttempts (3) times
		t.Errorf("revoke calls = %d, want 4", n)
	}
}
