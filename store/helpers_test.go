package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/patrolsec/patrol/store"
	"github.com/patrolsec/patrol/store/storetest"
)

// t0 is the tests' "now".
var t0 = storetest.T0

// The fixtures are the conformance suite's.
var (
	fp      = storetest.Fingerprint
	finding = storetest.Finding
	loc     = storetest.Location
	message = storetest.Message
	save    = storetest.Save
)

// dbPath returns a fresh database path in a directory that does not exist yet, so that Open
// has to create it.
func dbPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "state", "patrol.db")
}

// openAt opens the store at path with clock now (t0 when nil) and closes it at cleanup.
func openAt(t *testing.T, path string, now func() time.Time) store.Store {
	t.Helper()
	if now == nil {
		now = func() time.Time { return t0 }
	}
	s, err := store.Open(t.Context(), store.Config{DSN: path, Now: now})
	if err != nil {
		t.Fatalf("Open(%s) = %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openTemp opens a store in a fresh temporary file.
func openTemp(t *testing.T) (store.Store, string) {
	t.Helper()
	p := dbPath(t)
	return openAt(t, p, nil), p
}

// openSQLiteInTempDir opens the conformance suite's store: a new file, on the suite's clock.
func openSQLiteInTempDir(t *testing.T) store.Store {
	t.Helper()
	return openAt(t, dbPath(t), storetest.Clock(t))
}

// raw opens a plain database/sql handle on the file, bypassing the store, as an operator's
// sqlite3 shell would.
func raw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// count returns the number of rows of a query on the raw handle.
func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
