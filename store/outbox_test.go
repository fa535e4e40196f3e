package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
	"github.com/patrolsec/patrol/store/storetest"
)

// crashEnv makes the test binary act as a patrol process that dies mid-delivery.
const crashEnv = "PATROL_STORE_TEST_CRASH_DB"

func TestMain(m *testing.M) {
	if p := os.Getenv(crashEnv); p != "" {
		os.Exit(crashHelper(p))
	}
	os.Exit(m.Run())
}

// crashHelper saves a finding, moves it on, queues and claims a message, then exits without
// finishing the message or closing the store, as a killed process would.
func crashHelper(path string) int {
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{DSN: path, Now: func() time.Time { return t0 }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, _, err := s.SaveFinding(ctx, finding(1, t0)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := s.Transition(ctx, fp(1), []store.State{lifecycle.StateDetected}, lifecycle.StateConfirmedDead,
		store.Update{Revocation: ptr(lifecycle.OutcomeRevoked)}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	m, _, err := s.Enqueue(ctx, message(1, "owner@contoso.com"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := s.ClaimMessage(ctx, m.ID, t0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(m.ID)
	return 0 // no MessageSent, no Close
}

// TestClaimMessageExclusive races claims of one message from two Stores on one file: one
// worker gets it.
func TestClaimMessageExclusive(t *testing.T) {
	t.Parallel()
	p := dbPath(t)
	storetest.RaceClaim(t, openAt(t, p, nil), openAt(t, p, nil))
}

// TestCrashWhileSending closes the store without finishing a claimed message, reopens it,
// and checks that the state survived and the lease hands the message out again.
func TestCrashWhileSending(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	p := dbPath(t)
	s, err := store.Open(ctx, store.Config{DSN: p, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	save(t, s, finding(1, t0))
	if _, err := s.Transition(ctx, fp(1), []store.State{lifecycle.StateDetected}, lifecycle.StateConfirmedDead, store.Update{}); err != nil {
		t.Fatal(err)
	}
	m, _, err := s.Enqueue(ctx, message(1, "owner@contoso.com"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimMessage(ctx, m.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkRecovered(t, openAt(t, p, nil), m.ID)
}

// TestCrashKilledProcess is TestCrashWhileSending with a real process that exits without
// closing the store, leaving its writes in the WAL.
func TestCrashKilledProcess(t *testing.T) {
	t.Parallel()
	p := dbPath(t)
	cmd := exec.CommandContext(t.Context(), os.Args[0])
	cmd.Env = append(os.Environ(), crashEnv+"="+p)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("crash helper: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("crash helper: %v", err)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("crash helper printed %q", out)
	}
	if st, err := os.Stat(p + "-wal"); err != nil || st.Size() == 0 {
		t.Fatalf("after the crash the WAL is %v, %v; want unmerged writes", st, err)
	}
	checkRecovered(t, openAt(t, p, nil), id)
}

// checkRecovered checks a store reopened after a crash while message id was being sent.
func checkRecovered(t *testing.T, s store.Store, id int64) {
	t.Helper()
	ctx := t.Context()
	f, err := s.Finding(ctx, fp(1))
	if err != nil || f.State != lifecycle.StateConfirmedDead || len(f.Locations) != 1 {
		t.Errorf("Finding after crash = %+v, %v; want confirmed_dead with its location", f, err)
	}
	ms, err := s.Messages(ctx, fp(1))
	if err != nil || len(ms) != 1 || ms[0].Status != store.StatusSending || ms[0].Attempts != 1 {
		t.Fatalf("Messages after crash = %+v, %v; want one, sending, attempt 1", ms, err)
	}
	// Enqueuing the same message again (the pipeline re-running) does not add one.
	if _, created, err := s.Enqueue(ctx, message(1, "owner@contoso.com")); err != nil || created {
		t.Errorf("Enqueue after crash = %v, %v; want the existing message", created, err)
	}
	leaseEnd := t0.Add(store.SendLease)
	if due, _ := s.DueMessages(ctx, leaseEnd.Add(-time.Second), 0); len(due) != 0 {
		t.Errorf("DueMessages within the lease = %+v, want none", due)
	}
	if _, err := s.ClaimMessage(ctx, id, leaseEnd.Add(-time.Second)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ClaimMessage within the lease = %v, want ErrConflict", err)
	}
	due, err := s.DueMessages(ctx, leaseEnd, 0)
	if err != nil || len(due) != 1 || due[0].ID != id || due[0].Status != store.StatusSending {
		t.Fatalf("DueMessages after the lease = %+v, %v; want message %d, still sending", due, err, id)
	}
	c, err := s.ClaimMessage(ctx, id, leaseEnd)
	if err != nil || c.Attempts != 2 {
		t.Fatalf("ClaimMessage after the lease = %+v, %v; want attempt 2", c, err)
	}
	if err := s.MessageSent(ctx, id, leaseEnd); err != nil {
		t.Fatal(err)
	}
}
