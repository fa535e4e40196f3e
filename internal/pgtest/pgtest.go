// Package pgtest gives tests a PostgreSQL database of their own, on the server that
// PATROL_TEST_POSTGRES_DSN names: a new, empty database per call, dropped when the test ends, so
// that tests run in parallel without seeing each other's rows and a failed run leaves nothing
// behind.
//
// `make test` runs the tests under scripts/with-postgres.sh, which starts a throwaway cluster
// when PostgreSQL is installed and exports the variable; a developer can also point it at a
// server of their own (the DSN of a role allowed to CREATE DATABASE). Without the variable the
// PostgreSQL tests skip, saying so, except under CI=true, where a missing server is a failure:
// CI must not pass by testing nothing.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Env is the environment variable holding the admin DSN.
const Env = "PATROL_TEST_POSTGRES_DSN"

// howTo says how to run the skipped tests.
const howTo = "run `make test` (it starts a throwaway PostgreSQL when initdb is installed) or set " + Env +
	"=postgres://user@host:port/postgres (a role that may CREATE DATABASE)"

// AdminDSN returns the DSN in PATROL_TEST_POSTGRES_DSN. When it is unset the test is skipped
// with a message saying how to run it, or fails when CI=true.
func AdminDSN(t testing.TB) string {
	t.Helper()
	dsn := strings.TrimSpace(os.Getenv(Env))
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set and CI=true: the PostgreSQL tests must run in CI; %s", Env, howTo)
		}
		t.Skipf("PostgreSQL tests skipped: %s is not set; %s", Env, howTo)
	}
	return dsn
}

// DSN returns the DSN of a new, empty database (patrol_test_<random>) on the server of
// AdminDSN, dropped (WITH (FORCE), closing leftover connections) when the test ends. It skips
// or fails like AdminDSN when there is no server.
func DSN(t testing.TB) string {
	t.Helper()
	admin := AdminDSN(t)
	name := randomName()
	dsn, err := WithDatabase(admin, name)
	if err != nil { // not err's text: url.Parse repeats the URL, password included
		t.Fatalf("pgtest: %s is not a postgres:// URL or key=value string", Env)
	}
	if err := exec(admin, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		if p, ok := pools.LoadAndDelete(dsn); ok { // SchemaDSN's connections to it
			p.(*pgxpool.Pool).Close()
		}
		if err := exec(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return dsn
}

// SchemaDSN returns dsn (a database, from DSN) with its search_path set to a new, empty schema
// (patrol_test_<random>), dropped with its contents when the test ends. Creating a schema
// takes milliseconds where creating a database takes a few hundred: a suite of many small
// tests shares one database from DSN and gives each test a schema of its own.
func SchemaDSN(t testing.TB, dsn string) string {
	t.Helper()
	name := randomName()
	if err := exec(dsn, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := exec(dsn, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal("pgtest: the database DSN is not a postgres:// URL")
		}
		q := u.Query()
		q.Set("search_path", name)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + name
}

// randomName returns patrol_test_ and 16 random hex digits: a database or schema name no
// other test (or earlier run) uses.
func randomName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "patrol_test_" + hex.EncodeToString(b[:])
}

// WithDatabase returns dsn (a postgres:// URL or a key=value string) with its database
// replaced by name.
func WithDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		u.Path, u.RawPath = "/"+name, ""
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil // the last of a repeated key wins
}

// pools holds a connection pool per DSN exec has used: tests create and drop many schemas,
// and a new connection costs tens of milliseconds. They live as long as the test binary.
var pools sync.Map // DSN → *pgxpool.Pool

// exec runs one statement outside a transaction (CREATE and DROP DATABASE cannot run in
// one) on a pooled connection to dsn. It has its own context: cleanups run after the test's
// context is done.
func exec(dsn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, ok := pools.Load(dsn)
	if !ok {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return err
		}
		if p, ok = pools.LoadOrStore(dsn, pool); ok {
			pool.Close() // another test got there first
		}
	}
	_, err := p.(*pgxpool.Pool).Exec(ctx, sql)
	return err
}
