package pipeline_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/store"
)

// TestRecoverAfterCrash ends a run, as kill -9 would, right before the provider call and
// right after it (before the answer is recorded); a later worker takes the claim over once its
// lease expires, and the token ends revoked with one revocation call and one audit pair.
func TestRecoverAfterCrash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		stage    string // where the run ends: "before" or "after" the provider revoked the token
		noNotify bool   // the run that dies has no notifier (scan --revoke --yes, then a --notify run)
	}{
		{name: "between claim and call", stage: "before"},
		{name: "between call and record", stage: "after"},
		{name: "revoke run killed, then a notify run", stage: "after", noNotify: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			st := e.open()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			e.prov.hook = func(stage string) {
				if stage == tt.stage {
					cancel() // the process dies here
				}
			}
			var mailer pipeline.Sender = e.mail.mailer(t)
			if tt.noNotify {
				mailer = nil
			}
			p := e.pipeline(st, mailer)
			if _, err := p.Record(ctx, []scanner.Finding{e.f}, nil); err != nil {
				t.Fatal(err)
			}
			if err := p.Drain(ctx, []string{e.f.Fingerprint}, e.clock.Now()); err == nil {
				t.Fatal("Drain = nil, want the end of the run")
			}
			st.Close()
			e.prov.hook = nil

			st = e.open()
			defer st.Close()
			if got, _ := st.Finding(t.Context(), e.f.Fingerprint); got.State != lifecycle.StateRevoking {
				t.Fatalf("state after the crash = %s, want revoking", got.State)
			}
			// Two workers of two processes come up. Within the lease they leave the claim alone.
			p1, p2 := e.pipeline(st, e.mail.mailer(t)), e.pipeline(e.open(), e.mail.mailer(t))
			if _, err := p1.RunDue(t.Context(), 0); err != nil {
				t.Fatal(err)
			}
			if n := e.prov.counts("revokes")[e.tok.Reveal()]; n != map[string]int{"before": 0, "after": 1}[tt.stage] {
				t.Fatalf("revoked %d times within the lease", n)
			}
			e.clock.Add(pipeline.DefaultLease + time.Second)
			var wg sync.WaitGroup
			for _, p := range []*pipeline.Pipeline{p1, p2} {
				wg.Go(func() {
					if _, err := p.RunDue(t.Context(), 0); err != nil {
						t.Errorf("RunDue = %v", err)
					}
				})
			}
			wg.Wait()
			got, _ := st.Finding(t.Context(), e.f.Fingerprint)
			if got.State != lifecycle.StateNotified || pipeline.Outcome(got) != lifecycle.OutcomeRevoked {
				t.Errorf("state %s, outcome %s; want notified, revoked", got.State, pipeline.Outcome(got))
			}
			e.assertRevokedOnce(2)
			actions := auditCount(t, st)
			if actions["revoke_attempt"] != 1 || actions["revoke"] != 1 {
				t.Errorf("audit: %d revoke_attempt, %d revoke; want one pair", actions["revoke_attempt"], actions["revoke"])
			}
			evs, _ := st.AuditLog(t.Context(), time.Time{}, 0)
			takeovers := 0
			for _, ev := range evs {
				if ev.Action == "revoke_recover" && ev.Result == "taken_over" {
					takeovers++
				}
			}
			if takeovers != 1 {
				t.Errorf("%d takeovers of the expired claim, want exactly 1", takeovers)
			}
			e.assertNoSecret(st)
		})
	}
}

// TestConcurrentRunDue runs the retry workers of two processes on one store file at the same
// time: every token is revoked once and every recipient mailed once.
func TestConcurrentRunDue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var fs []scanner.Finding
	for i := range 6 {
		tok := ghToken()
		f := e.f
		f.Secret, f.Redacted = tok, e.f.Redacted
		f.Fingerprint = fmt.Sprintf("%064x", i+1)
		fs = append(fs, f)
	}
	procs := make([]*pipeline.Pipeline, 2)
	for i := range procs {
		st := e.open()
		defer st.Close()
		o := e.options(st, e.mail.mailer(t))
		mem := &pipeline.Memory{}
		mem.Add(fs...)
		o.Tokens = mem
		procs[i] = pipeline.New(o)
	}
	if _, err := procs[0].Record(t.Context(), fs, nil); err != nil {
		t.Fatal(err)
	}
	st := e.session()
	for round := 0; round < 10; round++ {
		var wg sync.WaitGroup
		for _, p := range procs {
			wg.Go(func() {
				if _, err := p.RunDue(t.Context(), 0); err != nil {
					t.Errorf("RunDue = %v", err)
				}
			})
		}
		wg.Wait()
		notified, _ := st.Findings(t.Context(), store.Query{State: lifecycle.StateNotified})
		if len(notified) == len(fs) {
			break
		}
	}
	mails := map[string]int{}
	for _, m := range e.mail.received() {
		mails[m.rcpt[0]+" "+parseMail(t, m.data).text]++
	}
	for k, n := range mails {
		if n != 1 {
			t.Errorf("mailed %d times: %.80q", n, k)
		}
	}
	if len(mails) != 2*len(fs) {
		t.Errorf("%d distinct emails, want %d (owner and security team per token)", len(mails), 2*len(fs))
	}
	for _, f := range fs {
		if n := e.prov.counts("revokes")[f.Secret.Reveal()]; n != 1 {
			t.Errorf("token %s revoked %d times, want once", f.Fingerprint[:8], n)
		}
		got, _ := st.Finding(t.Context(), f.Fingerprint)
		if got.State != lifecycle.StateNotified {
			t.Errorf("token %s is %s, want notified", f.Fingerprint[:8], got.State)
		}
	}
	if n := auditCount(t, st)["revoke_attempt"]; n != len(fs) {
		t.Errorf("%d revoke_attempt rows, want %d", n, len(fs))
	}
}

// TestConcurrentStepsVerifyOnce: drains of one new finding in one process (a scan's and the
// retry pass) take its steps one at a time, so the provider is asked once whether the token
// is live; a step that waited sees the finding as the other left it and goes on from there.
func TestConcurrentStepsVerifyOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.prov.delay = 50 * time.Millisecond // widen the window two unserialized checks would share
	st := e.open()
	defer st.Close()
	p := pipeline.New(e.options(st, e.mail.mailer(t)))
	if _, err := p.Record(t.Context(), []scanner.Finding{e.f}, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, _, err := p.Step(t.Context(), e.f.Fingerprint); err != nil {
				t.Errorf("Step = %v", err)
			}
		})
	}
	wg.Wait()
	// The steps run in turn: verify, revoke, then the confirm step's own check.
	if n := e.prov.counts("verifies")[e.tok.Reveal()]; n > 2 {
		t.Errorf("verified %d times by 4 concurrent steps, want at most 2 (the verify step, the confirm step)", n)
	}
	if n := e.prov.counts("revokes")[e.tok.Reveal()]; n > 1 {
		t.Errorf("revoked %d times, want at most once", n)
	}
}
