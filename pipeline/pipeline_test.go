package pipeline_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/report"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
)

var now = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

// fakeProv is an in-memory provider that counts calls per token.
type fakeProv struct {
	name string

	mu        sync.Mutex
	verifies  map[string]int
	revokes   map[string]int
	status    map[string]revoke.Status // default live
	revokeErr map[string]error
	delay     time.Duration
}

func newFakeProv(name string) *fakeProv {
	return &fakeProv{name: name, verifies: map[string]int{}, revokes: map[string]int{}, status: map[string]revoke.Status{}, revokeErr: map[string]error{}}
}

func (f *fakeProv) Name() string { return f.name }

func (f *fakeProv) Verify(ctx context.Context, tok secret.Token, h revoke.Hints) (revoke.Verification, error) {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.verifies[tok.Reveal()]++
	st, ok := f.status[tok.Reveal()]
	if !ok {
		st = revoke.StatusLive
	}
	v := revoke.Verification{Status: st, CheckedAt: now, Identity: revoke.Identity{ID: "u1", Login: "jdoe", Email: "j@example.com", Org: "acme"}}
	if st == revoke.StatusUnknown {
		return v, &revoke.APIError{Provider: f.name, Op: "GET /x", StatusCode: 503}
	}
	return v, nil
}

func (f *fakeProv) Revoke(ctx context.Context, tok secret.Token, v revoke.Verification) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revokes[tok.Reveal()]++
	return f.revokeErr[tok.Reveal()]
}

func (f *fakeProv) counts(m map[string]int) map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// batchProv also revokes in batches.
type batchProv struct {
	*fakeProv
	batches [][]string
}

func (b *batchProv) RevokeBatch(ctx context.Context, ts []revoke.Target) []error {
	var toks []string
	errs := make([]error, len(ts))
	for i, t := range ts {
		toks = append(toks, t.Token.Reveal())
		errs[i] = b.Revoke(ctx, t.Token, t.Verification)
	}
	b.batches = append(b.batches, toks)
	return errs
}

// detailProv explains its revocations.
type detailProv struct{ *fakeProv }

func (d detailProv) RevokeDetail(ctx context.Context, tok secret.Token, v revoke.Verification) (string, error) {
	return "revoked 2 PAT(s): policy ambiguous: revoke_all", d.Revoke(ctx, tok, v)
}

var fpKey = []byte("test-key")

func finding(provider, tok, repo string) scanner.Finding {
	t := secret.New(tok)
	return scanner.Finding{
		DetectorID: provider + "-token", Provider: provider, Fingerprint: secret.Fingerprint(fpKey, provider+"-token", t),
		Secret: t, Location: scanner.Location{Source: scanner.SourceGit, Repository: repo, Path: "a.env", Line: 1, Column: 1},
	}
}

func randTok(prefix string) string {
	return prefix + fmt.Sprintf("%x", time.Now().UnixNano()) + "synthetic"
}

type recAudit struct {
	mu     sync.Mutex
	events []pipeline.Event
	fail   bool
}

func (a *recAudit) Audit(ctx context.Context, e pipeline.Event) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
	if a.fail && e.Phase == pipeline.PhaseAttempt {
		return errors.New("store offline")
	}
	return nil
}

func TestVerifyOncePerFingerprint(t *testing.T) {
	t.Parallel()
	gh, gl := newFakeProv("github"), newFakeProv("gitlab")
	gh.delay = 5 * time.Millisecond // overlap the workers
	a, b, c := randTok("a"), randTok("b"), randTok("c")
	gl.status[c] = revoke.StatusDead
	var fs []scanner.Finding
	for range 10 {
		fs = append(fs, finding("github", a, "r1"), finding("github", b, "r2"))
	}
	fs = append(fs, finding("gitlab", c, "r1"), finding("slack", randTok("s"), "r1"))
	p := pipeline.New(map[string]revoke.Provider{"github": gh, "gitlab": gl}, pipeline.Options{Concurrency: 8, Now: func() time.Time { return now }})
	res := p.Verify(t.Context(), fs)
	res2 := p.Verify(t.Context(), fs[:4]) // cached for the Pipeline's life
	if diff := cmp.Diff(map[string]int{a: 1, b: 1}, gh.counts(gh.verifies)); diff != "" {
		t.Errorf("github verifies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{c: 1}, gl.counts(gl.verifies)); diff != "" {
		t.Errorf("gitlab verifies (-want +got):\n%s", diff)
	}
	if len(res) != len(fs) || res[0].Verification.Status != revoke.StatusLive || res2[0].Verification.Status != revoke.StatusLive {
		t.Fatalf("results = %d", len(res))
	}
	if got := res[len(res)-2].Verification.Status; got != revoke.StatusDead {
		t.Errorf("gitlab status = %s, want dead", got)
	}
	if res[len(res)-1].Verification != nil {
		t.Errorf("slack (no provider) verification = %+v, want nil", res[len(res)-1].Verification)
	}
}

func TestRevokePolicyAndOnce(t *testing.T) {
	t.Parallel()
	live, dead, unknown, amb, flaky := randTok("l"), randTok("d"), randTok("u"), randTok("m"), randTok("f")
	tests := []struct {
		name    string
		pol     pipeline.Policy
		tok     string
		status  revoke.Status
		err     error
		want    pipeline.RevocationStatus
		reason  string
		revokes int
	}{
		{name: "dry run by default", tok: live, want: pipeline.StatusDryRun, reason: "providers.github.revoke: true"},
		{name: "config allows", pol: pipeline.Policy{Allowed: func(p string) bool { return p == "github" }}, tok: live, want: pipeline.StatusRevoked, revokes: 1},
		{name: "--yes allows", pol: pipeline.Policy{Yes: true}, tok: live, want: pipeline.StatusRevoked, revokes: 1},
		{name: "dead is skipped", pol: pipeline.Policy{Yes: true}, tok: dead, status: revoke.StatusDead, want: pipeline.StatusSkipped, reason: "already dead"},
		{name: "unknown is skipped", pol: pipeline.Policy{Yes: true}, tok: unknown, status: revoke.StatusUnknown, want: pipeline.StatusSkipped, reason: "503"},
		{name: "ambiguous is skipped with why", pol: pipeline.Policy{Yes: true}, tok: amb, err: fmt.Errorf("azuredevops: %w: 2 candidates; policy ambiguous: skip", revoke.ErrAmbiguous), want: pipeline.StatusSkipped, reason: "policy ambiguous: skip", revokes: 1},
		{name: "not confirmed fails", pol: pipeline.Policy{Yes: true}, tok: flaky, err: fmt.Errorf("x: %w: still live after 1h", revoke.ErrNotConfirmed), want: pipeline.StatusFailed, reason: "still live", revokes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			gh := newFakeProv("github")
			if tt.status != "" {
				gh.status[tt.tok] = tt.status
			}
			gh.revokeErr[tt.tok] = tt.err
			audit := &recAudit{}
			p := pipeline.New(map[string]revoke.Provider{"github": gh}, pipeline.Options{Now: func() time.Time { return now }, Audit: audit})
			fs := []scanner.Finding{finding("github", tt.tok, "r1"), finding("github", tt.tok, "r2"), finding("github", tt.tok, "r3")}
			res := p.Revoke(t.Context(), p.Verify(t.Context(), fs), tt.pol)
			res = p.Revoke(t.Context(), res, tt.pol) // a second pass must not revoke again
			for i, r := range res {
				if r.Revocation == nil || r.Revocation.Status != tt.want || !strings.Contains(r.Revocation.Reason, tt.reason) {
					t.Errorf("result %d revocation = %+v, want %s with %q", i, r.Revocation, tt.want, tt.reason)
				}
			}
			if n := gh.counts(gh.revokes)[tt.tok]; n != tt.revokes {
				t.Errorf("revoke calls = %d, want %d", n, tt.revokes)
			}
			if want := 2 * tt.revokes; len(audit.events) != want {
				t.Errorf("audit events = %d, want %d", len(audit.events), want)
			} else if want > 0 {
				if audit.events[0].Phase != pipeline.PhaseAttempt || audit.events[1].Phase != pipeline.PhaseResult || audit.events[1].Status != tt.want {
					t.Errorf("audit events = %+v, want attempt then result", audit.events)
				}
				if audit.events[0].Fingerprint != fs[0].Fingerprint || audit.events[0].OwnerID != "u1" {
					t.Errorf("audit event = %+v", audit.events[0])
				}
			}
		})
	}
}

func TestRevokeAuditFailureStops(t *testing.T) {
	t.Parallel()
	gh := newFakeProv("github")
	tok := randTok("a")
	p := pipeline.New(map[string]revoke.Provider{"github": gh}, pipeline.Options{Audit: &recAudit{fail: true}})
	res := p.Revoke(t.Context(), p.Verify(t.Context(), []scanner.Finding{finding("github", tok, "r")}), pipeline.Policy{Yes: true})
	if rv := res[0].Revocation; rv == nil || rv.Status != pipeline.StatusFailed || !strings.Contains(rv.Reason, "audit") {
		t.Errorf("revocation = %+v, want failed for the audit", rv)
	}
	if n := gh.counts(gh.revokes)[tok]; n != 0 {
		t.Errorf("revoke calls = %d, want 0", n)
	}
}

func TestRevokeBatchAndDetail(t *testing.T) {
	t.Parallel()
	gh := &batchProv{fakeProv: newFakeProv("github")}
	ado := detailProv{newFakeProv("azuredevops")}
	a, b, c := randTok("a"), randTok("b"), randTok("c")
	fs := []scanner.Finding{finding("github", a, "r"), finding("github", b, "r"), finding("github", a, "r2"), finding("azuredevops", c, "r")}
	p := pipeline.New(map[string]revoke.Provider{"github": gh, "azuredevops": ado}, pipeline.Options{Audit: pipeline.NopAuditor{}})
	res := p.Revoke(t.Context(), p.Verify(t.Context(), fs), pipeline.Policy{Yes: true})
	if diff := cmp.Diff([][]string{{a, b}}, gh.batches); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	if rv := res[3].Revocation; rv.Status != pipeline.StatusRevoked || !strings.Contains(rv.Reason, "revoke_all") {
		t.Errorf("azuredevops revocation = %+v, want the provider's detail", rv)
	}
	for i := range 3 {
		if res[i].Revocation.Status != pipeline.StatusRevoked {
			t.Errorf("github result %d = %+v", i, res[i].Revocation)
		}
	}
}

func TestEntries(t *testing.T) {
	t.Parallel()
	f := finding("github", randTok("a"), "r")
	got := pipeline.Entries([]pipeline.Result{
		{Finding: f},
		{
			Finding:      f,
			Verification: &revoke.Verification{Status: revoke.StatusLive, CheckedAt: now, Identity: revoke.Identity{ID: "1", Login: "jdoe", Tenant: "t"}},
			Revocation:   &pipeline.Revocation{Status: pipeline.StatusDryRun, Reason: "dry run", At: now},
		},
	})
	want := []report.Entry{
		{Finding: f},
		{
			Finding:      f,
			Verification: &report.Verification{Status: "live", Owner: &report.Owner{ID: "1", Name: "jdoe", Org: "t"}, CheckedAt: now},
			Revocation:   &report.Revocation{Status: "dry_run", Reason: "dry run", At: now},
		},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b secret.Token) bool { return a.Reveal() == b.Reveal() }), cmp.AllowUnexported(scanner.Finding{})); diff != "" {
		t.Errorf("Entries (-want +got):\n%s", diff)
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEndToEndNoLeak runs the real GitLab provider, built by providers.New, against a fake that
// follows PROVIDERS.md §3 (a live token, then 500s on revoke), and checks that no log line,
// reason or error holds the token.
func TestEndToEndNoLeak(t *testing.T) {
	t.Parallel()
	tok := "glpat" + "-" + rand.Text()[:20]
	var mu sync.Mutex
	calls := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		if r.Header.Get("PRIVATE-TOKEN") != tok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.Method + " " + r.URL.Path {
		case "GET /api/v4/personal_access_tokens/self":
			_, _ = w.Write([]byte(`{"id":1,"scopes":["api"],"user_id":7,"active":true,"revoked":false}`))
		case "GET /api/v4/user":
			_, _ = w.Write([]byte(`{"id":7,"username":"jdoe","name":"J","email":"j@example.com"}`))
		case "DELETE /api/v4/personal_access_tokens/self":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	var buf syncBuf
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	provs, err := providers.New(providers.Config{GitLab: &providers.BaseConfig{BaseURL: srv.URL, Revoke: true}}, providers.Options{
		Version: "test", Logger: log, MaxAttempts: 2, Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := providers.Config{GitLab: &providers.BaseConfig{Revoke: true}}
	fs := []scanner.Finding{finding("gitlab", tok, "r1"), finding("gitlab", tok, "r2")}
	p := pipeline.New(provs, pipeline.Options{Logger: log})
	res := p.Revoke(t.Context(), p.Verify(t.Context(), fs), pipeline.Policy{Allowed: cfg.RevokeAllowed})
	if rv := res[0].Revocation; rv == nil || rv.Status != pipeline.StatusFailed {
		t.Fatalf("revocation = %+v, want failed", rv)
	}
	mu.Lock()
	if calls["GET /api/v4/personal_access_tokens/self"] != 1 || calls["DELETE /api/v4/personal_access_tokens/self"] != 2 {
		t.Errorf("calls = %v, want one verify and one revoke (two attempts)", calls)
	}
	mu.Unlock()
	out := buf.String() + res[0].Revocation.Reason + res[1].Revocation.Reason
	if !strings.Contains(out, "revoke audit") {
		t.Errorf("no audit line in the log:\n%s", buf.String())
	}
	for _, s := range []string{tok, "PRIVATE-TOKEN: " + tok} {
		if strings.Contains(out, s) {
			t.Errorf("log or reason holds the token:\n%s", out)
		}
	}
}
