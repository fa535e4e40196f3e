package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patrolsec/patrol/internal/pgtest"
	"github.com/patrolsec/patrol/store"
	"github.com/patrolsec/patrol/store/storetest"
)

// openPostgres migrates a new database and opens the store on it with clock now (t0 when
// nil), closed at cleanup.
func openPostgres(t *testing.T, now func() time.Time) (store.Store, string) {
	t.Helper()
	if now == nil {
		now = func() time.Time { return t0 }
	}
	dsn := pgtest.DSN(t)
	return openPostgresAt(t, dsn, now), dsn
}

// TestPostgresConformance runs the store suite on PostgreSQL: one database, a schema of its
// own for each test (a database per test would cost a few hundred milliseconds each).
func TestPostgresConformance(t *testing.T) {
	t.Parallel()
	db := pgtest.DSN(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return openPostgresAt(t, pgtest.SchemaDSN(t, db), storetest.Clock(t))
	})
}

// openPostgresAt migrates the database (or schema) dsn names and opens the store on it with
// clock now, closed at cleanup.
func openPostgresAt(t *testing.T, dsn string, now func() time.Time) store.Store {
	t.Helper()
	cfg := store.Config{Driver: store.DriverPostgres, DSN: dsn, Now: now}
	if _, err := store.Migrate(t.Context(), cfg); err != nil {
		t.Fatalf("Migrate = %v", err)
	}
	s, err := store.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rawPG connects to dsn directly, closed at cleanup.
func rawPG(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestPostgresAuditLogRefusesChanges checks that the database itself refuses UPDATE,
// DELETE and TRUNCATE of the audit log, whoever sends them.
func TestPostgresAuditLogRefusesChanges(t *testing.T) {
	t.Parallel()
	s, dsn := openPostgres(t, nil)
	ctx := t.Context()
	if err := s.Audit(ctx, store.AuditEvent{Actor: "patrol scan", Action: "verify", Fingerprint: fp(1), Result: "live"}); err != nil {
		t.Fatal(err)
	}
	conn := rawPG(t, dsn)
	for _, stmt := range []string{
		`UPDATE audit_log SET result = 'dead'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
	} {
		if _, err := conn.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s = %v, want the append-only error", stmt, err)
		}
	}
	log, err := s.AuditLog(ctx, time.Time{}, 0)
	if err != nil || len(log) != 1 || log[0].Result != "live" {
		t.Errorf("AuditLog after the refused changes = %+v, %v; want the one entry unchanged", log, err)
	}
}

// TestPostgresOpenChecksSchema checks that Open migrates nothing: an empty database is too
// old (naming `patrol migrate`), one migrated by a newer patrol too new.
func TestPostgresOpenChecksSchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dsn := pgtest.DSN(t)
	cfg := store.Config{Driver: "postgresql", DSN: dsn}
	_, err := store.Open(ctx, cfg)
	if !errors.Is(err, store.ErrSchemaTooOld) || !strings.Contains(err.Error(), "run `patrol migrate`") ||
		!strings.Contains(err.Error(), "schema version 0, this patrol needs 2") {
		t.Fatalf("Open(empty database) = %v, want ErrSchemaTooOld naming `patrol migrate`", err)
	}
	var tables int
	if err := rawPG(t, dsn).QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("Open created %d tables (%v), want none", tables, err)
	}

	if n, err := store.Migrate(ctx, cfg); err != nil || n != 2 {
		t.Fatalf("Migrate = %d, %v; want 2 applied", n, err)
	}
	if n, err := store.Migrate(ctx, cfg); err != nil || n != 0 {
		t.Fatalf("Migrate again = %d, %v; want 0 applied", n, err)
	}
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open(migrated) = %v", err)
	}
	s.Close()

	if _, err := rawPG(t, dsn).Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, cfg); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("Open(newer schema) = %v, want ErrSchemaTooNew", err)
	}
	if _, err := store.Migrate(ctx, cfg); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("Migrate(newer schema) = %v, want ErrSchemaTooNew", err)
	}
}

// TestPostgresConcurrentMigrate runs three Migrate calls on an empty database at once: one
// applies the schema, the others wait for its lock and find nothing to do. Each runs a
// further step under the lock, as the job queue's migrations do; the steps never overlap.
func TestPostgresConcurrentMigrate(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	cfg := store.Config{Driver: store.DriverPostgres, DSN: pgtest.DSN(t)}
	const n = 3
	var (
		mu      sync.Mutex
		inside  int
		overlap bool
		applied []int
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	step := func(ctx context.Context) error {
		mu.Lock()
		inside++
		overlap = overlap || inside > 1
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // long enough for another migrator to get in, if it could
		mu.Lock()
		inside--
		mu.Unlock()
		return nil
	}
	for range n {
		wg.Go(func() {
			<-start
			got, err := store.Migrate(ctx, cfg, step)
			if err != nil {
				t.Errorf("Migrate = %v", err)
			}
			mu.Lock()
			applied = append(applied, got)
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	// Every migration is applied once, all by one of the migrators.
	total, all := 0, 0
	for _, a := range applied {
		total += a
		if a == 2 {
			all++
		}
	}
	if total != 2 || all != 1 {
		t.Errorf("applied per Migrate = %v, want one 2 (both migrations) and the others 0", applied)
	}
	if overlap {
		t.Error("two migrators ran their further steps at once: the lock did not hold")
	}
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open after the migrations = %v", err)
	}
	s.Close()
}

// TestPostgresUnavailable checks an unreachable server: ErrUnavailable, the database named,
// the password never.
func TestPostgresUnavailable(t *testing.T) {
	t.Parallel()
	const password = "s3cr3t-pass"
	// Port 1 on loopback: nothing listens there, the connection is refused at once.
	for _, dsn := range []string{
		"postgres://patrol:" + password + "@127.0.0.1:1/patrol?sslmode=disable&connect_timeout=5",
		"host=127.0.0.1 port=1 user=patrol password=" + password + " dbname=patrol sslmode=disable connect_timeout=5",
		"postgres://patrol@127.0.0.1:1/patrol?sslmode=disable&password=" + password,
	} {
		cfg := store.Config{Driver: store.DriverPostgres, DSN: dsn}
		_, err := store.Open(t.Context(), cfg)
		if !errors.Is(err, store.ErrUnavailable) || !strings.Contains(err.Error(), "postgres://patrol@127.0.0.1:1/patrol") {
			t.Errorf("Open(unreachable) = %v, want ErrUnavailable naming postgres://patrol@127.0.0.1:1/patrol", err)
		}
		if err != nil && strings.Contains(err.Error(), password) {
			t.Errorf("Open(unreachable) = %v: the error repeats the password", err)
		}
		_, err = store.Migrate(t.Context(), cfg)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("Migrate(unreachable) = %v, want ErrUnavailable", err)
		}
		if err != nil && strings.Contains(err.Error(), password) {
			t.Errorf("Migrate(unreachable) = %v: the error repeats the password", err)
		}
	}
	// A DSN that does not parse: ErrInvalid, and nothing of the DSN repeated.
	_, err := store.Open(t.Context(), store.Config{Driver: "pgx", DSN: "postgres://patrol:" + password + "@127.0.0.1:notaport/patrol"})
	if !errors.Is(err, store.ErrInvalid) || strings.Contains(err.Error(), password) {
		t.Errorf("Open(bad dsn) = %v, want ErrInvalid without the password", err)
	}
}

// TestPostgresNoDatabase: a DSN naming a database that does not exist gives ErrNoDatabase.
func TestPostgresNoDatabase(t *testing.T) {
	t.Parallel()
	dsn, err := pgtest.WithDatabase(pgtest.AdminDSN(t), "patrol_test_missing_database")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(t.Context(), store.Config{Driver: store.DriverPostgres, DSN: dsn}); !errors.Is(err, store.ErrNoDatabase) {
		t.Errorf("Open(missing database) = %v, want ErrNoDatabase", err)
	}
}

// TestPostgresHooks checks the job queue's handles: the pool of the store, the transaction
// under an InTx Store (committing with it), and nothing for the wrong driver or outside fn.
func TestPostgresHooks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := openPostgres(t, nil)
	pool, ok := store.PgxPool(s)
	if !ok || pool == nil {
		t.Fatal("PgxPool(postgres store) = nil, false")
	}
	if _, ok := store.PgxTx(s); ok {
		t.Error("PgxTx(store outside InTx) = true")
	}
	if _, ok := store.SQLTx(s); ok {
		t.Error("SQLTx(postgres store) = true")
	}
	var kept store.Store
	err := s.InTx(ctx, func(tx store.Store) error {
		kept = tx
		ptx, ok := store.PgxTx(tx)
		if !ok {
			return errors.New("PgxTx(InTx store) = false")
		}
		if _, _, err := tx.SaveFinding(ctx, finding(1, t0)); err != nil {
			return err
		}
		// The pgx.Tx is the store's transaction: it sees the uncommitted finding, and its
		// writes commit with the store's.
		var n int
		if err := ptx.QueryRow(ctx, `SELECT count(*) FROM findings WHERE fingerprint = $1`, fp(1)).Scan(&n); err != nil || n != 1 {
			return errors.New("the pgx.Tx does not see the transaction's write")
		}
		if _, err := ptx.Exec(ctx, `CREATE TABLE queue_probe (id int)`); err != nil {
			return err
		}
		return tx.InTx(ctx, func(inner store.Store) error {
			if itx, ok := store.PgxTx(inner); !ok || itx == nil {
				return errors.New("PgxTx(nested InTx store) = false")
			}
			return nil
		})
	})
	if err != nil {
		t.Fatalf("InTx = %v", err)
	}
	if _, ok := store.PgxTx(kept); ok {
		t.Error("PgxTx(store after its InTx returned) = true")
	}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('queue_probe') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		t.Errorf("the pgx.Tx's write did not commit with the store's: %v, %v", exists, err)
	}

	sq, _ := openTemp(t)
	if _, ok := store.PgxPool(sq); ok {
		t.Error("PgxPool(sqlite store) = true")
	}
	if err := sq.InTx(ctx, func(tx store.Store) error {
		if stx, ok := store.SQLTx(tx); !ok || stx == nil {
			t.Error("SQLTx(sqlite InTx store) = nil, false")
		}
		if _, ok := store.PgxTx(tx); ok {
			t.Error("PgxTx(sqlite InTx store) = true")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := store.SQLTx(sq); ok {
		t.Error("SQLTx(sqlite store outside InTx) = true")
	}
}

// TestPostgresConnectionLost terminates the store's connections from the server side (what
// a restart of PostgreSQL does to them): a call that meets a dead connection fails with
// ErrUnavailable, and the store recovers on its own.
func TestPostgresConnectionLost(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, dsn := openPostgres(t, nil)
	save(t, s, finding(1, t0))
	admin := rawPG(t, dsn)
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	var failed error
	for range 10 { // the pool may hold more than one dead connection
		_, err := s.Finding(ctx, fp(1))
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("Finding on a terminated connection = %v, want ErrUnavailable", err)
		}
		failed = err
	}
	if failed == nil {
		t.Log("the pool replaced the terminated connections before any call met one")
	} else {
		t.Logf("Finding on a terminated connection: %v", failed)
	}
	if _, err := s.Finding(ctx, fp(1)); err != nil {
		t.Errorf("Finding after the connections came back = %v", err)
	}
}
