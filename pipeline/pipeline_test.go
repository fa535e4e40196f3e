package pipeline_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

// bare is a store file, a clock and a Memory with no notifier: the pipeline of
// `patrol scan --revoke` without --notify.
type bare struct {
	t     *testing.T
	st    store.Store
	path  string
	clock *clock
	mem   *pipeline.Memory
}

func newBare(t *testing.T) *bare {
	t.Helper()
	b := &bare{t: t, path: filepath.Join(t.TempDir(), "patrol.db"), clock: newClock(), mem: &pipeline.Memory{}}
	st, err := store.Open(t.Context(), store.Config{DSN: b.path, Now: b.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b.st = st
	return b
}

func (b *bare) pipeline(provs map[string]revoke.Provider, pol pipeline.Policy, mod ...func(*pipeline.Options)) *pipeline.Pipeline {
	o := pipeline.Options{Store: b.st, Provs: provs, Policy: pol, Tokens: b.mem, Now: b.clock.Now, Sleep: b.clock.Sleep,
		Backoff: func(int) time.Duration { return time.Minute }}
	for _, m := range mod {
		m(&o)
	}
	return pipeline.New(o)
}

// run records fs (holding their tokens in memory) and drains them without waiting.
func (b *bare) run(p *pipeline.Pipeline, fs []scanner.Finding) (map[string]store.Finding, error) {
	b.t.Helper()
	b.mem.Add(fs...)
	stored, err := p.Record(b.t.Context(), fs, nil)
	if err != nil {
		b.t.Fatalf("Record = %v", err)
	}
	var fps []string
	for _, f := range stored {
		fps = append(fps, f.Fingerprint)
	}
	derr := p.Drain(b.t.Context(), fps, b.clock.Now())
	out := map[string]store.Finding{}
	for _, fp := range fps {
		f, err := b.st.Finding(b.t.Context(), fp)
		if err != nil {
			b.t.Fatal(err)
		}
		out[fp] = f
	}
	return out, derr
}

func TestVerifyOncePerFingerprint(t *testing.T) {
	t.Parallel()
	b := newBare(t)
	gh, gl := newFakeProv("github"), newFakeProv("gitlab")
	gh.delay = 5 * time.Millisecond // overlap the workers
	a, bb, c := randTok("a"), randTok("b"), randTok("c")
	gl.status[c] = revoke.StatusDead
	var fs []scanner.Finding
	for i := range 10 {
		fs = append(fs, finding("github", a, fmt.Sprintf("r%d", i)), finding("github", bb, "r2"))
	}
	slackF := finding("slack", randTok("s"), "r1")
	fs = append(fs, finding("gitlab", c, "r1"), slackF)
	p := b.pipeline(map[string]revoke.Provider{"github": gh, "gitlab": gl}, pipeline.Policy{},
		func(o *pipeline.Options) { o.Concurrency = 8 })
	res, err := b.run(p, fs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.run(p, fs[:4]); err != nil { // nothing new to learn
		t.Fatal(err)
	}
	if _, err := b.run(b.pipeline(map[string]revoke.Provider{"github": gh, "gitlab": gl}, pipeline.Policy{}), fs); err != nil {
		t.Fatal(err) // nor in a new process
	}
	if diff := cmp.Diff(map[string]int{a: 1, bb: 1}, gh.counts("verifies")); diff != "" {
		t.Errorf("github verifies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{c: 1}, gl.counts("verifies")); diff != "" {
		t.Errorf("gitlab verifies (-want +got):\n%s", diff)
	}
	if len(res) != 4 {
		t.Fatalf("%d stored findings, want 4 (one per fingerprint)", len(res))
	}
	if got := res[fs[0].Fingerprint]; got.Verify != revoke.StatusLive || len(got.Locations) != 10 {
		t.Errorf("github a: verify %s with %d locations, want live with 10", got.Verify, len(got.Locations))
	}
	if got := res[fs[len(fs)-2].Fingerprint]; got.State != lifecycle.StateDead {
		t.Errorf("gitlab state = %s, want dead", got.State)
	}
	if got := pipeline.ResultOf(res[slackF.Fingerprint]); got.Verdict != "" || got.State != lifecycle.StateSkipped ||
		!strings.Contains(got.Reason, "no provider") {
		t.Errorf("slack (no provider) = %+v, want skipped, never verified", got)
	}
}

func TestRevokePolicyAndOnce(t *testing.T) {
	t.Parallel()
	allowGitHub := func(p string) (bool, bool) { return p == "github", p == "github" }
	tests := []struct {
		name    string
		pol     pipeline.Policy
		status  revoke.Status
		err     error
		want    lifecycle.Outcome
		reason  string
		result  string // of the revoke audit row
		revokes int
	}{
		{name: "dry run by default", want: lifecycle.OutcomeDryRun, reason: "providers.github.revoke: true"},
		{name: "config allows", pol: pipeline.Policy{Allowed: allowGitHub}, want: lifecycle.OutcomeRevoked, result: "revocation_sent", revokes: 1},
		{name: "--yes allows", pol: pipeline.Policy{Yes: true}, want: lifecycle.OutcomeRevoked, result: "revocation_sent", revokes: 1},
		{name: "explicit revoke false wins over --yes", pol: pipeline.Policy{Yes: true, Allowed: func(string) (bool, bool) { return false, true }},
			want: lifecycle.OutcomeDryRun, reason: "revoke: false in config"},
		{name: "dead is skipped", pol: pipeline.Policy{Yes: true}, status: revoke.StatusDead, want: lifecycle.OutcomeSkipped, reason: "already dead"},
		{name: "unknown is skipped", pol: pipeline.Policy{Yes: true}, status: revoke.StatusUnknown, want: lifecycle.OutcomeSkipped, reason: "503"},
		{name: "ambiguous is skipped with why", pol: pipeline.Policy{Yes: true},
			err:  fmt.Errorf("azuredevops: %w: 2 candidates; policy ambiguous: skip", revoke.ErrAmbiguous),
			want: lifecycle.OutcomeSkipped, reason: "policy ambiguous: skip", result: "skipped", revokes: 1},
		{name: "failure is retried", pol: pipeline.Policy{Yes: true},
			err:  &revoke.APIError{Provider: "github", Op: "POST /credentials/revoke", StatusCode: 500},
			want: lifecycle.OutcomeFailed, reason: "500", result: "failed", revokes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBare(t)
			tok := randTok("t")
			gh := newFakeProv("github")
			if tt.status != "" {
				gh.status[tok] = tt.status
			}
			gh.revokeErr[tok] = tt.err
			p := b.pipeline(map[string]revoke.Provider{"github": gh}, tt.pol)
			fs := []scanner.Finding{finding("github", tok, "r1"), finding("github", tok, "r2"), finding("github", tok, "r3")}
			if _, err := b.run(p, fs); err != nil {
				t.Fatal(err)
			}
			res, err := b.run(p, fs) // a second pass must not revoke again
			if err != nil {
				t.Fatal(err)
			}
			got := pipeline.ResultOf(res[fs[0].Fingerprint])
			if got.Outcome != tt.want || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("result = %+v, want %s with %q", got, tt.want, tt.reason)
			}
			if n := gh.counts("revokes")[tok]; n != tt.revokes {
				t.Errorf("revoke calls = %d, want %d", n, tt.revokes)
			}
			evs, _ := b.st.AuditLog(t.Context(), time.Time{}, 0)
			var pair []store.AuditEvent
			for _, ev := range evs {
				if ev.Action == "revoke_attempt" || ev.Action == "revoke" {
					pair = append(pair, ev)
				}
			}
			if want := 2 * tt.revokes; len(pair) != want {
				t.Errorf("revoke audit rows = %d, want %d", len(pair), want)
			} else if want > 0 {
				if pair[0].Action != "revoke_attempt" || pair[1].Action != "revoke" || pair[1].Result != tt.result {
					t.Errorf("audit rows = %+v, want attempt then result %s", pair, tt.result)
				}
				if pair[0].Fingerprint != fs[0].Fingerprint || !strings.Contains(pair[0].Detail, "u1") {
					t.Errorf("audit row = %+v", pair[0])
				}
			}
		})
	}
}

// failingAudit is a store whose audit log refuses revoke_attempt rows, in and out of
// transactions.
type failingAudit struct{ store.Store }

func (f failingAudit) Audit(ctx context.Context, e store.AuditEvent) error {
	if e.Action == "revoke_attempt" {
		return errors.New("store offline")
	}
	return f.Store.Audit(ctx, e)
}

func (f failingAudit) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return f.Store.InTx(ctx, func(tx store.Store) error { return fn(failingAudit{tx}) })
}

func TestRevokeAuditFailureStops(t *testing.T) {
	t.Parallel()
	b := newBare(t)
	gh := newFakeProv("github")
	tok := randTok("a")
	p := b.pipeline(map[string]revoke.Provider{"github": gh}, pipeline.Policy{Yes: true},
		func(o *pipeline.Options) { o.Store = failingAudit{b.st} })
	res, err := b.run(p, []scanner.Finding{finding("github", tok, "r")})
	if err == nil || !strings.Contains(err.Error(), "audit") {
		t.Errorf("Drain = %v, want the audit failure", err)
	}
	if n := gh.counts("revokes")[tok]; n != 0 {
		t.Errorf("revoke calls = %d, want 0", n)
	}
	for _, f := range res {
		if f.State != lifecycle.StateLive {
			t.Errorf("state = %s, want live: the claim rolled back with its audit row", f.State)
		}
	}
}

func TestRevokeBatchAndDetail(t *testing.T) {
	t.Parallel()
	b := newBare(t)
	gh := &batchProv{fakeProv: newFakeProv("github")}
	ado := detailProv{newFakeProv("azuredevops")}
	a, bb, c := randTok("a"), randTok("b"), randTok("c")
	fs := []scanner.Finding{finding("github", a, "r"), finding("github", bb, "r"), finding("github", a, "r2"), finding("azuredevops", c, "r")}
	p := b.pipeline(map[string]revoke.Provider{"github": gh, "azuredevops": ado}, pipeline.Policy{Yes: true})
	res, err := b.run(p, fs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{a, bb}}, gh.batches); diff != "" {
		t.Errorf("batches (-want +got):\n%s", diff)
	}
	if r := pipeline.ResultOf(res[fs[3].Fingerprint]); r.Outcome != lifecycle.OutcomeRevoked || !strings.Contains(r.Reason, "revoke_all") {
		t.Errorf("azuredevops = %+v, want revoked with the provider's detail", r)
	}
	for i := range 3 {
		if o := pipeline.Outcome(res[fs[i].Fingerprint]); o != lifecycle.OutcomeRevoked {
			t.Errorf("github finding %d = %s", i, o)
		}
	}
}

func TestResultOf(t *testing.T) {
	t.Parallel()
	at := now
	tests := []struct {
		name string
		f    store.Finding
		want pipeline.Result
	}{
		{name: "detected", f: store.Finding{Fingerprint: "ab", State: lifecycle.StateDetected},
			want: pipeline.Result{Fingerprint: "ab", State: lifecycle.StateDetected}},
		{name: "dry run", f: store.Finding{Fingerprint: "ab", State: lifecycle.StateNotRevoked, Verify: lifecycle.VerdictLive,
			OwnerID: "1", OwnerName: "jdoe", Org: "t", Revocation: lifecycle.OutcomeDryRun, RevocationReason: "dry run", UpdatedAt: at},
			want: pipeline.Result{Fingerprint: "ab", State: lifecycle.StateNotRevoked, Verdict: lifecycle.VerdictLive,
				Owner: pipeline.Owner{ID: "1", Name: "jdoe", Org: "t"}, Outcome: lifecycle.OutcomeDryRun, Reason: "dry run", At: at}},
		{name: "confirmed", f: store.Finding{Fingerprint: "ab", State: lifecycle.StateConfirmedDead, Verify: lifecycle.VerdictDead,
			Revocation: lifecycle.OutcomeRevoked, RevocationReason: "revoked; confirmed dead"},
			want: pipeline.Result{Fingerprint: "ab", State: lifecycle.StateConfirmedDead, Verdict: lifecycle.VerdictDead,
				Outcome: lifecycle.OutcomeRevoked, Reason: "revoked; confirmed dead"}},
		{name: "accepted, not confirmed", f: store.Finding{Fingerprint: "ab", State: lifecycle.StateUnconfirmed, Revocation: lifecycle.OutcomeSent},
			want: pipeline.Result{Fingerprint: "ab", State: lifecycle.StateUnconfirmed, Outcome: lifecycle.OutcomeSent,
				Reason: "revocation accepted; the token still worked at the last check"}},
		{name: "dead before patrol acted", f: store.Finding{Fingerprint: "ab", State: lifecycle.StateDead, Verify: lifecycle.VerdictDead},
			want: pipeline.Result{Fingerprint: "ab", State: lifecycle.StateDead, Verdict: lifecycle.VerdictDead,
				Outcome: lifecycle.OutcomeSkipped, Reason: "token already dead"}},
		{name: "notified after a revocation", f: store.Finding{Fingerprint: "ab", State: lifecycle.StateNotified, Revocation: lifecycle.OutcomeRevoked},
			want: pipeline.Result{Fingerprint: "ab", State: lifecycle.StateNotified, Outcome: lifecycle.OutcomeRevoked}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, pipeline.ResultOf(tt.f)); diff != "" {
				t.Errorf("ResultOf (-want +got):\n%s", diff)
			}
		})
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
// reason, audit row or stored byte holds the token.
func TestEndToEndNoLeak(t *testing.T) {
	t.Parallel()
	b := newBare(t)
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
	log := slogger(&buf)
	provs, err := providers.New(providers.Config{GitLab: &providers.BaseConfig{BaseURL: srv.URL}}, providers.Options{
		Version: "test", Logger: log, MaxAttempts: 2, Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	// revoke: true for gitlab (cmd passes the providers config's RevokePolicy).
	allowed := func(p string) (bool, bool) { return p == "gitlab", p == "gitlab" }
	fs := []scanner.Finding{finding("gitlab", tok, "r1"), finding("gitlab", tok, "r2")}
	p := b.pipeline(provs, pipeline.Policy{Allowed: allowed}, func(o *pipeline.Options) { o.Logger = log })
	res, err := b.run(p, fs)
	if err != nil {
		t.Fatal(err)
	}
	got := pipeline.ResultOf(res[fs[0].Fingerprint])
	if got.Outcome != lifecycle.OutcomeFailed || got.State != lifecycle.StateRevokeFailed {
		t.Fatalf("result = %+v, want failed (revoke_failed, retried later)", got)
	}
	mu.Lock()
	if calls["GET /api/v4/personal_access_tokens/self"] != 1 || calls["DELETE /api/v4/personal_access_tokens/self"] != 2 {
		t.Errorf("calls = %v, want one verify and one revoke (two attempts)", calls)
	}
	mu.Unlock()
	evs, _ := b.st.AuditLog(t.Context(), time.Time{}, 0)
	out := buf.String() + got.Reason
	for _, ev := range evs {
		out += ev.Target + ev.Result + ev.Detail
	}
	if !strings.Contains(buf.String(), "token revocation failed") {
		t.Errorf("no revocation line in the log:\n%s", buf.String())
	}
	for _, s := range []string{tok, "PRIVATE-TOKEN: " + tok} {
		if strings.Contains(out, s) {
			t.Errorf("log, reason or audit log holds the token:\n%s", out)
		}
	}
	noTokenInFiles(t, b.path, secret.New(tok))
}
