// Package storetest is the conformance suite of [store.Store]: the behaviour every driver
// (SQLite and PostgreSQL) must show, run against a fresh store per test.
//
// It holds only what the interface promises: compare-and-set, idempotency, ordering, the
// retry queues, transactions, validation of what could carry a raw token. It never runs SQL,
// never relies on row ids beyond the documented "IDs increase in the order of appends", and
// compares times at microsecond precision or coarser, so that a PostgreSQL driver can pass
// it unchanged. What only one driver can show (file modes, a damaged file, a lock held by
// another process, migrations from an older schema, the database refusing raw UPDATE of the
// audit log) stays in that driver's own tests.
//
// A driver's test calls [Run] with a function that opens a new, empty store whose clock is
// [Clock] of the test:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := store.Open(t.Context(), store.Config{DSN: filepath.Join(t.TempDir(), "patrol.db"), Now: storetest.Clock(t)})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The fixtures ([Fingerprint], [Finding], [Location], [Message], [T0], [Save]) and the races
// over several handles ([RaceTransition], [RaceClaim]) are exported for the drivers' own
// tests.
package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/patrolsec/patrol/store"
)

// T0 is the suite's "now": every clock starts there.
var T0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Run runs the conformance suite as subtests of t. open must return a new, empty store for
// the test it is given, using Clock(t) as the store's clock (Config.Now), and close it at
// that test's cleanup. Subtests run in parallel; open is called once per subtest (twice
// nowhere: tests of two handles on one database are the driver's).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	x := &suite{open: open}
	if !t.Run("Clock", x.testClock) {
		return // every later test would report the clock, not the store
	}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"SaveFindingNewThenExisting", x.testSaveFindingNewThenExisting},
		{"SaveFindingDefaultsTimes", x.testSaveFindingDefaultsTimes},
		{"SaveFindingInvalid", x.testSaveFindingInvalid},
		{"ErrorsDoNotRepeatRefusedValues", x.testErrorsDoNotRepeatRefusedValues},
		{"LocationSpans", x.testLocationSpans},
		{"FindingNotFound", x.testFindingNotFound},
		{"FindingsQuery", x.testFindingsQuery},
		{"Transition", x.testTransition},
		{"TransitionNotFound", x.testTransitionNotFound},
		{"TransitionIfAttempts", x.testTransitionIfAttempts},
		{"TransitionRace", x.testTransitionRace},
		{"TransitionLeaseTakeover", x.testTransitionLeaseTakeover},
		{"Due", x.testDue},
		{"AuditAppendOnly", x.testAuditAppendOnly},
		{"AuditOf", x.testAuditOf},
		{"AuditNoMethodMutatesLog", x.testAuditNoMethodMutatesLog},
		{"EnqueueIdempotent", x.testEnqueueIdempotent},
		{"EnqueueInvalid", x.testEnqueueInvalid},
		{"MessageLifecycle", x.testMessageLifecycle},
		{"DueMessagesOrderAndLimit", x.testDueMessagesOrderAndLimit},
		{"ClaimMessageExclusive", x.testClaimMessageExclusive},
		{"InTxCommit", x.testInTxCommit},
		{"InTxRollbackOnError", x.testInTxRollbackOnError},
		{"InTxRollbackOnPanic", x.testInTxRollbackOnPanic},
		{"InTxNested", x.testInTxNested},
		{"InTxReadYourWrites", x.testInTxReadYourWrites},
		{"InTxSerialized", x.testInTxSerialized},
		{"InTxCompareAndSet", x.testInTxCompareAndSet},
		{"InTxMisuse", x.testInTxMisuse},
		{"Cursors", x.testCursors},
		{"CursorInvalid", x.testCursorInvalid},
		{"ScannedBlobs", x.testScannedBlobs},
		{"ScannedBlobsInvalid", x.testScannedBlobsInvalid},
		{"Deliveries", x.testDeliveries},
	} {
		t.Run(tc.name, tc.fn)
	}
}

// suite carries the driver's open function to the tests.
type suite struct {
	open func(t *testing.T) store.Store
}

// store opens a fresh store for t and returns it with its clock.
func (x *suite) store(t *testing.T) (store.Store, *clock) {
	t.Helper()
	c := clockOf(t)
	return x.open(t), c
}

// testClock checks that open wires Clock(t): the times the store fills in come from it.
func (x *suite) testClock(t *testing.T) {
	s, c := x.store(t)
	at := T0.Add(42 * time.Second)
	c.Set(at)
	got := save(t, s, Finding(1, time.Time{}))
	if !got.FirstSeen.Equal(at) || !got.UpdatedAt.Equal(at) {
		t.Fatalf("SaveFinding(zero times) = FirstSeen %v UpdatedAt %v, want %v: open must give the store storetest.Clock(t) as its clock",
			got.FirstSeen, got.UpdatedAt, at)
	}
}

// clock is a settable test clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// clocks holds the clock of each running test, by *testing.T.
var clocks sync.Map

// clockOf returns the clock of t, starting at T0, created on first use and forgotten at t's
// cleanup.
func clockOf(t *testing.T) *clock {
	c, loaded := clocks.LoadOrStore(t, &clock{t: T0})
	if !loaded {
		t.Cleanup(func() { clocks.Delete(t) })
	}
	return c.(*clock)
}

// Clock returns the clock a store opened for t must use for the times it fills in itself
// (store.Config.Now). It starts at T0; the suite moves it.
func Clock(t *testing.T) func() time.Time { return clockOf(t).Now }

// Fingerprint returns a valid fingerprint (64 hex digits) numbered n.
func Fingerprint(n int) string { return fmt.Sprintf("%064x", n) }

// Finding returns a savable finding numbered n, first seen at at, with one location.
func Finding(n int, at time.Time) store.Finding {
	return store.Finding{
		Fingerprint: Fingerprint(n), DetectorID: "github-classic-pat", Provider: "github", Confidence: "checksum",
		Redacted: "ghp_ab12…", FirstSeen: at, LastSeen: at,
		Locations: []store.Location{Location("a.go", 3)},
	}
}

// Location returns a git location in path at line.
func Location(path string, line int) store.Location {
	return store.Location{
		Source: "git", Repository: "https://github.com/contoso/app", Commit: "0123456789abcdef0123456789abcdef01234567",
		Path: path, Line: line, Column: 7, AuthorName: "Dev", AuthorEmail: "dev@contoso.com",
		Date: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), WebURL: "https://github.com/contoso/app/commit/0123",
	}
}

// Message returns a message about finding n for recipient.
func Message(n int, recipient string) store.Message {
	return store.Message{Fingerprint: Fingerprint(n), Recipient: recipient, Event: "revoked", Channel: "email",
		Payload: []byte(`{"fingerprint":"` + Fingerprint(n) + `","redacted":"ghp_ab12…"}`)}
}

// Save saves f and fails the test on error.
func Save(t *testing.T, s store.Store, f store.Finding) store.Finding {
	t.Helper()
	got, _, err := s.SaveFinding(t.Context(), f)
	if err != nil {
		t.Fatalf("SaveFinding(%s) = %v", f.Fingerprint, err)
	}
	return got
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// save is Save, for brevity in the suite.
var save = Save

// fingerprints returns the fingerprints of fs, in order.
func fingerprints(fs []store.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Fingerprint)
	}
	return out
}
