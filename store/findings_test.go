package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
)

func TestSaveFindingNewThenExisting(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, p := openTemp(t)

	in := finding(1, t0)
	in.State = lifecycle.StateNotified // ignored: a new finding is always detected
	in.Locations = append(in.Locations, loc("a.go", 3), loc("b.go", 9))
	got, created, err := s.SaveFinding(ctx, in)
	if err != nil || !created {
		t.Fatalf("SaveFinding(new) = _, %v, %v, want created", created, err)
	}
	want := store.Finding{
		Fingerprint: fp(1), DetectorID: "github-classic-pat", Provider: "github", Confidence: "checksum",
		Redacted: "ghp_ab12…", State: lifecycle.StateDetected, FirstSeen: t0, LastSeen: t0, UpdatedAt: t0,
		Locations: []store.Location{loc("a.go", 3), loc("b.go", 9)},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SaveFinding(new) (-want +got):\n%s", d)
	}

	// Seen again later, once at a known place and once at a new one.
	later := t0.Add(time.Hour)
	again := finding(1, later)
	again.Locations = []store.Location{loc("b.go", 9), loc("c.go", 1)}
	got, created, err = s.SaveFinding(ctx, again)
	if err != nil || created {
		t.Fatalf("SaveFinding(existing) = _, %v, %v, want not created", created, err)
	}
	want.LastSeen = later
	want.Locations = append(want.Locations, loc("c.go", 1))
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SaveFinding(existing) (-want +got):\n%s", d)
	}

	// An older sighting does not move LastSeen back.
	got, _, err = s.SaveFinding(ctx, finding(1, t0.Add(-time.Hour)))
	if err != nil || !got.LastSeen.Equal(later) || !got.FirstSeen.Equal(t0) {
		t.Errorf("SaveFinding(older) = FirstSeen %v LastSeen %v, %v; want %v, %v", got.FirstSeen, got.LastSeen, err, t0, later)
	}

	// The state survives a save.
	if _, err := s.Transition(ctx, fp(1), []store.State{lifecycle.StateDetected}, lifecycle.StateLive, store.Update{}); err != nil {
		t.Fatal(err)
	}
	if got := save(t, s, finding(1, later)); got.State != lifecycle.StateLive {
		t.Errorf("SaveFinding after Transition: State = %s, want verified", got.State)
	}

	if n := count(t, raw(t, p), `SELECT COUNT(*) FROM locations WHERE fingerprint = ?`, fp(1)); n != 3 {
		t.Errorf("locations rows = %d, want 3 (deduplicated)", n)
	}
	read, err := s.Finding(ctx, fp(1))
	if err != nil || len(read.Locations) != 3 {
		t.Errorf("Finding = %d locations, %v; want 3", len(read.Locations), err)
	}
}

func TestSaveFindingDefaultsTimes(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	f := finding(1, time.Time{})
	got := save(t, s, f)
	if !got.FirstSeen.Equal(t0) || !got.LastSeen.Equal(t0) {
		t.Errorf("SaveFinding(zero times) = FirstSeen %v LastSeen %v, want the clock's %v", got.FirstSeen, got.LastSeen, t0)
	}
}

func TestSaveFindingInvalid(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	tests := []struct {
		name string
		edit func(*store.Finding)
	}{
		{"raw token as fingerprint", func(f *store.Finding) { f.Fingerprint = "ghp_" + strings.Repeat("x", 36) }},
		{"upper-case hex", func(f *store.Finding) { f.Fingerprint = strings.ToUpper(fp(0xabcdef)) }},
		{"short fingerprint", func(f *store.Finding) { f.Fingerprint = "abc" }},
		{"empty fingerprint", func(f *store.Finding) { f.Fingerprint = "" }},
		{"empty detector", func(f *store.Finding) { f.DetectorID = "" }},
		{"raw token as preview", func(f *store.Finding) { f.Redacted = "ghp_" + strings.Repeat("x", 36) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := finding(1, t0)
			tt.edit(&f)
			if _, _, err := s.SaveFinding(t.Context(), f); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("SaveFinding = %v, want ErrInvalid", err)
			}
		})
	}
	t.Cleanup(func() {
		if fs, err := s.Findings(context.Background(), store.Query{}); err != nil || len(fs) != 0 {
			t.Errorf("Findings after invalid saves = %d, %v; want none", len(fs), err)
		}
	})
}

func TestFindingNotFound(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	if _, err := s.Finding(t.Context(), fp(404)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Finding(unknown) = %v, want ErrNotFound", err)
	}
}

func TestFindingsQuery(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := openTemp(t)
	// Saved out of order; listed by FirstSeen.
	for _, n := range []int{3, 1, 2, 4} {
		f := finding(n, t0.Add(time.Duration(n)*time.Minute))
		if n == 4 {
			f.Provider = "gitlab"
		}
		save(t, s, f)
	}
	if _, err := s.Transition(ctx, fp(2), []store.State{lifecycle.StateDetected}, lifecycle.StateLive, store.Update{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"all", store.Query{}, []string{fp(1), fp(2), fp(3), fp(4)}},
		{"state", store.Query{State: lifecycle.StateDetected}, []string{fp(1), fp(3), fp(4)}},
		{"provider", store.Query{Provider: "gitlab"}, []string{fp(4)}},
		{"both", store.Query{State: lifecycle.StateLive, Provider: "github"}, []string{fp(2)}},
		{"limit", store.Query{Limit: 2}, []string{fp(1), fp(2)}},
		{"none", store.Query{State: lifecycle.StateNotified}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs, err := s.Findings(t.Context(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Fingerprint)
				if len(f.Locations) != 1 {
					t.Errorf("%s has %d locations, want 1", f.Fingerprint, len(f.Locations))
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Findings(%+v) (-want +got):\n%s", tt.q, d)
			}
		})
	}
}

func TestTransition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		from    []store.State
		to      store.State
		upd     store.Update
		wantErr error
		check   func(t *testing.T, f store.Finding)
	}{
		{
			name: "allowed with fields",
			from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateLive,
			upd: store.Update{Verify: ptr(lifecycle.VerdictLive), OwnerID: ptr("42"), OwnerName: ptr("Ada"),
				OwnerEmail: ptr("ada@contoso.com"), Org: ptr("contoso")},
			check: func(t *testing.T, f store.Finding) {
				if f.State != lifecycle.StateLive || f.Verify != "live" || f.OwnerID != "42" || f.OwnerName != "Ada" ||
					f.OwnerEmail != "ada@contoso.com" || f.Org != "contoso" || !f.UpdatedAt.Equal(t0.Add(time.Minute)) {
					t.Errorf("Transition = %+v", f)
				}
			},
		},
		{
			name: "one of several from states",
			from: []store.State{lifecycle.StateLive, lifecycle.StateDetected}, to: lifecycle.StateRevokeFailed,
			upd: store.Update{Revocation: ptr(lifecycle.OutcomeFailed), RevocationReason: ptr("HTTP 500"),
				Attempts: ptr(1), NextAttempt: ptr(t0.Add(time.Hour))},
			check: func(t *testing.T, f store.Finding) {
				if f.State != lifecycle.StateRevokeFailed || f.Revocation != "failed" || f.RevocationReason != "HTTP 500" ||
					f.Attempts != 1 || !f.NextAttempt.Equal(t0.Add(time.Hour)) {
					t.Errorf("Transition = %+v", f)
				}
				if f.Verify != "" || f.OwnerID != "" {
					t.Errorf("nil Update fields changed: %+v", f)
				}
			},
		},
		{
			name: "same state to update fields",
			from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateDetected,
			upd: store.Update{Attempts: ptr(2)},
			check: func(t *testing.T, f store.Finding) {
				if f.State != lifecycle.StateDetected || f.Attempts != 2 {
					t.Errorf("Transition = %+v", f)
				}
			},
		},
		{
			name: "pipeline-defined state",
			from: []store.State{lifecycle.StateDetected}, to: "revoking",
			check: func(t *testing.T, f store.Finding) {
				if f.State != "revoking" {
					t.Errorf("State = %s, want revoking", f.State)
				}
			},
		},
		{name: "conflict", from: []store.State{lifecycle.StateLive}, to: lifecycle.StateRevocationSent, wantErr: store.ErrConflict},
		{name: "no from", to: lifecycle.StateLive, wantErr: store.ErrInvalid},
		{name: "bad state", from: []store.State{lifecycle.StateDetected}, to: "Verified!", wantErr: store.ErrInvalid},
		{name: "bad verify", from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateLive,
			upd: store.Update{Verify: ptr(lifecycle.Verdict("maybe"))}, wantErr: store.ErrInvalid},
		{name: "bad revocation", from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateLive,
			upd: store.Update{Revocation: ptr(lifecycle.Outcome("nuked"))}, wantErr: store.ErrInvalid},
		{name: "negative attempts", from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateLive,
			upd: store.Update{Attempts: ptr(-1)}, wantErr: store.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClock(t0)
			s := openAt(t, dbPath(t), c)
			save(t, s, finding(1, t0))
			c.Set(t0.Add(time.Minute))
			got, err := s.Transition(t.Context(), fp(1), tt.from, tt.to, tt.upd)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Transition = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				// Nothing changed.
				if f, _ := s.Finding(t.Context(), fp(1)); f.State != lifecycle.StateDetected || !f.UpdatedAt.Equal(t0) {
					t.Errorf("after failed Transition: State %s UpdatedAt %v, want detected, %v", f.State, f.UpdatedAt, t0)
				}
				return
			}
			tt.check(t, got)
			if len(got.Locations) != 1 {
				t.Errorf("Transition returned %d locations, want 1", len(got.Locations))
			}
			if read, _ := s.Finding(t.Context(), fp(1)); !cmp.Equal(read, got) {
				t.Errorf("Finding after Transition differs:\n%s", cmp.Diff(got, read))
			}
		})
	}
}

func TestTransitionNotFound(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	_, err := s.Transition(t.Context(), fp(404), []store.State{lifecycle.StateDetected}, lifecycle.StateLive, store.Update{})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Transition(unknown) = %v, want ErrNotFound", err)
	}
}

// TestTransitionRace races one transition from many goroutines over two Stores on the same
// file (as two processes would): exactly one wins.
func TestTransitionRace(t *testing.T) {
	t.Parallel()
	p := dbPath(t)
	a := openAt(t, p, nil)
	b := openAt(t, p, nil)
	for n := range 5 {
		save(t, a, finding(n, t0))
	}
	const workers = 16
	for n := range 5 {
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, conflicts := 0, 0
		for w := range workers {
			s := a
			if w%2 == 1 {
				s = b
			}
			wg.Go(func() {
				_, err := s.Transition(t.Context(), fp(n), []store.State{lifecycle.StateDetected}, lifecycle.StateLive,
					store.Update{Attempts: ptr(w)})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, store.ErrConflict):
					conflicts++
				default:
					t.Errorf("Transition = %v", err)
				}
			})
		}
		wg.Wait()
		if wins != 1 || conflicts != workers-1 {
			t.Errorf("finding %d: %d wins, %d conflicts; want 1, %d", n, wins, conflicts, workers-1)
		}
	}
}

func TestDue(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := openTemp(t)
	// fp(1): revoke_failed, due at +30m; fp(2): verified/unknown, due at +10m;
	// fp(3): revoke_failed, due at +2h; fp(4): detected (NextAttempt zero: due at once);
	// fp(5): notified, never due.
	steps := []struct {
		n    int
		to   store.State
		next time.Time
	}{
		{1, lifecycle.StateRevokeFailed, t0.Add(30 * time.Minute)},
		{2, lifecycle.StateLive, t0.Add(10 * time.Minute)},
		{3, lifecycle.StateRevokeFailed, t0.Add(2 * time.Hour)},
		{4, lifecycle.StateDetected, time.Time{}},
		{5, lifecycle.StateNotified, t0},
	}
	for _, st := range steps {
		save(t, s, finding(st.n, t0.Add(time.Duration(st.n)*time.Second)))
		upd := store.Update{}
		if !st.next.IsZero() {
			upd.NextAttempt = ptr(st.next)
		}
		if _, err := s.Transition(ctx, fp(st.n), []store.State{lifecycle.StateDetected}, st.to, upd); err != nil {
			t.Fatal(err)
		}
	}
	retry := []store.State{lifecycle.StateRevokeFailed, lifecycle.StateLive}
	tests := []struct {
		name   string
		states []store.State
		now    time.Time
		limit  int
		want   []string
	}{
		{"nothing due yet", retry, t0, 0, nil},
		{"one due", retry, t0.Add(15 * time.Minute), 0, []string{fp(2)}},
		{"earliest first", retry, t0.Add(3 * time.Hour), 0, []string{fp(2), fp(1), fp(3)}},
		{"limit", retry, t0.Add(3 * time.Hour), 2, []string{fp(2), fp(1)}},
		{"due at the instant", retry, t0.Add(30 * time.Minute), 0, []string{fp(2), fp(1)}},
		{"zero next attempt is due", []store.State{lifecycle.StateDetected}, t0, 0, []string{fp(4)}},
		{"other states excluded", []store.State{lifecycle.StateSkipped}, t0.Add(time.Hour * 24), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs, err := s.Due(t.Context(), tt.states, tt.now, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Fingerprint)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Due(%v, %v) (-want +got):\n%s", tt.states, tt.now, d)
			}
		})
	}
	if _, err := s.Due(ctx, nil, t0, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Due(no states) = %v, want ErrInvalid", err)
	}
}

func TestAuditAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, p := openTemp(t)
	events := []store.AuditEvent{
		{At: t0.Add(2 * time.Second), Actor: "patrol serve", Action: "revoke", Fingerprint: fp(1), Provider: "github",
			Target: "https://github.com/contoso/app", Result: "revoked"},
		{At: t0, Actor: "patrol serve", Action: "verify", Fingerprint: fp(1), Provider: "github", Result: "live"},
		{At: t0.Add(time.Second), Actor: "patrol serve", Action: "revoke_attempt", Fingerprint: fp(1), Provider: "github",
			Result: "started", Detail: "owner 42"},
		{Actor: "alice", Action: "confirm", Fingerprint: fp(1), Result: "dead"}, // At from the clock: t0
	}
	for _, e := range events {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatalf("Audit(%s) = %v", e.Action, err)
		}
	}
	if err := s.Audit(ctx, store.AuditEvent{Actor: "x"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Audit(no action) = %v, want ErrInvalid", err)
	}

	log, err := s.AuditLog(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		got = append(got, e.Action)
	}
	// Oldest first; equal times in append order.
	if d := cmp.Diff([]string{"verify", "confirm", "revoke_attempt", "revoke"}, got); d != "" {
		t.Errorf("AuditLog order (-want +got):\n%s", d)
	}
	if log[2].Detail != "owner 42" || log[2].ID != 3 || !log[1].At.Equal(t0) {
		t.Errorf("AuditLog entries = %+v", log)
	}
	if since, _ := s.AuditLog(ctx, t0.Add(time.Second), 1); len(since) != 1 || since[0].Action != "revoke_attempt" {
		t.Errorf("AuditLog(since +1s, 1) = %+v, want revoke_attempt", since)
	}

	db := raw(t, p)
	for _, q := range []string{
		`UPDATE audit_log SET result = 'forged' WHERE action = 'revoke'`,
		`DELETE FROM audit_log WHERE action = 'revoke'`,
		`DELETE FROM audit_log`,
	} {
		_, err := db.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s = %v, want the append-only trigger to refuse", q, err)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE result = 'revoked'`); n != 1 {
		t.Errorf("after refused tampering, revoked entries = %d, want 1", n)
	}
}

func BenchmarkSaveFinding(b *testing.B) {
	ctx := b.Context()
	s, err := store.Open(ctx, store.Config{DSN: b.TempDir() + "/patrol.db"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Run("new", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			if _, _, err := s.SaveFinding(ctx, finding(n, t0)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
	})
	b.Run("existing", func(b *testing.B) {
		f := finding(1, t0)
		for b.Loop() {
			if _, _, err := s.SaveFinding(ctx, f); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
	})
}
