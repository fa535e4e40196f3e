package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/store"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite" River's SQLite driver runs on
)

// sqliteBackend is River on the store's SQLite file: one replica, so the scan locks are this
// process's.
type sqliteBackend struct {
	db     *sql.DB
	client *river.Client[*sql.Tx]

	mu    sync.Mutex
	locks map[string]bool
}

// openSQLite opens River on the SQLite file at path, applies River's migrations, and builds
// the client.
func openSQLite(ctx context.Context, path string, h Handlers, o QueueOptions) (*Queue, error) {
	db, err := openSQLiteDB(path)
	if err != nil {
		return nil, err
	}
	driver := riversqlite.New(db)
	if err := migrateRiver(ctx, driver, o.Logger); err != nil {
		db.Close()
		return nil, fmt.Errorf("job queue migrations on %s: %w", path, err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &scanWorker{h: h, timeout: o.ScanTimeout, metrics: o.Metrics,
		finish: func(ctx context.Context, tx store.Store, j *river.Job[ScanArgs], fps []string) error {
			stx, ok := store.SQLTx(tx)
			if !ok {
				return errors.New("complete scan job: the store is not the queue's SQLite database")
			}
			if len(fps) > 0 {
				if _, err := river.ClientFromContext[*sql.Tx](ctx).InsertManyTx(ctx, stx, findingJobs(fps)); err != nil {
					return fmt.Errorf("queue finding jobs: %w", err)
				}
			}
			if _, err := river.JobCompleteTx[*riversqlite.Driver](ctx, stx, j); err != nil {
				return fmt.Errorf("complete scan job: %w", err)
			}
			return nil
		}})
	cfg, err := riverConfig(h, o, workers)
	if err != nil {
		db.Close()
		return nil, err
	}
	c, err := river.NewClient(driver, cfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &Queue{client: c, backend: &sqliteBackend{db: db, client: c, locks: map[string]bool{}}}, nil
}

// openSQLiteDB opens River's connection to the SQLite file at path.
func openSQLiteDB(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", queueDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open job queue %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // River's SQLite driver asks for one connection
	return db, nil
}

// migrateRiver applies River's pending migrations with the driver.
func migrateRiver[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], log *slog.Logger) error {
	mig, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet(log)})
	if err != nil {
		return err
	}
	_, err = mig.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

func (b *sqliteBackend) stats(ctx context.Context) (map[metrics.JobKey]int, string, error) {
	out := map[metrics.JobKey]int{}
	rows, err := b.db.QueryContext(ctx, statsQuery)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var k metrics.JobKey
		var n int
		if err := rows.Scan(&k.Kind, &k.State, &n); err != nil {
			return nil, "", err
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	var leader string
	if err := b.db.QueryRowContext(ctx, leaderQuery).Scan(&leader); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, "", err
	}
	return out, leader, nil
}

func (b *sqliteBackend) tryLock(_ context.Context, key string) (func(), bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.locks[key] {
		return nil, false, nil
	}
	b.locks[key] = true
	return func() {
		b.mu.Lock()
		delete(b.locks, key)
		b.mu.Unlock()
	}, true, nil
}

func (b *sqliteBackend) insertTx(ctx context.Context, tx store.Store, args river.JobArgs, opts *river.InsertOpts) (bool, error) {
	stx, ok := store.SQLTx(tx)
	if !ok {
		return false, errors.New("the store is not the queue's SQLite database, or not in a transaction")
	}
	res, err := b.client.InsertTx(ctx, stx, args, opts)
	if err != nil {
		return false, err
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

func (b *sqliteBackend) close() error { return b.db.Close() }

// queueDSN is the modernc connection string of River's connection: the same WAL file as the
// store, waiting for the store's writers rather than failing with SQLITE_BUSY.
func queueDSN(p string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(p), RawQuery: q.Encode()}
	return u.String()
}
