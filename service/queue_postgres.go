package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/store"
)

// postgresBackend is River on the store's PostgreSQL database, shared by every replica. River
// has a pool of its own (its listener holds a connection for LISTEN, and its fetches must not
// wait behind the store's transactions); the scan locks are session advisory locks, each on a
// connection of its own, so that a replica that dies releases them with its connections.
type postgresBackend struct {
	pool   *pgxpool.Pool
	conn   *pgx.ConnConfig
	client *river.Client[pgx.Tx]
}

// ErrQueueSchema: the database lacks River's tables or some of their migrations. Run
// `patrol migrate`.
var ErrQueueSchema = errors.New("job queue schema is not up to date")

// openPostgres opens River on the PostgreSQL database dsn names and builds the client. The
// schema must be current (patrol migrate).
func openPostgres(ctx context.Context, dsn string, h Handlers, o QueueOptions) (*Queue, error) {
	pool, err := newPool(ctx, dsn)
	if err != nil {
		return nil, err
	}
	driver := riverpgxv5.New(pool)
	mig, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(o.Logger)})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	v, err := mig.Validate(ctx, nil)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("job queue on %s: check its schema: %w", redactDSN(dsn), err)
	}
	if !v.OK {
		pool.Close()
		return nil, fmt.Errorf("job queue on %s: %s: run `patrol migrate`: %w", redactDSN(dsn), strings.Join(v.Messages, "; "), ErrQueueSchema)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &scanWorker{h: h, timeout: o.ScanTimeout, metrics: o.Metrics,
		finish: func(ctx context.Context, tx store.Store, j *river.Job[ScanArgs], fps []string) error {
			ptx, ok := store.PgxTx(tx)
			if !ok {
				return errors.New("complete scan job: the store is not the queue's PostgreSQL database")
			}
			if len(fps) > 0 {
				if _, err := river.ClientFromContext[pgx.Tx](ctx).InsertManyTx(ctx, ptx, findingJobs(fps)); err != nil {
					return fmt.Errorf("queue finding jobs: %w", err)
				}
			}
			if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, ptx, j); err != nil {
				return fmt.Errorf("complete scan job: %w", err)
			}
			return nil
		}})
	cfg, err := riverConfig(h, o, workers)
	if err != nil {
		pool.Close()
		return nil, err
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &Queue{client: c, backend: &postgresBackend{pool: pool, conn: pool.Config().ConnConfig, client: c}}, nil
}

// newPool opens a pgx pool on dsn; errors name the database without its password.
func newPool(ctx context.Context, dsn string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("job queue DSN %s: %w", redactDSN(dsn), errors.New("cannot be parsed"))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("job queue on %s: %w", redactDSN(dsn), err)
	}
	return pool, nil
}

// MigrateQueue applies River's migrations to the database of b: `patrol migrate` runs it
// under the store's migration lock. On SQLite, OpenQueue does it too.
func MigrateQueue(ctx context.Context, b Backend) error {
	if b.Postgres == "" {
		db, err := openSQLiteDB(b.SQLite)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := migrateRiver(ctx, riversqlite.New(db), nil); err != nil {
			return fmt.Errorf("job queue migrations on %s: %w", b.SQLite, err)
		}
		return nil
	}
	pool, err := newPool(ctx, b.Postgres)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := migrateRiver(ctx, riverpgxv5.New(pool), nil); err != nil {
		return fmt.Errorf("job queue migrations on %s: %w", redactDSN(b.Postgres), err)
	}
	return nil
}

func (b *postgresBackend) stats(ctx context.Context) (map[metrics.JobKey]int, string, error) {
	out := map[metrics.JobKey]int{}
	rows, err := b.pool.Query(ctx, statsQuery)
	if err != nil {
		return nil, "", err
	}
	for rows.Next() {
		var k metrics.JobKey
		var n int
		if err := rows.Scan(&k.Kind, &k.State, &n); err != nil {
			rows.Close()
			return nil, "", err
		}
		out[k] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	var leader string
	if err := b.pool.QueryRow(ctx, leaderQuery).Scan(&leader); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, "", err
	}
	return out, leader, nil
}

// tryLock takes a transaction-level advisory lock in a transaction of its own connection,
// held open until unlock ends it: pg_try_advisory_xact_lock answers at once; the lock cannot
// outlive its replica (a dead process's connection ends its transaction); and a transaction
// keeps one server connection even behind a transaction-mode pooler, where a session lock
// would be left on a connection the pooler hands to someone else.
func (b *postgresBackend) tryLock(ctx context.Context, key string) (func(), bool, error) {
	conn, err := pgx.ConnectConfig(ctx, b.conn.Copy())
	if err != nil {
		return nil, false, fmt.Errorf("scan lock of %s: %w", key, err)
	}
	bg := context.WithoutCancel(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		conn.Close(bg)
		return nil, false, fmt.Errorf("scan lock of %s: %w", key, err)
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1, hashtext($2))`, scanLockSpace, key).Scan(&ok); err != nil || !ok {
		tx.Rollback(bg)
		conn.Close(bg)
		if err != nil {
			return nil, false, fmt.Errorf("scan lock of %s: %w", key, err)
		}
		return nil, false, nil
	}
	return func() {
		tx.Rollback(bg)
		conn.Close(bg)
	}, true, nil
}

// scanLockSpace is the first key of patrol's scan locks (pg_advisory_lock(int, int)), apart
// from other users of advisory locks in the same database.
const scanLockSpace = 0x7061 // "pa"

func (b *postgresBackend) insertTx(ctx context.Context, tx store.Store, args river.JobArgs, opts *river.InsertOpts) (bool, error) {
	ptx, ok := store.PgxTx(tx)
	if !ok {
		return false, errors.New("the store is not the queue's PostgreSQL database, or not in a transaction")
	}
	res, err := b.client.InsertTx(ctx, ptx, args, opts)
	if err != nil {
		return false, err
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

func (b *postgresBackend) close() error {
	b.pool.Close()
	return nil
}

// redactDSN removes the password from a URL or key=value DSN, for error text.
func redactDSN(dsn string) string {
	return store.Config{Driver: store.DriverPostgres, DSN: dsn}.Redacted()
}
