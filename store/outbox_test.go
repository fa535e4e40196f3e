package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
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

// message returns a message about finding n for recipient.
func message(n int, recipient string) store.Message {
	return store.Message{Fingerprint: fp(n), Recipient: recipient, Event: "revoked", Channel: "email",
		Payload: []byte(`{"fingerprint":"` + fp(n) + `","redacted":"ghp_ab12…"}`)}
}

// withMessage opens a store holding finding 1 and one queued message, and returns both.
func withMessage(t *testing.T) (store.Store, store.Message, string) {
	t.Helper()
	s, p := openTemp(t)
	save(t, s, finding(1, t0))
	m, created, err := s.Enqueue(t.Context(), message(1, "owner@contoso.com"))
	if err != nil || !created {
		t.Fatalf("Enqueue = _, %v, %v", created, err)
	}
	return s, m, p
}

func TestEnqueueIdempotent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, m, p := withMessage(t)
	if m.Status != store.StatusPending || m.Attempts != 0 || !m.CreatedAt.Equal(t0) || !m.NextAttempt.Equal(t0) || m.ID == 0 {
		t.Errorf("Enqueue = %+v, want pending, due now", m)
	}

	// The same key again, even with other fields, and after the message was sent.
	dup := message(1, "owner@contoso.com")
	dup.Channel, dup.Payload = "webhook", []byte(`{"other":true}`)
	got, created, err := s.Enqueue(ctx, dup)
	if err != nil || created || got.ID != m.ID || got.Channel != "email" {
		t.Errorf("Enqueue(duplicate) = %+v, %v, %v; want the first message, not created", got, created, err)
	}
	if _, err := s.ClaimMessage(ctx, m.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MessageSent(ctx, m.ID, t0); err != nil {
		t.Fatal(err)
	}
	if got, created, err := s.Enqueue(ctx, message(1, "owner@contoso.com")); err != nil || created || got.Status != store.StatusSent {
		t.Errorf("Enqueue(after sent) = %+v, %v, %v; want the sent message, not created", got, created, err)
	}

	// Another recipient or event is another message.
	other := message(1, "secops@contoso.com")
	if _, created, err := s.Enqueue(ctx, other); err != nil || !created {
		t.Errorf("Enqueue(other recipient) = %v, %v; want created", created, err)
	}
	other.Event = "revoke_failed"
	if _, created, err := s.Enqueue(ctx, other); err != nil || !created {
		t.Errorf("Enqueue(other event) = %v, %v; want created", created, err)
	}
	if n := count(t, raw(t, p), `SELECT COUNT(*) FROM outbox`); n != 3 {
		t.Errorf("outbox rows = %d, want 3", n)
	}
	msgs, err := s.Messages(ctx, fp(1))
	if err != nil || len(msgs) != 3 || msgs[0].ID != m.ID {
		t.Errorf("Messages = %d, %v; want 3, first %d", len(msgs), err, m.ID)
	}
}

func TestEnqueueInvalid(t *testing.T) {
	t.Parallel()
	s, _, _ := withMessage(t)
	tests := []struct {
		name string
		edit func(*store.Message)
		want error
	}{
		{"finding not saved", func(m *store.Message) { m.Fingerprint = fp(2) }, store.ErrNotFound},
		{"raw token as fingerprint", func(m *store.Message) { m.Fingerprint = "ghp_" + strings.Repeat("y", 36) }, store.ErrInvalid},
		{"no recipient", func(m *store.Message) { m.Recipient = "" }, store.ErrInvalid},
		{"no event", func(m *store.Message) { m.Event = "" }, store.ErrInvalid},
		{"no channel", func(m *store.Message) { m.Channel = "" }, store.ErrInvalid},
		{"payload not JSON", func(m *store.Message) { m.Payload = []byte("Dear owner") }, store.ErrInvalid},
		{"empty payload", func(m *store.Message) { m.Payload = nil }, store.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := message(1, "new@contoso.com")
			tt.edit(&m)
			if _, _, err := s.Enqueue(t.Context(), m); !errors.Is(err, tt.want) {
				t.Errorf("Enqueue = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestMessageLifecycle(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, m, _ := withMessage(t)

	due := func(now time.Time) []int64 {
		t.Helper()
		ms, err := s.DueMessages(ctx, now, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		return ids
	}
	if got := due(t0); len(got) != 1 || got[0] != m.ID {
		t.Fatalf("DueMessages(t0) = %v, want [%d]", got, m.ID)
	}
	if err := s.MessageSent(ctx, m.ID, t0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("MessageSent(unclaimed) = %v, want ErrConflict", err)
	}

	// Attempt 1 fails temporarily.
	c, err := s.ClaimMessage(ctx, m.ID, t0)
	if err != nil || c.Status != store.StatusSending || c.Attempts != 1 || !c.ClaimedAt.Equal(t0) ||
		!c.NextAttempt.Equal(t0.Add(store.SendLease)) {
		t.Fatalf("ClaimMessage = %+v, %v; want sending, attempt 1, leased", c, err)
	}
	if got := due(t0); len(got) != 0 {
		t.Errorf("DueMessages while claimed = %v, want none", got)
	}
	if _, err := s.ClaimMessage(ctx, m.ID, t0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ClaimMessage(claimed) = %v, want ErrConflict", err)
	}
	retryAt := t0.Add(5 * time.Minute)
	if err := s.MessageRetry(ctx, m.ID, retryAt, "421 try again later"); err != nil {
		t.Fatal(err)
	}
	if got := due(retryAt.Add(-time.Second)); len(got) != 0 {
		t.Errorf("DueMessages before the retry time = %v, want none", got)
	}
	if _, err := s.ClaimMessage(ctx, m.ID, retryAt.Add(-time.Second)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ClaimMessage before the retry time = %v, want ErrConflict", err)
	}
	if err := s.MessageRetry(ctx, m.ID, retryAt, "again"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("MessageRetry(pending) = %v, want ErrConflict", err)
	}

	// Attempt 2 succeeds.
	c, err = s.ClaimMessage(ctx, m.ID, retryAt)
	if err != nil || c.Attempts != 2 || c.LastError != "421 try again later" {
		t.Fatalf("ClaimMessage(retry) = %+v, %v; want attempt 2 with the last error", c, err)
	}
	sentAt := retryAt.Add(time.Second)
	if err := s.MessageSent(ctx, m.ID, sentAt); err != nil {
		t.Fatal(err)
	}
	if got := due(t0.Add(24 * time.Hour)); len(got) != 0 {
		t.Errorf("DueMessages after sent = %v, want none", got)
	}
	for name, err := range map[string]error{
		"ClaimMessage": func() error { _, err := s.ClaimMessage(ctx, m.ID, t0.Add(24*time.Hour)); return err }(),
		"MessageSent":  s.MessageSent(ctx, m.ID, sentAt),
		"MessageRetry": s.MessageRetry(ctx, m.ID, sentAt, "x"),
		"MessageFail":  s.MessageFailed(ctx, m.ID, sentAt, "x"),
	} {
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s(sent) = %v, want ErrConflict", name, err)
		}
	}
	msgs, _ := s.Messages(ctx, fp(1))
	if got := msgs[0]; got.Status != store.StatusSent || !got.SentAt.Equal(sentAt) || got.LastError != "" || got.Attempts != 2 {
		t.Errorf("sent message = %+v", got)
	}

	// A permanent failure.
	f, _, err := s.Enqueue(ctx, message(1, "gone@contoso.com"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimMessage(ctx, f.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MessageFailed(ctx, f.ID, t0.Add(time.Second), "550 no such user"); err != nil {
		t.Fatal(err)
	}
	msgs, _ = s.Messages(ctx, fp(1))
	if got := msgs[1]; got.Status != store.StatusFailed || got.LastError != "550 no such user" || !got.FailedAt.Equal(t0.Add(time.Second)) {
		t.Errorf("failed message = %+v", got)
	}
	if got := due(t0.Add(24 * time.Hour)); len(got) != 0 {
		t.Errorf("DueMessages after failed = %v, want none", got)
	}

	// Unknown ids.
	if _, err := s.ClaimMessage(ctx, 999, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ClaimMessage(999) = %v, want ErrNotFound", err)
	}
	if err := s.MessageSent(ctx, 999, t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MessageSent(999) = %v, want ErrNotFound", err)
	}
}

func TestDueMessagesOrderAndLimit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := openTemp(t)
	save(t, s, finding(1, t0))
	var ids []int64
	for i, at := range []time.Duration{3 * time.Minute, time.Minute, 2 * time.Minute} {
		m := message(1, fmt.Sprintf("r%d@contoso.com", i))
		m.NextAttempt = t0.Add(at)
		got, _, err := s.Enqueue(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	got, err := s.DueMessages(ctx, t0.Add(time.Hour), 2)
	if err != nil || len(got) != 2 || got[0].ID != ids[1] || got[1].ID != ids[2] {
		t.Errorf("DueMessages(limit 2) = %+v, %v; want ids %d, %d", got, err, ids[1], ids[2])
	}
}

// TestClaimMessageExclusive races claims of one message from two Stores on one file: one
// worker gets it.
func TestClaimMessageExclusive(t *testing.T) {
	t.Parallel()
	s, m, p := withMessage(t)
	other := openAt(t, p, nil)
	const workers = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	var claims int
	for w := range workers {
		st := s
		if w%2 == 1 {
			st = other
		}
		wg.Go(func() {
			_, err := st.ClaimMessage(t.Context(), m.ID, t0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				claims++
			case !errors.Is(err, store.ErrConflict):
				t.Errorf("ClaimMessage = %v", err)
			}
		})
	}
	wg.Wait()
	if claims != 1 {
		t.Errorf("%d workers claimed the message, want 1", claims)
	}
	ms, _ := s.Messages(t.Context(), fp(1))
	if ms[0].Attempts != 1 {
		t.Errorf("Attempts = %d, want 1", ms[0].Attempts)
	}
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
