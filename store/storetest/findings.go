package storetest

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

func (x *suite) testSaveFindingNewThenExisting(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)

	in := Finding(1, T0)
	in.State = lifecycle.StateNotified // ignored: a new finding is always detected
	in.Locations = append(in.Locations, Location("a.go", 3), Location("b.go", 9))
	got, created, err := s.SaveFinding(ctx, in)
	if err != nil || !created {
		t.Fatalf("SaveFinding(new) = _, %v, %v, want created", created, err)
	}
	want := store.Finding{
		Fingerprint: Fingerprint(1), DetectorID: "github-classic-pat", Provider: "github", Confidence: "checksum",
		Redacted: "ghp_ab12…", State: lifecycle.StateDetected, FirstSeen: T0, LastSeen: T0, UpdatedAt: T0,
		Locations: []store.Location{Location("a.go", 3), Location("b.go", 9)},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SaveFinding(new) (-want +got):\n%s", d)
	}

	// Seen again later, once at a known place and once at a new one.
	later := T0.Add(time.Hour)
	again := Finding(1, later)
	again.Locations = []store.Location{Location("b.go", 9), Location("c.go", 1)}
	got, created, err = s.SaveFinding(ctx, again)
	if err != nil || created {
		t.Fatalf("SaveFinding(existing) = _, %v, %v, want not created", created, err)
	}
	want.LastSeen = later
	want.Locations = append(want.Locations, Location("c.go", 1))
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SaveFinding(existing) (-want +got):\n%s", d)
	}

	// An older sighting does not move LastSeen back.
	got, _, err = s.SaveFinding(ctx, Finding(1, T0.Add(-time.Hour)))
	if err != nil || !got.LastSeen.Equal(later) || !got.FirstSeen.Equal(T0) {
		t.Errorf("SaveFinding(older) = FirstSeen %v LastSeen %v, %v; want %v, %v", got.FirstSeen, got.LastSeen, err, T0, later)
	}

	// The state survives a save.
	if _, err := s.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateDetected}, lifecycle.StateLive, store.Update{}); err != nil {
		t.Fatal(err)
	}
	if got := save(t, s, Finding(1, later)); got.State != lifecycle.StateLive {
		t.Errorf("SaveFinding after Transition: State = %s, want verified", got.State)
	}

	// Locations are deduplicated: three places, however often seen.
	read, err := s.Finding(ctx, Fingerprint(1))
	if err != nil || len(read.Locations) != 3 {
		t.Errorf("Finding = %d locations, %v; want 3", len(read.Locations), err)
	}
}

func (x *suite) testSaveFindingDefaultsTimes(t *testing.T) {
	t.Parallel()
	s, _ := x.store(t)
	f := Finding(1, time.Time{})
	got := save(t, s, f)
	if !got.FirstSeen.Equal(T0) || !got.LastSeen.Equal(T0) {
		t.Errorf("SaveFinding(zero times) = FirstSeen %v LastSeen %v, want the clock's %v", got.FirstSeen, got.LastSeen, T0)
	}
}

func (x *suite) testSaveFindingInvalid(t *testing.T) {
	t.Parallel()
	s, _ := x.store(t)
	tests := []struct {
		name string
		edit func(*store.Finding)
	}{
		{"raw token as fingerprint", func(f *store.Finding) { f.Fingerprint = "ghp_" + strings.Repeat("x", 36) }},
		{"upper-case hex", func(f *store.Finding) { f.Fingerprint = strings.ToUpper(Fingerprint(0xabcdef)) }},
		{"short fingerprint", func(f *store.Finding) { f.Fingerprint = "abc" }},
		{"empty fingerprint", func(f *store.Finding) { f.Fingerprint = "" }},
		{"empty detector", func(f *store.Finding) { f.DetectorID = "" }},
		{"raw token as preview", func(f *store.Finding) { f.Redacted = "ghp_" + strings.Repeat("x", 36) }},
		{"raw token as blob", func(f *store.Finding) { f.Locations[0].Blob = "ghp_" + strings.Repeat("x", 36) }},
		{"upper-case blob", func(f *store.Finding) { f.Locations[0].Blob = strings.Repeat("AB", 20) }},
		{"short blob", func(f *store.Finding) { f.Locations[0].Blob = strings.Repeat("ab", 10) }},
		{"negative offset", func(f *store.Finding) { f.Locations[0].Offset = -1 }},
		{"negative length", func(f *store.Finding) { f.Locations[0].Length = -1 }},
		{"unknown kind", func(f *store.Finding) { f.Locations[0].Kind = "note" }},
		{"unknown encoding", func(f *store.Finding) { f.Locations[0].Encoding = "hex" }},
		{"alert location without its number", func(f *store.Finding) { f.Locations[0].Kind = store.KindSecretScanningAlert }},
		{"alert number on a file location", func(f *store.Finding) { f.Locations[0].Alert = 7 }},
		{"negative alert number", func(f *store.Finding) {
			f.Locations[0].Kind, f.Locations[0].Alert = store.KindSecretScanningAlert, -1
		}},
		{"credentials in repository URL", func(f *store.Finding) {
			f.Locations[0].Repository = "https://x-access-token@github.com/contoso/app"
		}},
		{"password in web URL", func(f *store.Finding) { f.Locations[0].WebURL = "https://u:p@github.com/contoso/app" }},
		{"second location invalid", func(f *store.Finding) {
			l := Location("b.go", 1)
			l.Encoding = "rot13"
			f.Locations = append(f.Locations, l)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := Finding(1, T0)
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

// testErrorsDoNotRepeatRefusedValues passes a token-shaped value wherever a caller could put
// the raw token by mistake: the store refuses it (or finds nothing) and its error text does
// not repeat it, since errors end up in logs.
func (x *suite) testErrorsDoNotRepeatRefusedValues(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	save(t, s, Finding(1, T0))
	tok := "ghp_" + strings.Repeat("Qx7", 12) // assembled at run time, shaped like a token
	withLocation := func(edit func(l *store.Location)) store.Finding {
		f := Finding(1, T0)
		edit(&f.Locations[0])
		return f
	}
	for name, err := range map[string]error{
		"SaveFinding(fingerprint)": func() error {
			f := Finding(1, T0)
			f.Fingerprint = tok
			_, _, err := s.SaveFinding(ctx, f)
			return err
		}(),
		"SaveFinding(preview)": func() error {
			f := Finding(1, T0)
			f.Redacted = tok
			_, _, err := s.SaveFinding(ctx, f)
			return err
		}(),
		"SaveFinding(blob)": func() error {
			_, _, err := s.SaveFinding(ctx, withLocation(func(l *store.Location) { l.Blob = tok }))
			return err
		}(),
		"SaveFinding(repository)": func() error {
			_, _, err := s.SaveFinding(ctx, withLocation(func(l *store.Location) { l.Repository = "https://" + tok + "@github.com/c/a" }))
			return err
		}(),
		"Finding": func() error { _, err := s.Finding(ctx, tok); return err }(),
		"Transition": func() error {
			_, err := s.Transition(ctx, tok, []store.State{lifecycle.StateDetected}, lifecycle.StateLive, store.Update{})
			return err
		}(),
		"Enqueue": func() error {
			m := Message(1, "owner@contoso.com")
			m.Fingerprint = tok
			_, _, err := s.Enqueue(ctx, m)
			return err
		}(),
		"SaveCursor(repository)":  s.SaveCursor(ctx, store.Cursor{Repository: "https://" + tok + "@github.com/c/a"}),
		"SaveCursor(commit)":      s.SaveCursor(ctx, store.Cursor{Repository: repo, Refs: map[string]string{"refs/heads/main": tok}}),
		"MarkScanned(blob)":       s.MarkScanned(ctx, repo, []string{tok}),
		"MarkScanned(repository)": s.MarkScanned(ctx, "https://x:"+tok+"@github.com/c/a", []string{blobID(1)}),
		"Scanned(blob)":           func() error { _, err := s.Scanned(ctx, repo, []string{tok}); return err }(),
	} {
		switch {
		case err == nil:
			t.Errorf("%s accepted a token-shaped value", name)
		case strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), tok[4:]):
			t.Errorf("%s = %q: the error repeats the value", name, err)
		}
	}
}

// testLocationSpans checks the fields that say where a token's bytes are: they round-trip,
// and the location key is (repository, commit, path, line, column, kind).
func (x *suite) testLocationSpans(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	blob := Location("config/app.yaml", 12)
	blob.Blob, blob.Offset, blob.Length, blob.Encoding = strings.Repeat("ab", 20), 1<<33, 40, "base64"
	sha256Blob := Location("b.go", 2)
	sha256Blob.Blob, sha256Blob.Offset, sha256Blob.Length = strings.Repeat("0f", 32), 0, 36
	// The same commit, line and column as blob, in the commit's message: another place.
	msg := blob
	msg.Kind, msg.Blob, msg.Offset, msg.Length, msg.Encoding = "commit-message", "", 17, 40, "url"
	tag := Location("", 1)
	tag.Kind, tag.Offset, tag.Length = "tag-message", 3, 40
	// Where a code host's alert saw the token: the same commit, path and line as blob, the
	// alert's own place, with its number (a number past 32 bits round-trips).
	alert := Location("config/app.yaml", 12)
	alert.Source, alert.Kind, alert.Alert, alert.Blob = "github-alert", store.KindSecretScanningAlert, 1<<40, strings.Repeat("ab", 20)
	f := Finding(1, T0)
	f.Locations = []store.Location{blob, sha256Blob, msg, tag, alert}
	got := save(t, s, f)
	if d := cmp.Diff(f.Locations, got.Locations); d != "" {
		t.Errorf("SaveFinding locations (-want +got):\n%s", d)
	}

	// The key does not hold the span: the same place with another span is the same location,
	// as first recorded.
	moved := blob
	moved.Blob, moved.Offset = strings.Repeat("cd", 20), 5
	f.Locations = []store.Location{moved}
	got = save(t, s, f)
	if d := cmp.Diff([]store.Location{blob, sha256Blob, msg, tag, alert}, got.Locations); d != "" {
		t.Errorf("SaveFinding(same place, other span) locations (-want +got):\n%s", d)
	}
	read, err := s.Finding(ctx, Fingerprint(1))
	if err != nil || !cmp.Equal(read, got) {
		t.Errorf("Finding = %v; differs from the save:\n%s", err, cmp.Diff(got, read))
	}
}

func (x *suite) testFindingNotFound(t *testing.T) {
	t.Parallel()
	s, _ := x.store(t)
	if _, err := s.Finding(t.Context(), Fingerprint(404)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Finding(unknown) = %v, want ErrNotFound", err)
	}
}

func (x *suite) testFindingsQuery(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	// Saved out of order; listed by FirstSeen.
	for _, n := range []int{3, 1, 2, 4} {
		f := Finding(n, T0.Add(time.Duration(n)*time.Minute))
		if n == 4 {
			f.Provider = "gitlab"
		}
		save(t, s, f)
	}
	if _, err := s.Transition(ctx, Fingerprint(2), []store.State{lifecycle.StateDetected}, lifecycle.StateLive, store.Update{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, Fingerprint(3), []store.State{lifecycle.StateDetected}, lifecycle.StateUnknown, store.Update{}); err != nil {
		t.Fatal(err)
	}
	fp := Fingerprint
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"all", store.Query{}, []string{fp(1), fp(2), fp(3), fp(4)}},
		{"state", store.Query{State: lifecycle.StateDetected}, []string{fp(1), fp(4)}},
		{"provider", store.Query{Provider: "gitlab"}, []string{fp(4)}},
		{"both", store.Query{State: lifecycle.StateLive, Provider: "github"}, []string{fp(2)}},
		{"limit", store.Query{Limit: 2}, []string{fp(1), fp(2)}},
		{"none", store.Query{State: lifecycle.StateNotified}, nil},
		{"any of states", store.Query{States: []store.State{lifecycle.StateLive, lifecycle.StateUnknown}}, []string{fp(2), fp(3)}},
		{"states and provider", store.Query{States: []store.State{lifecycle.StateDetected, lifecycle.StateLive}, Provider: "github"},
			[]string{fp(1), fp(2)}},
		{"states and state", store.Query{State: lifecycle.StateLive, States: []store.State{lifecycle.StateLive, lifecycle.StateUnknown}},
			[]string{fp(2)}},
		{"state not among states", store.Query{State: lifecycle.StateDetected, States: []store.State{lifecycle.StateLive}}, nil},
		{"states with limit", store.Query{States: []store.State{lifecycle.StateDetected, lifecycle.StateUnknown}, Limit: 2},
			[]string{fp(1), fp(3)}},
		{"states none match", store.Query{States: []store.State{lifecycle.StateNotified, lifecycle.StateDead}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs, err := s.Findings(t.Context(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				if len(f.Locations) != 1 {
					t.Errorf("%s has %d locations, want 1", f.Fingerprint, len(f.Locations))
				}
			}
			if d := cmp.Diff(tt.want, fingerprints(fs)); d != "" {
				t.Errorf("Findings(%+v) (-want +got):\n%s", tt.q, d)
			}
		})
	}
	for _, q := range []store.Query{{States: []store.State{"Live!"}}, {State: "a b"}} {
		if _, err := s.Findings(ctx, q); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Findings(%+v) = %v, want ErrInvalid", q, err)
		}
	}
}

func (x *suite) testTransition(t *testing.T) {
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
					f.OwnerEmail != "ada@contoso.com" || f.Org != "contoso" || !f.UpdatedAt.Equal(T0.Add(time.Minute)) {
					t.Errorf("Transition = %+v", f)
				}
			},
		},
		{
			name: "one of several from states",
			from: []store.State{lifecycle.StateLive, lifecycle.StateDetected}, to: lifecycle.StateRevokeFailed,
			upd: store.Update{Revocation: ptr(lifecycle.OutcomeFailed), RevocationReason: ptr("HTTP 500"),
				Attempts: ptr(1), NextAttempt: ptr(T0.Add(time.Hour))},
			check: func(t *testing.T, f store.Finding) {
				if f.State != lifecycle.StateRevokeFailed || f.Revocation != "failed" || f.RevocationReason != "HTTP 500" ||
					f.Attempts != 1 || !f.NextAttempt.Equal(T0.Add(time.Hour)) {
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
		{
			name: "if attempts matches",
			from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateRevoking,
			upd: store.Update{IfAttempts: ptr(0), Attempts: ptr(1)},
			check: func(t *testing.T, f store.Finding) {
				if f.State != lifecycle.StateRevoking || f.Attempts != 1 {
					t.Errorf("Transition = %+v", f)
				}
			},
		},
		{name: "conflict", from: []store.State{lifecycle.StateLive}, to: lifecycle.StateRevocationSent, wantErr: store.ErrConflict},
		{name: "if attempts differs", from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateRevoking,
			upd: store.Update{IfAttempts: ptr(3), Attempts: ptr(4)}, wantErr: store.ErrConflict},
		{name: "no from", to: lifecycle.StateLive, wantErr: store.ErrInvalid},
		{name: "bad state", from: []store.State{lifecycle.StateDetected}, to: "Verified!", wantErr: store.ErrInvalid},
		{name: "bad verify", from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateLive,
			upd: store.Update{Verify: ptr(lifecycle.Verdict("maybe"))}, wantErr: store.ErrInvalid},
		{name: "bad revocation", from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateLive,
			upd: store.Update{Revocation: ptr(lifecycle.Outcome("nuked"))}, wantErr: store.ErrInvalid},
		{name: "negative attempts", from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateLive,
			upd: store.Update{Attempts: ptr(-1)}, wantErr: store.ErrInvalid},
		{name: "negative if attempts", from: []store.State{lifecycle.StateDetected}, to: lifecycle.StateLive,
			upd: store.Update{IfAttempts: ptr(-1)}, wantErr: store.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, c := x.store(t)
			save(t, s, Finding(1, T0))
			c.Set(T0.Add(time.Minute))
			got, err := s.Transition(t.Context(), Fingerprint(1), tt.from, tt.to, tt.upd)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Transition = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				// Nothing changed.
				if f, _ := s.Finding(t.Context(), Fingerprint(1)); f.State != lifecycle.StateDetected || !f.UpdatedAt.Equal(T0) || f.Attempts != 0 {
					t.Errorf("after failed Transition: State %s UpdatedAt %v Attempts %d, want detected, %v, 0", f.State, f.UpdatedAt, f.Attempts, T0)
				}
				return
			}
			tt.check(t, got)
			if len(got.Locations) != 1 {
				t.Errorf("Transition returned %d locations, want 1", len(got.Locations))
			}
			if read, _ := s.Finding(t.Context(), Fingerprint(1)); !cmp.Equal(read, got) {
				t.Errorf("Finding after Transition differs:\n%s", cmp.Diff(got, read))
			}
		})
	}
}

func (x *suite) testTransitionNotFound(t *testing.T) {
	t.Parallel()
	s, _ := x.store(t)
	for _, upd := range []store.Update{{}, {IfAttempts: ptr(0)}} {
		_, err := s.Transition(t.Context(), Fingerprint(404), []store.State{lifecycle.StateDetected}, lifecycle.StateLive, upd)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Transition(unknown, %+v) = %v, want ErrNotFound", upd, err)
		}
	}
}

// testTransitionIfAttempts checks the Attempts guard on its own: it compares, and a lost
// compare changes nothing.
func (x *suite) testTransitionIfAttempts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	save(t, s, Finding(1, T0))
	revoking := []store.State{lifecycle.StateRevoking}
	if _, err := s.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateDetected}, lifecycle.StateRevoking,
		store.Update{Attempts: ptr(2)}); err != nil {
		t.Fatal(err)
	}
	for _, stale := range []int{0, 1, 3} {
		_, err := s.Transition(ctx, Fingerprint(1), revoking, lifecycle.StateRevoking, store.Update{IfAttempts: ptr(stale), Attempts: ptr(stale + 1)})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("Transition(IfAttempts %d, stored 2) = %v, want ErrConflict", stale, err)
		}
	}
	// The state guard still applies with a matching Attempts.
	if _, err := s.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateLive}, lifecycle.StateRevoking,
		store.Update{IfAttempts: ptr(2)}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Transition(wrong state, IfAttempts matches) = %v, want ErrConflict", err)
	}
	got, err := s.Transition(ctx, Fingerprint(1), revoking, lifecycle.StateRevoking, store.Update{IfAttempts: ptr(2), Attempts: ptr(3)})
	if err != nil || got.Attempts != 3 {
		t.Fatalf("Transition(IfAttempts 2, stored 2) = Attempts %d, %v; want 3", got.Attempts, err)
	}
	// Without touching Attempts the guard holds for the next worker as well.
	if _, err := s.Transition(ctx, Fingerprint(1), revoking, lifecycle.StateRevocationSent, store.Update{IfAttempts: ptr(3)}); err != nil {
		t.Errorf("Transition(IfAttempts 3 without Attempts) = %v", err)
	}
}

// testTransitionRace races one transition from many goroutines: exactly one wins.
func (x *suite) testTransitionRace(t *testing.T) {
	t.Parallel()
	s, _ := x.store(t)
	RaceTransition(t, s)
}

// RaceTransition saves five findings through stores[0] and races each one's move from
// detected to live from 16 goroutines spread over stores: exactly one wins, the others get
// ErrConflict. Drivers that can open one database twice (two processes would) call it with
// two handles.
func RaceTransition(t *testing.T, stores ...store.Store) {
	t.Helper()
	if len(stores) == 0 {
		t.Fatal("RaceTransition: no stores")
	}
	for n := range 5 {
		save(t, stores[0], Finding(n, T0))
	}
	const workers = 16
	for n := range 5 {
		wins, conflicts := raceCAS(t, "Transition", workers, stores, func(w int, s store.Store) error {
			_, err := s.Transition(t.Context(), Fingerprint(n), []store.State{lifecycle.StateDetected}, lifecycle.StateLive,
				store.Update{Attempts: ptr(w)})
			return err
		})
		if wins != 1 || conflicts != workers-1 {
			t.Errorf("finding %d: %d wins, %d conflicts; want 1, %d", n, wins, conflicts, workers-1)
		}
	}
}

// raceCAS runs a compare-and-set from workers goroutines at once, worker w on
// stores[w%len(stores)], and counts the wins (nil) and the conflicts (ErrConflict); any other
// error of op fails the test.
func raceCAS(t *testing.T, op string, workers int, stores []store.Store, fn func(w int, s store.Store) error) (wins, conflicts int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			err := fn(w, stores[w%len(stores)])
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				t.Errorf("%s = %v", op, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return wins, conflicts
}

// testTransitionLeaseTakeover is the use IfAttempts exists for: a finding left in a claimed
// state by a crashed worker is taken over by exactly one of several workers that saw it
// stale, although they all move it from and to the same state.
func (x *suite) testTransitionLeaseTakeover(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	save(t, s, Finding(1, T0))
	stale, err := s.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateDetected}, lifecycle.StateRevoking,
		store.Update{Attempts: ptr(1), NextAttempt: ptr(T0.Add(time.Minute))})
	if err != nil {
		t.Fatal(err)
	}
	wins, _ := raceCAS(t, "Transition(takeover)", 12, []store.Store{s}, func(_ int, s store.Store) error {
		_, err := s.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateRevoking}, lifecycle.StateRevoking,
			store.Update{IfAttempts: ptr(stale.Attempts), Attempts: ptr(stale.Attempts + 1), NextAttempt: ptr(T0.Add(time.Hour))})
		return err
	})
	if wins != 1 {
		t.Errorf("%d workers took the lease over, want 1", wins)
	}
	if f, err := s.Finding(ctx, Fingerprint(1)); err != nil || f.Attempts != 2 || !f.NextAttempt.Equal(T0.Add(time.Hour)) {
		t.Errorf("after takeover: Attempts %d NextAttempt %v, %v; want 2, %v", f.Attempts, f.NextAttempt, err, T0.Add(time.Hour))
	}
}

func (x *suite) testDue(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	// fp(1): revoke_failed, due at +30m; fp(2): verified/unknown, due at +10m;
	// fp(3): revoke_failed, due at +2h; fp(4): detected (NextAttempt zero: due at once);
	// fp(5): notified, never due.
	steps := []struct {
		n    int
		to   store.State
		next time.Time
	}{
		{1, lifecycle.StateRevokeFailed, T0.Add(30 * time.Minute)},
		{2, lifecycle.StateLive, T0.Add(10 * time.Minute)},
		{3, lifecycle.StateRevokeFailed, T0.Add(2 * time.Hour)},
		{4, lifecycle.StateDetected, time.Time{}},
		{5, lifecycle.StateNotified, T0},
	}
	for _, st := range steps {
		save(t, s, Finding(st.n, T0.Add(time.Duration(st.n)*time.Second)))
		upd := store.Update{}
		if !st.next.IsZero() {
			upd.NextAttempt = ptr(st.next)
		}
		if _, err := s.Transition(ctx, Fingerprint(st.n), []store.State{lifecycle.StateDetected}, st.to, upd); err != nil {
			t.Fatal(err)
		}
	}
	fp := Fingerprint
	retry := []store.State{lifecycle.StateRevokeFailed, lifecycle.StateLive}
	tests := []struct {
		name   string
		states []store.State
		now    time.Time
		limit  int
		want   []string
	}{
		{"nothing due yet", retry, T0, 0, nil},
		{"one due", retry, T0.Add(15 * time.Minute), 0, []string{fp(2)}},
		{"earliest first", retry, T0.Add(3 * time.Hour), 0, []string{fp(2), fp(1), fp(3)}},
		{"limit", retry, T0.Add(3 * time.Hour), 2, []string{fp(2), fp(1)}},
		{"due at the instant", retry, T0.Add(30 * time.Minute), 0, []string{fp(2), fp(1)}},
		{"zero next attempt is due", []store.State{lifecycle.StateDetected}, T0, 0, []string{fp(4)}},
		{"other states excluded", []store.State{lifecycle.StateSkipped}, T0.Add(time.Hour * 24), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs, err := s.Due(t.Context(), tt.states, tt.now, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, fingerprints(fs)); d != "" {
				t.Errorf("Due(%v, %v) (-want +got):\n%s", tt.states, tt.now, d)
			}
		})
	}
	if _, err := s.Due(ctx, nil, T0, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Due(no states) = %v, want ErrInvalid", err)
	}
}
