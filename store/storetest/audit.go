package storetest

import (
	"cmp"
	"errors"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
)

// auditEvents are appended by the audit tests, out of time order.
var auditEvents = []store.AuditEvent{
	{At: T0.Add(2 * time.Second), Actor: "patrol serve", Action: "revoke", Fingerprint: Fingerprint(1), Provider: "github",
		Target: "https://github.com/contoso/app", Result: "revoked"},
	{At: T0, Actor: "patrol serve", Action: "verify", Fingerprint: Fingerprint(1), Provider: "github", Result: "live"},
	{At: T0.Add(time.Second), Actor: "patrol serve", Action: "revoke_attempt", Fingerprint: Fingerprint(1), Provider: "github",
		Result: "started", Detail: "owner 42"},
	{Actor: "alice", Action: "confirm", Fingerprint: Fingerprint(1), Result: "dead"}, // At from the clock: T0
}

func (x *suite) testAuditAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	for _, e := range auditEvents {
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
	if d := gocmp.Diff([]string{"verify", "confirm", "revoke_attempt", "revoke"}, got); d != "" {
		t.Fatalf("AuditLog order (-want +got):\n%s", d)
	}
	if log[2].Detail != "owner 42" || !log[1].At.Equal(T0) {
		t.Errorf("AuditLog entries = %+v", log)
	}
	// IDs increase in the order of appends: revoke, verify, revoke_attempt, confirm.
	byAction := map[string]int64{}
	for _, e := range log {
		byAction[e.Action] = e.ID
	}
	if !(0 < byAction["revoke"] && byAction["revoke"] < byAction["verify"] && byAction["verify"] < byAction["revoke_attempt"] &&
		byAction["revoke_attempt"] < byAction["confirm"]) {
		t.Errorf("AuditLog IDs = %v, want increasing in append order", byAction)
	}
	if since, _ := s.AuditLog(ctx, T0.Add(time.Second), 1); len(since) != 1 || since[0].Action != "revoke_attempt" {
		t.Errorf("AuditLog(since +1s, 1) = %+v, want revoke_attempt", since)
	}
}

// testAuditOf reads the entries of one finding: in append order (not time order), each as
// AuditLog has it, and none of another finding's or of no finding's.
func (x *suite) testAuditOf(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	others := []store.AuditEvent{
		{At: T0, Actor: "patrol serve", Action: "verify", Fingerprint: Fingerprint(2), Result: "dead"},
		{At: T0, Actor: "patrol serve", Action: "poll", Target: "https://github.com/contoso", Result: "ok"},
	}
	for i, e := range auditEvents {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if err := s.Audit(ctx, others[i%len(others)]); err != nil {
			t.Fatal(err)
		}
	}
	log, err := s.AuditLog(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []store.AuditEvent
	for _, e := range log {
		if e.Fingerprint == Fingerprint(1) {
			want = append(want, e)
		}
	}
	slices.SortFunc(want, func(a, b store.AuditEvent) int { return cmp.Compare(a.ID, b.ID) })
	got, err := s.AuditOf(ctx, Fingerprint(1))
	if err != nil {
		t.Fatal(err)
	}
	if d := gocmp.Diff(want, got); d != "" || len(got) != len(auditEvents) {
		t.Errorf("AuditOf (-want +got):\n%s", d)
	}
	var actions []string
	for _, e := range got {
		actions = append(actions, e.Action)
	}
	if d := gocmp.Diff([]string{"revoke", "verify", "revoke_attempt", "confirm"}, actions); d != "" {
		t.Errorf("AuditOf order (-want +got):\n%s", d)
	}
	if none, err := s.AuditOf(ctx, Fingerprint(9)); err != nil || len(none) != 0 {
		t.Errorf("AuditOf(unknown) = %+v, %v; want none", none, err)
	}
}

// testAuditNoMethodMutatesLog is the append-only rule as behaviour: the API has no method
// that changes or removes an entry, and no other method, whatever it is given, touches one.
// (That the database itself refuses UPDATE and DELETE is the driver's test.)
func (x *suite) testAuditNoMethodMutatesLog(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, c := x.store(t)
	for _, e := range auditEvents {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	before, err := s.AuditLog(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	c.Set(T0.Add(time.Hour))

	// Every other write, on the finding and the target the entries name.
	save(t, s, Finding(1, T0))
	if _, err := s.Transition(ctx, Fingerprint(1), []store.State{lifecycle.StateDetected}, lifecycle.StateConfirmedDead,
		store.Update{Revocation: ptr(lifecycle.OutcomeRevoked), Verify: ptr(lifecycle.VerdictDead)}); err != nil {
		t.Fatal(err)
	}
	m, _, err := s.Enqueue(ctx, Message(1, "owner@contoso.com"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimMessage(ctx, m.ID, m.NextAttempt); err != nil {
		t.Fatal(err)
	}
	if err := s.MessageSent(ctx, m.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCursor(ctx, store.Cursor{Repository: "https://github.com/contoso/app"}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkScanned(ctx, "https://github.com/contoso/app", []string{Location("a.go", 1).Commit}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordDelivery(ctx, "github", "d-1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	// An append in a transaction that rolls back leaves no entry.
	errRollback := errors.New("roll back")
	if err := s.InTx(ctx, func(tx store.Store) error {
		if err := tx.Audit(ctx, store.AuditEvent{Actor: "x", Action: "revoke", Fingerprint: Fingerprint(1), Result: "forged"}); err != nil {
			return err
		}
		return errRollback
	}); !errors.Is(err, errRollback) {
		t.Fatalf("InTx = %v, want the rollback error", err)
	}

	after, err := s.AuditLog(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := gocmp.Diff(before, after); d != "" {
		t.Errorf("AuditLog changed by writes that are not Audit (-before +after):\n%s", d)
	}
	// A later append goes after the others, leaving them as they were.
	if err := s.Audit(ctx, store.AuditEvent{Actor: "alice", Action: "notify", Result: "sent"}); err != nil {
		t.Fatal(err)
	}
	after, err = s.AuditLog(ctx, time.Time{}, 0)
	if err != nil || len(after) != len(before)+1 || !gocmp.Equal(before, after[:len(before)]) || after[len(before)].Action != "notify" {
		t.Errorf("AuditLog after one more append = %+v, %v; want the old entries then notify", after, err)
	}
}
