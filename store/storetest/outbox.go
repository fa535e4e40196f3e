package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/patrolsec/patrol/store"
)

// withMessage opens a store holding finding 1 and one queued message, and returns both.
func (x *suite) withMessage(t *testing.T) (store.Store, store.Message) {
	t.Helper()
	s, _ := x.store(t)
	return s, enqueueOne(t, s)
}

// enqueueOne saves finding 1 and queues one message about it.
func enqueueOne(t *testing.T, s store.Store) store.Message {
	t.Helper()
	save(t, s, Finding(1, T0))
	m, created, err := s.Enqueue(t.Context(), Message(1, "owner@contoso.com"))
	if err != nil || !created {
		t.Fatalf("Enqueue = _, %v, %v", created, err)
	}
	return m
}

func (x *suite) testEnqueueIdempotent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, m := x.withMessage(t)
	if m.Status != store.StatusPending || m.Attempts != 0 || !m.CreatedAt.Equal(T0) || !m.NextAttempt.Equal(T0) || m.ID == 0 {
		t.Errorf("Enqueue = %+v, want pending, due now", m)
	}

	// The same key again, even with other fields, and after the message was sent.
	dup := Message(1, "owner@contoso.com")
	dup.Channel, dup.Payload = "webhook", []byte(`{"other":true}`)
	got, created, err := s.Enqueue(ctx, dup)
	if err != nil || created || got.ID != m.ID || got.Channel != "email" {
		t.Errorf("Enqueue(duplicate) = %+v, %v, %v; want the first message, not created", got, created, err)
	}
	if _, err := s.ClaimMessage(ctx, m.ID, T0); err != nil {
		t.Fatal(err)
	}
	if err := s.MessageSent(ctx, m.ID, T0); err != nil {
		t.Fatal(err)
	}
	if got, created, err := s.Enqueue(ctx, Message(1, "owner@contoso.com")); err != nil || created || got.Status != store.StatusSent {
		t.Errorf("Enqueue(after sent) = %+v, %v, %v; want the sent message, not created", got, created, err)
	}

	// Another recipient or event is another message.
	other := Message(1, "secops@contoso.com")
	if _, created, err := s.Enqueue(ctx, other); err != nil || !created {
		t.Errorf("Enqueue(other recipient) = %v, %v; want created", created, err)
	}
	other.Event = "revoke_failed"
	if _, created, err := s.Enqueue(ctx, other); err != nil || !created {
		t.Errorf("Enqueue(other event) = %v, %v; want created", created, err)
	}
	msgs, err := s.Messages(ctx, Fingerprint(1))
	if err != nil || len(msgs) != 3 || msgs[0].ID != m.ID {
		t.Errorf("Messages = %d, %v; want 3, first %d", len(msgs), err, m.ID)
	}
}

func (x *suite) testEnqueueInvalid(t *testing.T) {
	t.Parallel()
	s, _ := x.withMessage(t)
	tests := []struct {
		name string
		edit func(*store.Message)
		want error
	}{
		{"finding not saved", func(m *store.Message) { m.Fingerprint = Fingerprint(2) }, store.ErrNotFound},
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
			m := Message(1, "new@contoso.com")
			tt.edit(&m)
			if _, _, err := s.Enqueue(t.Context(), m); !errors.Is(err, tt.want) {
				t.Errorf("Enqueue = %v, want %v", err, tt.want)
			}
		})
	}
}

func (x *suite) testMessageLifecycle(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, m := x.withMessage(t)

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
	if got := due(T0); len(got) != 1 || got[0] != m.ID {
		t.Fatalf("DueMessages(T0) = %v, want [%d]", got, m.ID)
	}
	if err := s.MessageSent(ctx, m.ID, T0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("MessageSent(unclaimed) = %v, want ErrConflict", err)
	}

	// Attempt 1 fails temporarily.
	c, err := s.ClaimMessage(ctx, m.ID, T0)
	if err != nil || c.Status != store.StatusSending || c.Attempts != 1 || !c.ClaimedAt.Equal(T0) ||
		!c.NextAttempt.Equal(T0.Add(store.SendLease)) {
		t.Fatalf("ClaimMessage = %+v, %v; want sending, attempt 1, leased", c, err)
	}
	if got := due(T0); len(got) != 0 {
		t.Errorf("DueMessages while claimed = %v, want none", got)
	}
	if _, err := s.ClaimMessage(ctx, m.ID, T0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("ClaimMessage(claimed) = %v, want ErrConflict", err)
	}
	retryAt := T0.Add(5 * time.Minute)
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
	if got := due(T0.Add(24 * time.Hour)); len(got) != 0 {
		t.Errorf("DueMessages after sent = %v, want none", got)
	}
	for name, err := range map[string]error{
		"ClaimMessage": func() error { _, err := s.ClaimMessage(ctx, m.ID, T0.Add(24*time.Hour)); return err }(),
		"MessageSent":  s.MessageSent(ctx, m.ID, sentAt),
		"MessageRetry": s.MessageRetry(ctx, m.ID, sentAt, "x"),
		"MessageFail":  s.MessageFailed(ctx, m.ID, sentAt, "x"),
	} {
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("%s(sent) = %v, want ErrConflict", name, err)
		}
	}
	msgs, _ := s.Messages(ctx, Fingerprint(1))
	if got := msgs[0]; got.Status != store.StatusSent || !got.SentAt.Equal(sentAt) || got.LastError != "" || got.Attempts != 2 {
		t.Errorf("sent message = %+v", got)
	}

	// A permanent failure.
	f, _, err := s.Enqueue(ctx, Message(1, "gone@contoso.com"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimMessage(ctx, f.ID, T0); err != nil {
		t.Fatal(err)
	}
	if err := s.MessageFailed(ctx, f.ID, T0.Add(time.Second), "550 no such user"); err != nil {
		t.Fatal(err)
	}
	msgs, _ = s.Messages(ctx, Fingerprint(1))
	if got := msgs[1]; got.Status != store.StatusFailed || got.LastError != "550 no such user" || !got.FailedAt.Equal(T0.Add(time.Second)) {
		t.Errorf("failed message = %+v", got)
	}
	if got := due(T0.Add(24 * time.Hour)); len(got) != 0 {
		t.Errorf("DueMessages after failed = %v, want none", got)
	}

	// Unknown ids.
	if _, err := s.ClaimMessage(ctx, 999, T0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ClaimMessage(999) = %v, want ErrNotFound", err)
	}
	if err := s.MessageSent(ctx, 999, T0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MessageSent(999) = %v, want ErrNotFound", err)
	}
}

func (x *suite) testDueMessagesOrderAndLimit(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	save(t, s, Finding(1, T0))
	var ids []int64
	for i, at := range []time.Duration{3 * time.Minute, time.Minute, 2 * time.Minute} {
		m := Message(1, fmt.Sprintf("r%d@contoso.com", i))
		m.NextAttempt = T0.Add(at)
		got, _, err := s.Enqueue(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, got.ID)
	}
	got, err := s.DueMessages(ctx, T0.Add(time.Hour), 2)
	if err != nil || len(got) != 2 || got[0].ID != ids[1] || got[1].ID != ids[2] {
		t.Errorf("DueMessages(limit 2) = %+v, %v; want ids %d, %d", got, err, ids[1], ids[2])
	}
}

// testClaimMessageExclusive races claims of one message: one worker gets it.
func (x *suite) testClaimMessageExclusive(t *testing.T) {
	t.Parallel()
	s, _ := x.store(t)
	RaceClaim(t, s)
}

// RaceClaim saves finding 1 through stores[0], queues one message about it and races its
// claim from 16 goroutines spread over stores: one worker gets it, and it counts one
// attempt. Drivers that can open one database twice call it with two handles.
func RaceClaim(t *testing.T, stores ...store.Store) {
	t.Helper()
	if len(stores) == 0 {
		t.Fatal("RaceClaim: no stores")
	}
	m := enqueueOne(t, stores[0])
	claims, _ := raceCAS(t, "ClaimMessage", 16, stores, func(_ int, s store.Store) error {
		_, err := s.ClaimMessage(t.Context(), m.ID, T0)
		return err
	})
	if claims != 1 {
		t.Errorf("%d workers claimed the message, want 1", claims)
	}
	ms, err := stores[0].Messages(t.Context(), Fingerprint(1))
	if err != nil || len(ms) != 1 || ms[0].Attempts != 1 {
		t.Errorf("Messages = %+v, %v; want one with Attempts 1", ms, err)
	}
}
