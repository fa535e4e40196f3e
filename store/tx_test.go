package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
)

func TestInTxQuick(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := openTemp(t)
	var kept store.Store
	err := s.InTx(ctx, func(tx store.Store) error {
		kept = tx
		save(t, tx, finding(1, t0))
		if _, err := tx.Finding(ctx, fp(1)); err != nil {
			t.Errorf("read your write: %v", err)
		}
		_, err := tx.Transition(ctx, fp(1), []store.State{lifecycle.StateDetected}, lifecycle.StateLive, store.Update{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if f, err := s.Finding(ctx, fp(1)); err != nil || f.State != lifecycle.StateLive {
		t.Errorf("after commit: %v, %v", f.State, err)
	}
	if _, err := kept.Finding(ctx, fp(1)); !errors.Is(err, store.ErrTxDone) {
		t.Errorf("use after return = %v, want ErrTxDone", err)
	}
	boom := errors.New("boom")
	if err := s.InTx(ctx, func(tx store.Store) error { save(t, tx, finding(2, t0)); return boom }); err != boom {
		t.Errorf("InTx = %v, want boom unchanged", err)
	}
	if _, err := s.Finding(ctx, fp(2)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after rollback: %v", err)
	}
	func() {
		defer func() {
			if r := recover(); r != "pan" {
				t.Errorf("recover = %v", r)
			}
		}()
		_ = s.InTx(ctx, func(tx store.Store) error { save(t, tx, finding(3, t0)); panic("pan") })
	}()
	if _, err := s.Finding(ctx, fp(3)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after panic: %v", err)
	}
	save(t, s, finding(4, t0)) // the write semaphore was released
}

func TestLocationSpanQuick(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	f := finding(1, t0)
	l := loc("a.go", 3)
	l.Kind, l.Blob, l.Offset, l.Length, l.Encoding = "", strings.Repeat("ab", 20), 1234, 40, "base64"
	m := l
	m.Kind, m.Blob = "commit-message", ""
	f.Locations = []store.Location{l, m}
	got := save(t, s, f)
	if d := cmp.Diff([]store.Location{l, m}, got.Locations); d != "" {
		t.Errorf("locations (-want +got):\n%s", d)
	}
	bad := finding(2, t0)
	bad.Locations[0].Blob = strings.Repeat("AB", 20)
	if _, _, err := s.SaveFinding(t.Context(), bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("upper-case blob = %v, want ErrInvalid", err)
	}
}
