package pipeline_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

// alertLocation is where a code host's alert number n saw a token.
func alertLocation(repo string, n int64) store.Location {
	return store.Location{Source: "github-alert", Kind: store.KindSecretScanningAlert, Repository: repo, Alert: n,
		Path: "ci.env", Line: 3}
}

// TestRescanReadsAnAlertLocation: a location of an alert is read back through Rescan.Alert,
// given the location and the finding's fingerprint; a git location before it that cannot be
// read is passed over; without Alert the read fails, naming the alert, not the token.
func TestRescanReadsAnAlertLocation(t *testing.T) {
	t.Parallel()
	tok := ghToken()
	fp := secret.Fingerprint(fpKey, "github-classic-pat", tok)
	gone := store.Location{Source: "git", Repository: "/nonexistent/repo", Blob: strings.Repeat("ab", 20), Path: "ci.env", Line: 3, Length: 40}
	f := store.Finding{Fingerprint: fp, Locations: []store.Location{gone, alertLocation("https://github.com/contoso/app.git", 42)}}

	type call struct {
		Alert int64
		FP    string
	}
	var calls []call
	r := pipeline.Rescan{Engine: nil, Alert: func(_ context.Context, l store.Location, fingerprint string) (secret.Token, error) {
		calls = append(calls, call{l.Alert, fingerprint})
		return tok, nil
	}}
	got, err := r.Rehydrate(t.Context(), f)
	if err != nil || got.Reveal() != tok.Reveal() {
		t.Fatalf("Rehydrate = %v; want the alert's token", err)
	}
	if d := cmp.Diff([]call{{42, fp}}, calls); d != "" {
		t.Errorf("Alert calls (-want +got):\n%s", d)
	}

	_, err = pipeline.Rescan{}.Rehydrate(t.Context(), store.Finding{Fingerprint: fp, Locations: f.Locations[1:]})
	if err == nil || !strings.Contains(err.Error(), "alert 42") || strings.Contains(err.Error(), tok.Reveal()) {
		t.Errorf("Rehydrate without Alert = %v; want an error naming the alert", err)
	}
}

// TestOnMoveCommitsWithTheMove: OnMove runs in the transaction of each move to another state
// with the state left and the finding as moved; when it fails, the move and its audit row roll
// back and the step is retried later, as for any store error.
func TestOnMoveCommitsWithTheMove(t *testing.T) {
	t.Parallel()
	b := newBare(t)
	prov := newFakeProv("github")
	dead, live := randTok("d"), randTok("l")
	prov.status[dead] = revoke.StatusDead
	type move struct{ From, To store.State }
	var moves []move
	fail := errors.New("queue down")
	var failing bool
	p := b.pipeline(map[string]revoke.Provider{"github": prov}, pipeline.Policy{Yes: true},
		func(o *pipeline.Options) {
			o.OnMove = func(ctx context.Context, tx store.Store, from store.State, f store.Finding) error {
				if failing {
					return fail
				}
				if _, err := tx.Finding(ctx, f.Fingerprint); err != nil { // the transaction, open
					return err
				}
				moves = append(moves, move{from, f.State})
				return nil
			}
		})

	failing = true
	fs := []storeFinding{{"github", dead}}
	res, err := b.run(p, toFindings(fs))
	if !errors.Is(err, fail) {
		t.Fatalf("Drain with a failing OnMove = %v, want its error", err)
	}
	for _, f := range res {
		if f.State != lifecycle.StateDetected {
			t.Errorf("after a failing OnMove: %s, want detected (rolled back)", f.State)
		}
		for _, e := range auditOf(t, b.st, f.Fingerprint) {
			if e.Action == "verify" {
				t.Errorf("audit row %s %s committed with a rolled-back move", e.Action, e.Result)
			}
		}
	}

	failing = false
	if _, err := b.run(p, toFindings(append(fs, storeFinding{"github", live}))); err != nil {
		t.Fatal(err)
	}
	want := []move{{lifecycle.StateDetected, lifecycle.StateDead}, {lifecycle.StateDetected, lifecycle.StateLive},
		{lifecycle.StateLive, lifecycle.StateRevoking}, {lifecycle.StateRevoking, lifecycle.StateRevocationSent},
		{lifecycle.StateRevocationSent, lifecycle.StateConfirmedDead}}
	// The two findings advance in parallel: compare as multisets.
	byMove := cmpopts.SortSlices(func(a, b move) bool { return a.From+a.To < b.From+b.To })
	if d := cmp.Diff(want, moves, byMove); d != "" {
		t.Errorf("OnMove calls (-want +got):\n%s", d)
	}
}

type storeFinding struct{ provider, tok string }

func toFindings(fs []storeFinding) []scanner.Finding {
	var out []scanner.Finding
	for _, f := range fs {
		out = append(out, finding(f.provider, f.tok, "https://github.com/contoso/app.git"))
	}
	return out
}

// auditOf returns the audit rows of one finding.
func auditOf(t *testing.T, st store.Store, fp string) []store.AuditEvent {
	t.Helper()
	rows, err := st.AuditOf(t.Context(), fp)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
