package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/patrolsec/patrol/store"
	"github.com/patrolsec/patrol/store/storetest"
)

// TestConformance runs the behaviour every Store driver must show against SQLite.
func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, openSQLiteInTempDir)
}

// TestTransitionRace races one transition from many goroutines over two Stores on the same
// file (as two processes would): exactly one wins.
func TestTransitionRace(t *testing.T) {
	t.Parallel()
	p := dbPath(t)
	storetest.RaceTransition(t, openAt(t, p, nil), openAt(t, p, nil))
}

// TestSaveFindingDeduplicatesRows checks the location key in the table itself: saving the
// same places again adds no row.
func TestSaveFindingDeduplicatesRows(t *testing.T) {
	t.Parallel()
	s, p := openTemp(t)
	f := finding(1, t0)
	f.Locations = append(f.Locations, loc("a.go", 3), loc("b.go", 9))
	save(t, s, f)
	f.Locations = []store.Location{loc("b.go", 9), loc("c.go", 1)}
	save(t, s, f)
	if n := count(t, raw(t, p), `SELECT COUNT(*) FROM locations WHERE fingerprint = ?`, fp(1)); n != 3 {
		t.Errorf("locations rows = %d, want 3 (deduplicated)", n)
	}
}

// TestAuditLogRefusesRawSQL checks that the database itself refuses to change or remove an
// audit entry, as an operator's sqlite3 shell would try.
func TestAuditLogRefusesRawSQL(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, p := openTemp(t)
	for _, e := range []store.AuditEvent{
		{At: t0.Add(2 * time.Second), Actor: "patrol serve", Action: "revoke", Fingerprint: fp(1), Result: "revoked"},
		{At: t0, Actor: "patrol serve", Action: "verify", Fingerprint: fp(1), Result: "live"},
	} {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
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
