package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/patrolsec/patrol/store"
)

// t0 is the tests' "now".
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable test clock, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// dbPath returns a fresh database path in a directory that does not exist yet, so that Open
// has to create it.
func dbPath(t *testing.T) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "state", "patrol.db")
}

// openAt opens the store at path with clock c (t0 when nil) and closes it at cleanup.
func openAt(t *testing.T, path string, c *clock) store.Store {
	t.Helper()
	if c == nil {
		c = newClock(t0)
	}
	s, err := store.Open(t.Context(), store.Config{DSN: path, Now: c.Now})
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

// fp returns a valid fingerprint (64 hex digits) numbered n.
func fp(n int) string { return fmt.Sprintf("%064x", n) }

// finding returns a savable finding numbered n, first seen at at, with one location.
func finding(n int, at time.Time) store.Finding {
	return store.Finding{
		Fingerprint: fp(n), DetectorID: "github-classic-pat", Provider: "github", Confidence: "checksum",
		Redacted: "ghp_ab12…", FirstSeen: at, LastSeen: at,
		Locations: []store.Location{loc("a.go", 3)},
	}
}

// loc returns a git location in path at line.
func loc(path string, line int) store.Location {
	return store.Location{
		Source: "git", Repository: "https://github.com/contoso/app", Commit: "0123456789abcdef0123456789abcdef01234567",
		Path: path, Line: line, Column: 7, AuthorName: "Dev", AuthorEmail: "dev@contoso.com",
		Date: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC), WebURL: "https://github.com/contoso/app/commit/0123",
	}
}

// save saves f and fails the test on error.
func save(t *testing.T, s store.Store, f store.Finding) store.Finding {
	t.Helper()
	got, _, err := s.SaveFinding(t.Context(), f)
	if err != nil {
		t.Fatalf("SaveFinding(%s) = %v", f.Fingerprint, err)
	}
	return got
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
