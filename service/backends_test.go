package service

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/patrolsec/patrol/internal/pgtest"
)

// testBackend opens a new, empty job queue database of one driver for a test.
type testBackend struct {
	name string
	open func(t *testing.T) Backend
}

// testBackends are the queue's databases the tests run on: SQLite always, PostgreSQL when
// pgtest has a server (PATROL_TEST_POSTGRES_DSN; make test starts one). Each PostgreSQL
// database is migrated as `patrol migrate` would.
func testBackends(t *testing.T) []testBackend {
	bs := []testBackend{{"sqlite", func(t *testing.T) Backend {
		return Backend{SQLite: filepath.Join(t.TempDir(), "patrol.db")}
	}}}
	if os.Getenv(pgtest.Env) == "" {
		t.Logf("PostgreSQL queue tests skipped: %s is unset (make test starts a throwaway server)", pgtest.Env)
		return bs
	}
	return append(bs, testBackend{"postgres", func(t *testing.T) Backend {
		b := Backend{Postgres: pgtest.DSN(t)}
		if err := MigrateQueue(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		return b
	}})
}
