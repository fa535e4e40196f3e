package store

import (
	"database/sql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The hooks below expose the database handle under a Store, for one caller only: the job
// queue (River) that runs on the same database, so that a job's completion (and the jobs it
// inserts) commit in the same transaction as the store's writes. Anything else must go
// through the Store's methods: SQL run on these handles bypasses the store's validation and
// its guarantees.

// PgxPool returns the connection pool of a PostgreSQL store (or of the Store an InTx of one
// hands to its fn), for the job queue's driver. It reports false for any other Store.
func PgxPool(s Store) (*pgxpool.Pool, bool) {
	p, ok := unwrap(s).(*pgStore)
	if !ok {
		return nil, false
	}
	return p.pool, true
}

// PgxTx returns the transaction under the Store that InTx of a PostgreSQL store hands to its
// fn (for a nested InTx, the savepoint's pgx.Tx), for the job queue (river.JobCompleteTx,
// InsertTx). It reports false for any other Store, and once fn has returned.
func PgxTx(tx Store) (pgx.Tx, bool) {
	p, ok := unwrap(tx).(*pgStore)
	if !ok || p.tx == nil || p.tx.done.Load() {
		return nil, false
	}
	return p.tx.tx, true
}

// SQLTx returns the *sql.Tx under the Store that InTx of an SQLite store hands to its fn
// (nested InTx calls share it: they are savepoints of it), for the job queue's SQLite driver.
// It reports false for any other Store, and once fn has returned.
func SQLTx(tx Store) (*sql.Tx, bool) {
	s, ok := unwrap(tx).(*sqliteStore)
	if !ok || s.tx == nil || s.tx.done.Load() {
		return nil, false
	}
	t, ok := s.tx.tx.(*sql.Tx)
	return t, ok
}

// unwrap returns the driver's Store under wrappers that embed one and say so with an
// Unwrap() Store method (the service's metrics observer, say).
func unwrap(s Store) Store {
	for {
		w, ok := s.(interface{ Unwrap() Store })
		if !ok {
			return s
		}
		s = w.Unwrap()
	}
}
