package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
)

// repo is the repository the scan-side tests use.
const repo = "https://github.com/contoso/app"

// repoN returns the repository numbered n, whose cursor writeAll(n) saves.
func repoN(n int) string { return fmt.Sprint(repo, "-", n) }

// blobID returns a valid git blob id (40 hex digits) numbered n.
func blobID(n int) string { return fmt.Sprintf("%040x", n) }

// writeAll makes one write of every kind on s about finding n: what a step or a scan does in
// one transaction.
func writeAll(ctx context.Context, s store.Store, n int) error {
	if _, _, err := s.SaveFinding(ctx, Finding(n, T0)); err != nil {
		return err
	}
	if _, err := s.Transition(ctx, Fingerprint(n), []store.State{lifecycle.StateDetected}, lifecycle.StateLive, store.Update{}); err != nil {
		return err
	}
	if err := s.Audit(ctx, store.AuditEvent{Actor: "patrol scan", Action: "verify", Fingerprint: Fingerprint(n), Result: "live"}); err != nil {
		return err
	}
	if _, _, err := s.Enqueue(ctx, Message(n, "owner@contoso.com")); err != nil {
		return err
	}
	if err := s.SaveCursor(ctx, store.Cursor{Repository: repoN(n), Refs: map[string]string{"refs/heads/main": blobID(n)}}); err != nil {
		return err
	}
	if err := s.MarkScanned(ctx, repo, []string{blobID(n)}); err != nil {
		return err
	}
	_, err := s.RecordDelivery(ctx, "github", fmt.Sprint("delivery-", n), time.Time{})
	return err
}

// visible reports which of writeAll(n)'s writes s sees, as one string per kind of write.
func visible(t *testing.T, s store.Store, n int) []string {
	t.Helper()
	ctx := t.Context()
	var out []string
	if f, err := s.Finding(ctx, Fingerprint(n)); err == nil {
		out = append(out, "finding "+string(f.State))
	} else if !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	log, err := s.AuditLog(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range log {
		if e.Fingerprint == Fingerprint(n) {
			out = append(out, "audit "+e.Action)
		}
	}
	ms, err := s.Messages(ctx, Fingerprint(n))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		out = append(out, "message "+m.Recipient)
	}
	c, err := s.Cursor(ctx, repoN(n))
	if err != nil {
		t.Fatal(err)
	}
	if c.Refs["refs/heads/main"] == blobID(n) {
		out = append(out, "cursor")
	}
	scanned, err := s.Scanned(ctx, repo, []string{blobID(n)})
	if err != nil {
		t.Fatal(err)
	}
	if scanned[blobID(n)] {
		out = append(out, "scanned")
	}
	// A delivery of its own shows that s still takes writes.
	isNew, err := s.RecordDelivery(ctx, "github", fmt.Sprint("probe-", n, "-", probes.Add(1)), time.Time{})
	if err != nil || !isNew {
		t.Fatalf("RecordDelivery(probe) = %v, %v", isNew, err)
	}
	return out
}

// probes numbers the deliveries visible records.
var probes atomic.Int64

// all is what visible reports after writeAll(n) committed.
var all = []string{"finding live", "audit verify", "message owner@contoso.com", "cursor", "scanned"}

// deliveryNew reports whether the delivery of writeAll(n) is still unrecorded in s; it
// records it when it was.
func deliveryNew(t *testing.T, s store.Store, n int) bool {
	t.Helper()
	isNew, err := s.RecordDelivery(t.Context(), "github", fmt.Sprint("delivery-", n), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return isNew
}

func (x *suite) testInTxCommit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	if err := s.InTx(ctx, func(tx store.Store) error { return writeAll(ctx, tx, 1) }); err != nil {
		t.Fatalf("InTx = %v", err)
	}
	if d := cmp.Diff(all, visible(t, s, 1)); d != "" {
		t.Errorf("after commit (-want +got):\n%s", d)
	}
	if deliveryNew(t, s, 1) {
		t.Error("the delivery recorded in the transaction is new again after commit")
	}
}

func (x *suite) testInTxRollbackOnError(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	boom := fmt.Errorf("step: %w", store.ErrConflict)
	var seen []string
	err := s.InTx(ctx, func(tx store.Store) error {
		if err := writeAll(ctx, tx, 1); err != nil {
			return err
		}
		seen = visible(t, tx, 1)
		return boom
	})
	if err != boom { // identity: the very error fn returned
		t.Errorf("InTx = %v, want fn's error unchanged", err)
	}
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("errors.Is(InTx, ErrConflict) = false for %v", err)
	}
	if d := cmp.Diff(all, seen); d != "" {
		t.Errorf("inside the transaction (-want +got):\n%s", d)
	}
	if got := visible(t, s, 1); len(got) != 0 {
		t.Errorf("after rollback the store shows %v, want nothing", got)
	}
	if !deliveryNew(t, s, 1) {
		t.Error("the delivery recorded in a rolled-back transaction is not new")
	}
	// The store goes on working: the write lock was released.
	if err := s.InTx(ctx, func(tx store.Store) error { return writeAll(ctx, tx, 2) }); err != nil {
		t.Errorf("InTx after a rollback = %v", err)
	}
}

func (x *suite) testInTxRollbackOnPanic(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	type sentinel struct{ n int }
	func() {
		defer func() {
			if r := recover(); r != (sentinel{7}) {
				t.Errorf("recover() = %v, want the panic of fn going on up", r)
			}
		}()
		_ = s.InTx(ctx, func(tx store.Store) error {
			if err := writeAll(ctx, tx, 1); err != nil {
				t.Error(err)
			}
			panic(sentinel{7})
		})
		t.Error("InTx returned after fn panicked")
	}()
	if got := visible(t, s, 1); len(got) != 0 {
		t.Errorf("after a panic the store shows %v, want nothing", got)
	}
	if err := s.InTx(ctx, func(tx store.Store) error { return writeAll(ctx, tx, 2) }); err != nil {
		t.Errorf("InTx after a panic = %v", err)
	}
	if _, _, err := s.SaveFinding(ctx, Finding(3, T0)); err != nil {
		t.Errorf("SaveFinding after a panic = %v", err)
	}
}

func (x *suite) testInTxNested(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	inner := errors.New("inner")
	outer := errors.New("outer")
	tests := []struct {
		name    string
		fn      func(tx store.Store) error
		wantErr error
		want1   []string // what is visible of writeAll(1) (outer) after InTx
		want2   []string // and of writeAll(2) (inner)
	}{
		{
			name: "both commit",
			fn: func(tx store.Store) error {
				if err := writeAll(ctx, tx, 1); err != nil {
					return err
				}
				return tx.InTx(ctx, func(tx2 store.Store) error { return writeAll(ctx, tx2, 2) })
			},
			want1: all, want2: all,
		},
		{
			name: "inner error returned through outer",
			fn: func(tx store.Store) error {
				if err := writeAll(ctx, tx, 1); err != nil {
					return err
				}
				return tx.InTx(ctx, func(tx2 store.Store) error {
					if err := writeAll(ctx, tx2, 2); err != nil {
						return err
					}
					return inner
				})
			},
			wantErr: inner,
		},
		{
			name: "inner error handled, outer goes on",
			fn: func(tx store.Store) error {
				err := tx.InTx(ctx, func(tx2 store.Store) error {
					if err := writeAll(ctx, tx2, 2); err != nil {
						return err
					}
					return inner
				})
				if err != inner { // identity: unchanged
					return fmt.Errorf("nested InTx = %v, want inner unchanged", err)
				}
				return writeAll(ctx, tx, 1)
			},
			want1: all,
		},
		{
			name: "outer error undoes the inner commit",
			fn: func(tx store.Store) error {
				if err := tx.InTx(ctx, func(tx2 store.Store) error { return writeAll(ctx, tx2, 2) }); err != nil {
					return err
				}
				return outer
			},
			wantErr: outer,
		},
		{
			name: "three deep",
			fn: func(tx store.Store) error {
				return tx.InTx(ctx, func(tx2 store.Store) error {
					return tx2.InTx(ctx, func(tx3 store.Store) error {
						if err := writeAll(ctx, tx3, 2); err != nil {
							return err
						}
						if got := visible(t, tx, 2); !cmp.Equal(got, all) { // the outer tx sees the inner writes
							return fmt.Errorf("outer tx sees %v", got)
						}
						return writeAll(ctx, tx, 1)
					})
				})
			},
			want1: all, want2: all,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := x.store(t)
			if err := s.InTx(ctx, tt.fn); err != tt.wantErr { // identity: unchanged
				t.Fatalf("InTx = %v, want %v", err, tt.wantErr)
			}
			if d := cmp.Diff(tt.want1, visible(t, s, 1)); d != "" {
				t.Errorf("outer writes after InTx (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.want2, visible(t, s, 2)); d != "" {
				t.Errorf("inner writes after InTx (-want +got):\n%s", d)
			}
		})
	}
}

// testInTxReadYourWrites checks that every read of tx sees the transaction's writes, and that
// outside it they are unseen until it commits.
func (x *suite) testInTxReadYourWrites(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	save(t, s, Finding(9, T0))
	err := s.InTx(ctx, func(tx store.Store) error {
		if err := writeAll(ctx, tx, 1); err != nil {
			return err
		}
		if d := cmp.Diff(all, visible(t, tx, 1)); d != "" {
			t.Errorf("inside the transaction (-want +got):\n%s", d)
		}
		if fs, err := tx.Findings(ctx, store.Query{State: lifecycle.StateLive}); err != nil || !cmp.Equal(fingerprints(fs), []string{Fingerprint(1)}) {
			t.Errorf("tx.Findings(live) = %v, %v; want the finding written in the transaction", fingerprints(fs), err)
		}
		if fs, err := tx.Due(ctx, []store.State{lifecycle.StateLive}, T0, 0); err != nil || len(fs) != 1 {
			t.Errorf("tx.Due(live) = %d, %v; want 1", len(fs), err)
		}
		if ms, err := tx.DueMessages(ctx, T0, 0); err != nil || len(ms) != 1 {
			t.Errorf("tx.DueMessages = %d, %v; want 1", len(ms), err)
		}
		if cs, err := tx.Cursors(ctx); err != nil || len(cs) != 1 {
			t.Errorf("tx.Cursors = %d, %v; want 1", len(cs), err)
		}
		// Outside, nothing yet; the store's reads do not wait for the transaction.
		if _, err := s.Finding(ctx, Fingerprint(1)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Finding outside the open transaction = %v, want ErrNotFound", err)
		}
		if f, err := s.Finding(ctx, Fingerprint(9)); err != nil || f.State != lifecycle.StateDetected {
			t.Errorf("Finding(committed before) outside = %v, %v", f.State, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(all, visible(t, s, 1)); d != "" {
		t.Errorf("after commit (-want +got):\n%s", d)
	}
}

// testInTxSerialized runs read-modify-write transactions from many goroutines: each reads
// a counter (a finding's Attempts) and writes it plus one without any guard. Only if the
// transactions are serialized does no increment get lost.
func (x *suite) testInTxSerialized(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	save(t, s, Finding(1, T0))
	const workers, rounds = 8, 5
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				err := s.InTx(ctx, func(tx store.Store) error {
					f, err := tx.Finding(ctx, Fingerprint(1))
					if err != nil {
						return err
					}
					_, err = tx.Transition(ctx, f.Fingerprint, []store.State{f.State}, f.State, store.Update{Attempts: ptr(f.Attempts + 1)})
					return err
				})
				if err != nil {
					t.Errorf("InTx = %v", err)
				}
			}
		})
	}
	wg.Wait()
	if f, err := s.Finding(ctx, Fingerprint(1)); err != nil || f.Attempts != workers*rounds {
		t.Errorf("Attempts after %d increments = %d, %v; lost updates: transactions are not serialized", workers*rounds, f.Attempts, err)
	}
}

// testInTxCompareAndSet checks compare-and-set inside transactions: a lost CAS changes
// nothing and fn may go on; of transactions racing one claim, one wins.
func (x *suite) testInTxCompareAndSet(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	save(t, s, Finding(1, T0))
	err := s.InTx(ctx, func(tx store.Store) error {
		_, err := tx.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateLive}, lifecycle.StateRevoking, store.Update{Attempts: ptr(5)})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("tx.Transition(wrong state) = %v, want ErrConflict", err)
		}
		_, err = tx.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateDetected}, lifecycle.StateLive,
			store.Update{IfAttempts: ptr(1), Verify: ptr(lifecycle.VerdictLive)})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("tx.Transition(IfAttempts 1, stored 0) = %v, want ErrConflict", err)
		}
		if _, _, err := tx.SaveFinding(ctx, store.Finding{Fingerprint: "not hex", DetectorID: "x"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("tx.SaveFinding(invalid) = %v, want ErrInvalid", err)
		}
		_, err = tx.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateDetected}, lifecycle.StateLive,
			store.Update{IfAttempts: ptr(0), Verify: ptr(lifecycle.VerdictLive)})
		return err
	})
	if err != nil {
		t.Fatalf("InTx = %v", err)
	}
	if f, err := s.Finding(ctx, Fingerprint(1)); err != nil || f.State != lifecycle.StateLive || f.Attempts != 0 || f.Verify != lifecycle.VerdictLive {
		t.Errorf("after InTx = %s, attempts %d, verify %s, %v; want live, 0, live", f.State, f.Attempts, f.Verify, err)
	}

	// Claim and audit in one transaction, raced: one claim, one audit row.
	wins, _ := raceCAS(t, "InTx(claim)", 8, []store.Store{s}, func(w int, s store.Store) error {
		return s.InTx(ctx, func(tx store.Store) error {
			if _, err := tx.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateLive}, lifecycle.StateRevoking, store.Update{}); err != nil {
				return err
			}
			return tx.Audit(ctx, store.AuditEvent{Actor: fmt.Sprint("worker ", w), Action: "revoke_attempt", Fingerprint: Fingerprint(1)})
		})
	})
	log, err := s.AuditLog(ctx, time.Time{}, 0)
	if wins != 1 || err != nil || len(log) != 1 {
		t.Errorf("raced claims: %d wins, %d audit rows (%v); want 1, 1", wins, len(log), err)
	}
}

// testInTxMisuse checks the errors of a transaction used wrongly.
func (x *suite) testInTxMisuse(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	var kept store.Store
	if err := s.InTx(ctx, func(tx store.Store) error {
		kept = tx
		if err := tx.Close(); err == nil {
			t.Error("Close on a transaction's Store = nil, want an error")
		}
		return writeAll(ctx, tx, 1)
	}); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Finding":     func() error { _, err := kept.Finding(ctx, Fingerprint(1)); return err }(),
		"Findings":    func() error { _, err := kept.Findings(ctx, store.Query{}); return err }(),
		"SaveFinding": func() error { _, _, err := kept.SaveFinding(ctx, Finding(2, T0)); return err }(),
		"Audit":       kept.Audit(ctx, store.AuditEvent{Action: "late"}),
		"AuditLog":    func() error { _, err := kept.AuditLog(ctx, time.Time{}, 0); return err }(),
		"Cursor":      func() error { _, err := kept.Cursor(ctx, repo); return err }(),
		"MarkScanned": kept.MarkScanned(ctx, repo, []string{blobID(3)}),
		"InTx":        kept.InTx(ctx, func(store.Store) error { return nil }),
	} {
		if !errors.Is(err, store.ErrTxDone) {
			t.Errorf("%s after the transaction = %v, want ErrTxDone", name, err)
		}
	}
	if _, err := s.Finding(ctx, Fingerprint(2)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a save after the transaction reached the store: %v", err)
	}
	if err := s.InTx(ctx, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("InTx(nil) = %v, want ErrInvalid", err)
	}
	// A cancelled context: fn is not run, or its writes do not commit.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err := s.InTx(cctx, func(tx store.Store) error { return writeAll(cctx, tx, 3) })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("InTx(cancelled) = %v, want context.Canceled", err)
	}
	if got := visible(t, s, 3); len(got) != 0 {
		t.Errorf("after a cancelled InTx the store shows %v", got)
	}
}
