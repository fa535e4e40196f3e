package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/patrolsec/patrol/internal/httpx"
	"github.com/patrolsec/patrol/lifecycle"
)

// pgStore is the Store over a PostgreSQL database, through a pgx connection pool.
//
// Every write is a transaction under READ COMMITTED, and every compare-and-set is one
// conditional UPDATE … RETURNING: a concurrent updater of the same row waits for the first
// to commit and then re-checks the WHERE clause against the new row, so of several racing
// workers (goroutines or replicas) one matches and the others get ErrConflict.
//
// Transactions are serialized across every process sharing the database, as the Store
// contract asks (a read-modify-write inside InTx needs no further guard): InTx takes the
// transaction-level advisory lock txLockKey exclusively, and every write outside InTx takes
// it shared, so single writes run concurrently with each other but never inside an open
// InTx. Reads take no lock and never wait.
//
// The same type serves the Store that InTx hands to its fn: then tx is set, every method runs
// on that transaction, and each write method runs in a savepoint of it (pgx's Begin on a
// Tx), so that a method that fails changes nothing and leaves the transaction usable.
type pgStore struct {
	pool *pgxpool.Pool
	name string // the DSN without its password, for error text
	now  func() time.Time
	tx   *pgTxState // nil but for the Store handed to an InTx fn
}

// pgTxState is the open transaction (or savepoint) of an InTx call.
type pgTxState struct {
	tx pgx.Tx
	// done is set when fn returns: the tx-bound Store refuses further use.
	done atomic.Bool
}

var _ Store = (*pgStore)(nil)

// Advisory lock keys of patrol (the 64-bit key space is shared by every client of the
// database; these spell "patrolmg" and "patroltx" in ASCII).
const (
	// migrateLockKey is held, as a session lock, by Migrate while it changes the schema.
	migrateLockKey int64 = 0x70617472_6f6c6d67
	// txLockKey serializes transactions: InTx holds it exclusively, single writes shared.
	txLockKey int64 = 0x70617472_6f6c7478
)

// pgQuerier is what reads need of a pool or a transaction.
type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgConfig parses a DSN (a postgres:// URL or key=value pairs) and returns the pool
// configuration and the name errors use: the DSN rebuilt from its parsed parts, without the
// password (which may sit in the URL's user info, a password= parameter or a key=value pair).
func pgConfig(dsn string) (*pgxpool.Config, string, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, "", fmt.Errorf("store dsn: empty: the %s driver needs a postgres:// URL or key=value connection string: %w", DriverPostgres, ErrInvalid)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx redacts passwords from its parse errors only on a best-effort basis, and the
		// errors it wraps (url.Parse's) repeat the whole string: say nothing of the DSN.
		return nil, "", fmt.Errorf("store dsn: not a PostgreSQL connection string (a postgres:// URL or key=value pairs): %w", ErrInvalid)
	}
	return cfg, pgName(cfg.ConnConfig), nil
}

// pgName names a database for error text: postgres://user@host:port/database, without the
// password.
func pgName(c *pgx.ConnConfig) string {
	u := url.URL{Scheme: "postgres", Path: "/" + c.Database}
	if c.User != "" {
		u.User = url.User(c.User)
	}
	hostport := net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))
	if strings.HasPrefix(c.Host, "/") { // a unix socket directory
		u.RawQuery = url.Values{"host": {c.Host}, "port": {strconv.Itoa(int(c.Port))}}.Encode()
	} else {
		u.Host = hostport
	}
	return u.String()
}

// openPostgres connects to the database cfg names and checks that its schema is the one
// this patrol needs (ms): it migrates nothing, that is Migrate's job.
func openPostgres(ctx context.Context, cfg Config, ms []migration) (_ *pgStore, err error) {
	pcfg, name, err := pgConfig(cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, pgFail("open store", name, err)
	}
	defer func() {
		if err != nil {
			pool.Close()
		}
	}()
	s := &pgStore{pool: pool, name: name, now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	current, err := pgSchemaVersion(ctx, pool)
	if err != nil {
		return nil, pgFail("open store: read schema version", name, err)
	}
	if err := checkVersion(name, current, len(ms)); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// checkVersion compares the schema version of the database name with the one this patrol
// needs.
func checkVersion(name string, current, want int) error {
	switch {
	case current < want:
		return fmt.Errorf("%s: database schema version %d, this patrol needs %d: run `patrol migrate`: %w", name, current, want, ErrSchemaTooOld)
	case current > want:
		return fmt.Errorf("%s: database schema version %d, this patrol knows up to %d: %w", name, current, want, ErrSchemaTooNew)
	}
	return nil
}

// pgSchemaVersion returns the highest version in schema_migrations, 0 when there is no such
// table (a database never migrated).
func pgSchemaVersion(ctx context.Context, q pgQuerier) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// migratePostgres is Migrate for PostgreSQL: on one connection, under the session advisory
// lock migrateLockKey (so that concurrent migrators wait for each other; a transaction-level
// lock would not do, River's migrations commit on their own), it applies the migrations of ms
// the database lacks, each in its own transaction with its schema_migrations row, then runs
// also, then unlocks.
func migratePostgres(ctx context.Context, cfg Config, ms []migration, also []func(context.Context) error) (applied int, err error) {
	pcfg, name, err := pgConfig(cfg.DSN)
	if err != nil {
		return 0, fmt.Errorf("migrate store: %w", err)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	conn, err := pgx.ConnectConfig(ctx, pcfg.ConnConfig)
	if err != nil {
		return 0, pgFail("migrate store: connect", name, err)
	}
	// Closing the connection ends the session, which releases the lock whatever happened.
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return 0, pgFail("migrate store: take the migration lock", name, err)
	}
	defer func() {
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey); uerr != nil && err == nil {
			err = pgFail("migrate store: release the migration lock", name, uerr)
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     NOT NULL PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL
)`); err != nil {
		return 0, pgFail("migrate store: create schema_migrations", name, err)
	}
	current, err := pgSchemaVersion(ctx, conn)
	if err != nil {
		return 0, pgFail("migrate store: read schema version", name, err)
	}
	if current > len(ms) {
		return 0, fmt.Errorf("migrate store: %w", checkVersion(name, current, len(ms)))
	}
	for _, m := range ms[current:] {
		err := runTx(ctx, conn.Begin, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, pgTime(now()))
			return err
		})
		if err != nil {
			return applied, pgFail(fmt.Sprintf("migrate store: apply migration %04d_%s", m.version, m.name), name, err)
		}
		applied++
	}
	for i, fn := range also {
		if err := fn(ctx); err != nil {
			return applied, fmt.Errorf("migrate store: %s: migration step %d of %d: %w", name, i+1, len(also), err)
		}
	}
	return applied, nil
}

// pgFail wraps err with op and the database's name and, when it says the server is
// unreachable, the database is missing, locked, read-only or damaged, or a value was
// refused, with the matching sentinel.
func pgFail(op, name string, err error) error {
	if err == nil {
		return nil
	}
	if sentinel := classifyPg(err); sentinel != nil {
		return fmt.Errorf("%s: %s: %w: %w", op, name, sentinel, err)
	}
	return fmt.Errorf("%s: %s: %w", op, name, err)
}

// fail is pgFail for the store's database; the store's own sentinels (a lost
// compare-and-set, a missing finding, a finished transaction) and a done context are wrapped
// with op only, as they say nothing about the database.
func (s *pgStore) fail(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict), errors.Is(err, ErrTxDone),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", op, err)
	}
	return pgFail(op, s.name, err)
}

// classifyPg maps PostgreSQL error codes and connection failures to the store's sentinels.
func classifyPg(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch code := pe.Code; {
		case code == "3D000": // invalid_catalog_name: the database does not exist
			return ErrNoDatabase
		case strings.HasPrefix(code, "08"), // connection_exception
			code == "57P01", code == "57P02", code == "57P03", // admin_shutdown, crash_shutdown, cannot_connect_now
			code == "53300": // too_many_connections
			return ErrUnavailable
		case code == "40001", code == "40P01", code == "55P03": // serialization_failure, deadlock_detected, lock_not_available
			return ErrLocked
		case code == "25006", code == "53100", code == "42501": // read_only_sql_transaction, disk_full, insufficient_privilege
			return ErrUnwritable
		case code == "XX001", code == "XX002": // data_corrupted, index_corrupted
			return ErrCorrupt
		case strings.HasPrefix(code, "22"): // data_exception: a value the column cannot hold
			return ErrInvalid
		}
		return nil // authentication, syntax, constraint…: retrying does not help
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil // the caller gave up; the server may be fine
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.SafeToRetry(err),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return ErrUnavailable
	}
	return nil
}

// runTx begins a transaction (or, with a Tx's Begin, a savepoint), runs fn in it and
// commits; it rolls back when fn returns an error or panics (the panic goes on up).
func runTx(ctx context.Context, begin func(context.Context) (pgx.Tx, error), fn func(tx pgx.Tx) error) error {
	tx, err := begin(ctx)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			// Also when ctx is done: the connection must not stay in the transaction.
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	ok = true
	return nil
}

// write runs fn in one write transaction: on the Store, a new transaction holding txLockKey
// shared; on a tx-bound Store, a savepoint of its transaction.
func (s *pgStore) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if s.tx != nil {
		if s.tx.done.Load() {
			return ErrTxDone
		}
		return runTx(ctx, s.tx.tx.Begin, fn)
	}
	return runTx(ctx, s.pool.Begin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, txLockKey); err != nil {
			return err
		}
		return fn(tx)
	})
}

// reader returns what reads run on: the pool, or the transaction of a tx-bound Store.
func (s *pgStore) reader() (pgQuerier, error) {
	if s.tx == nil {
		return s.pool, nil
	}
	if s.tx.done.Load() {
		return nil, ErrTxDone
	}
	return s.tx.tx, nil
}

// InTx implements Store. On the Store it begins a transaction holding txLockKey exclusively
// (so transactions are serialized across every process); on a tx-bound Store it runs fn in
// a savepoint, handing it a Store bound to that savepoint. fn's error is returned unchanged;
// a panic in fn rolls back and goes on up.
func (s *pgStore) InTx(ctx context.Context, fn func(tx Store) error) error {
	if fn == nil {
		return fmt.Errorf("transaction: nil func: %w", ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("transaction: %w", err)
	}
	var fnErr error
	body := func(tx pgx.Tx) error {
		bound := &pgStore{pool: s.pool, name: s.name, now: s.now, tx: &pgTxState{tx: tx}}
		defer bound.tx.done.Store(true)
		fnErr = fn(bound)
		return fnErr
	}
	var err error
	if s.tx != nil {
		if s.tx.done.Load() {
			return fmt.Errorf("transaction: %w", ErrTxDone)
		}
		err = runTx(ctx, s.tx.tx.Begin, body)
	} else {
		err = runTx(ctx, s.pool.Begin, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, txLockKey); err != nil {
				return err
			}
			return body(tx)
		})
	}
	if fnErr != nil {
		return fnErr // unchanged, for errors.Is and errors.As
	}
	return s.fail("transaction", err)
}

// Close implements Store. On a tx-bound Store it is an error: the transaction ends when its
// fn returns.
func (s *pgStore) Close() error {
	if s.tx != nil {
		return fmt.Errorf("close store: %s: a transaction's Store is closed by returning from its func: %w", s.name, ErrInvalid)
	}
	s.pool.Close()
	return nil
}

// Stored times: timestamptz, NULL for the zero time. PostgreSQL keeps microseconds; times
// outside years 1 to 9999 are clamped (a forged commit date must not make a save fail).
var (
	pgMinTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	pgMaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// pgTime converts a time to a query argument: nil (NULL) for the zero time.
func pgTime(t time.Time) *time.Time {
	switch {
	case t.IsZero():
		return nil
	case t.Before(pgMinTime):
		t = pgMinTime
	case t.After(pgMaxTime):
		t = pgMaxTime
	}
	return &t
}

// fromPg converts a scanned nullable time back: the zero time for NULL, else in UTC.
func fromPg(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// pgText is clip for PostgreSQL's text columns, which hold neither NUL bytes nor invalid
// UTF-8: such bytes (a git path is any bytes) are replaced rather than make a save fail.
func pgText(s string) string {
	s = clip(s)
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", "\uFFFD"), "\uFFFD")
}

// stateList converts states to a text[] argument.
func stateList(states []State) []string {
	out := make([]string, len(states))
	for i, st := range states {
		out[i] = string(st)
	}
	return out
}

// clock returns t, or the store's clock when t is zero.
func (s *pgStore) clock(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

// ---- findings ----

func scanPgFinding(r pgx.Row) (Finding, error) {
	var f Finding
	var next, first, last, updated *time.Time
	err := r.Scan(&f.Fingerprint, &f.DetectorID, &f.Provider, &f.Confidence, &f.Redacted, &f.State, &f.Verify,
		&f.OwnerID, &f.OwnerName, &f.OwnerEmail, &f.Org, &f.Revocation, &f.RevocationReason, &f.Attempts, &next,
		&first, &last, &updated)
	f.NextAttempt, f.FirstSeen, f.LastSeen, f.UpdatedAt = fromPg(next), fromPg(first), fromPg(last), fromPg(updated)
	return f, err
}

// readFinding reads one finding and its locations through q.
func (s *pgStore) readFinding(ctx context.Context, q pgQuerier, fingerprint string) (Finding, error) {
	f, err := scanPgFinding(q.QueryRow(ctx, `SELECT `+findingCols+` FROM findings WHERE fingerprint = $1`, fingerprint))
	if errors.Is(err, pgx.ErrNoRows) {
		return Finding{}, fmt.Errorf("finding %s: %w", fpText(fingerprint), ErrNotFound)
	}
	if err != nil {
		return Finding{}, err
	}
	list := []Finding{f}
	if err := attachPgLocations(ctx, q, list); err != nil {
		return Finding{}, err
	}
	return list[0], nil
}

// attachPgLocations loads the locations of list, in insertion order, in one query.
func attachPgLocations(ctx context.Context, q pgQuerier, list []Finding) error {
	if len(list) == 0 {
		return nil
	}
	idx := make(map[string]int, len(list))
	fps := make([]string, len(list))
	for i := range list {
		idx[list[i].Fingerprint] = i
		fps[i] = list[i].Fingerprint
	}
	rows, err := q.Query(ctx, `SELECT `+locationCols+` FROM locations WHERE fingerprint = ANY($1) ORDER BY id`, fps)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var fp string
		var l Location
		var date *time.Time
		if err := rows.Scan(&fp, &l.Source, &l.Kind, &l.Blob, &l.Offset, &l.Length, &l.Encoding, &l.Repository,
			&l.Commit, &l.Path, &l.Line, &l.Column, &l.AuthorName, &l.AuthorEmail, &date, &l.WebURL, &l.Alert); err != nil {
			return err
		}
		l.Date = fromPg(date)
		i := idx[fp]
		list[i].Locations = append(list[i].Locations, l)
	}
	return rows.Err()
}

// pgCollect runs a query on s (the pool, or its transaction) and scans every row with scan.
func pgCollect[T any](ctx context.Context, s *pgStore, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	q, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}

// queryFindings runs a findings query and attaches the locations.
func (s *pgStore) queryFindings(ctx context.Context, query string, args ...any) ([]Finding, error) {
	out, err := pgCollect(ctx, s, scanPgFinding, query, args...)
	if err != nil {
		return nil, err
	}
	q, err := s.reader()
	if err != nil {
		return nil, err
	}
	if err := attachPgLocations(ctx, q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SaveFinding implements Store.
func (s *pgStore) SaveFinding(ctx context.Context, f Finding) (Finding, bool, error) {
	if err := validateFinding(f); err != nil {
		return Finding{}, false, fmt.Errorf("save finding %s: %w", fpText(f.Fingerprint), err)
	}
	now := s.now()
	first, seen := saveTimes(f, now)
	var out Finding
	var created bool
	err := s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO findings (fingerprint, detector_id, provider, confidence, redacted,
	state, first_seen, last_seen, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
	ON CONFLICT (fingerprint) DO NOTHING`,
			f.Fingerprint, pgText(f.DetectorID), pgText(f.Provider), pgText(f.Confidence), pgText(f.Redacted),
			string(lifecycle.StateDetected), pgTime(first), pgTime(seen), pgTime(now))
		if err != nil {
			return err
		}
		created = tag.RowsAffected() == 1
		if !created {
			if _, err := tx.Exec(ctx, `UPDATE findings SET last_seen = $1 WHERE fingerprint = $2 AND last_seen < $1`,
				pgTime(seen), f.Fingerprint); err != nil {
				return err
			}
		}
		if len(f.Locations) > 0 {
			b := &pgx.Batch{}
			for _, l := range f.Locations {
				b.Queue(`INSERT INTO locations (`+locationCols+`)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
	ON CONFLICT (fingerprint, repository, commit_sha, path, line, col, kind) DO NOTHING`,
					f.Fingerprint, pgText(l.Source), l.Kind, l.Blob, l.Offset, l.Length, l.Encoding,
					pgText(l.Repository), pgText(l.Commit), pgText(l.Path), l.Line, l.Column,
					pgText(l.AuthorName), pgText(l.AuthorEmail), pgTime(l.Date), pgText(l.WebURL), l.Alert)
			}
			if err := tx.SendBatch(ctx, b).Close(); err != nil {
				return err
			}
		}
		out, err = s.readFinding(ctx, tx, f.Fingerprint)
		return err
	})
	if err != nil {
		return Finding{}, false, s.fail("save finding "+fpText(f.Fingerprint), err)
	}
	return out, created, nil
}

// Finding implements Store.
func (s *pgStore) Finding(ctx context.Context, fingerprint string) (Finding, error) {
	q, err := s.reader()
	if err != nil {
		return Finding{}, fmt.Errorf("read finding %s: %w", fpText(fingerprint), err)
	}
	f, err := s.readFinding(ctx, q, fingerprint)
	if errors.Is(err, ErrNotFound) {
		return Finding{}, err
	}
	if err != nil {
		return Finding{}, s.fail("read finding "+fpText(fingerprint), err)
	}
	return f, nil
}

// Findings implements Store.
func (s *pgStore) Findings(ctx context.Context, q Query) ([]Finding, error) {
	if err := validateQuery(q); err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	var where []string
	var args []any
	if q.State != "" {
		args = append(args, string(q.State))
		where = append(where, fmt.Sprintf("state = $%d", len(args)))
	}
	if len(q.States) > 0 {
		args = append(args, stateList(q.States))
		where = append(where, fmt.Sprintf("state = ANY($%d)", len(args)))
	}
	if q.Provider != "" {
		args = append(args, q.Provider)
		where = append(where, fmt.Sprintf("provider = $%d", len(args)))
	}
	query := `SELECT ` + findingCols + ` FROM findings`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	out, err := s.queryFindings(ctx, query+" ORDER BY first_seen, fingerprint"+limitClause(q.Limit), args...)
	if err != nil {
		return nil, s.fail("list findings", err)
	}
	return out, nil
}

// Transition implements Store: one UPDATE … WHERE fingerprint AND state = ANY(from) [AND
// attempts] RETURNING the row.
func (s *pgStore) Transition(ctx context.Context, fingerprint string, from []State, to State, upd Update) (Finding, error) {
	op := fmt.Sprintf("transition %s to %s", fpText(fingerprint), clip(string(to)))
	if err := validateTransition(from, to, upd); err != nil {
		return Finding{}, fmt.Errorf("%s: %w", op, err)
	}
	args := []any{string(to), pgTime(s.now())}
	set := []string{"state = $1", "updated_at = $2"}
	cols, vals := updateColumns(upd)
	for i, c := range cols {
		v := vals[i]
		if str, ok := v.(string); ok {
			v = pgText(str)
		}
		args = append(args, v)
		set = append(set, fmt.Sprintf("%s = $%d", c, len(args)))
	}
	if upd.NextAttempt != nil {
		args = append(args, pgTime(*upd.NextAttempt))
		set = append(set, fmt.Sprintf("next_attempt = $%d", len(args)))
	}
	args = append(args, fingerprint, stateList(from))
	where := fmt.Sprintf("fingerprint = $%d AND state = ANY($%d)", len(args)-1, len(args))
	if upd.IfAttempts != nil {
		args = append(args, *upd.IfAttempts)
		where += fmt.Sprintf(" AND attempts = $%d", len(args))
	}
	var out Finding
	err := s.write(ctx, func(tx pgx.Tx) error {
		f, err := scanPgFinding(tx.QueryRow(ctx, `UPDATE findings SET `+strings.Join(set, ", ")+` WHERE `+where+
			` RETURNING `+findingCols, args...))
		if errors.Is(err, pgx.ErrNoRows) {
			var cur State
			var attempts int
			err := tx.QueryRow(ctx, `SELECT state, attempts FROM findings WHERE fingerprint = $1`, fingerprint).Scan(&cur, &attempts)
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			return transitionConflict(cur, attempts, from, upd)
		}
		if err != nil {
			return err
		}
		list := []Finding{f}
		if err := attachPgLocations(ctx, tx, list); err != nil {
			return err
		}
		out = list[0]
		return nil
	})
	if err != nil {
		return Finding{}, s.fail(op, err)
	}
	return out, nil
}

// Due implements Store. A NULL next_attempt (the zero time) is due now.
func (s *pgStore) Due(ctx context.Context, states []State, now time.Time, limit int) ([]Finding, error) {
	if len(states) == 0 {
		return nil, fmt.Errorf("due findings: no states given: %w", ErrInvalid)
	}
	out, err := s.queryFindings(ctx, `SELECT `+findingCols+` FROM findings
	WHERE state = ANY($1) AND (next_attempt IS NULL OR next_attempt <= $2)
	ORDER BY next_attempt NULLS FIRST, first_seen, fingerprint`+limitClause(limit), stateList(states), pgTime(now))
	if err != nil {
		return nil, s.fail("due findings", err)
	}
	return out, nil
}

// ---- audit log ----

// Audit implements Store.
func (s *pgStore) Audit(ctx context.Context, e AuditEvent) error {
	if e.Action == "" {
		return fmt.Errorf("audit: empty action: %w", ErrInvalid)
	}
	at := s.clock(e.At)
	err := s.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (at, actor, action, fingerprint, provider, target, result, detail)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, pgTime(at), pgText(e.Actor), pgText(e.Action), pgText(e.Fingerprint),
			pgText(e.Provider), pgText(e.Target), pgText(e.Result), pgText(e.Detail))
		return err
	})
	return s.fail("audit "+clip(e.Action), err)
}

// AuditLog implements Store.
func (s *pgStore) AuditLog(ctx context.Context, since time.Time, limit int) ([]AuditEvent, error) {
	const op = "read audit log"
	query := `SELECT id, at, actor, action, fingerprint, provider, target, result, detail FROM audit_log`
	var args []any
	if !since.IsZero() {
		query, args = query+` WHERE at >= $1`, append(args, pgTime(since))
	}
	out, err := pgCollect(ctx, s, scanPgAudit, query+` ORDER BY at, id`+limitClause(limit), args...)
	if err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

// scanPgAudit reads one row of audit_log (id, at, actor, action, fingerprint, provider,
// target, result, detail).
func scanPgAudit(r pgx.Row) (AuditEvent, error) {
	var e AuditEvent
	err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Fingerprint, &e.Provider, &e.Target, &e.Result, &e.Detail)
	e.At = e.At.UTC()
	return e, err
}

// AuditOf implements Store.
func (s *pgStore) AuditOf(ctx context.Context, fingerprint string) ([]AuditEvent, error) {
	out, err := pgCollect(ctx, s, scanPgAudit, `SELECT id, at, actor, action, fingerprint, provider, target, result, detail
	FROM audit_log WHERE fingerprint = $1 ORDER BY id`, pgText(fingerprint))
	if err != nil {
		return nil, s.fail("read audit log of "+fpText(fingerprint), err)
	}
	return out, nil
}

// ---- outbox ----

func scanPgMessage(r pgx.Row) (Message, error) {
	var m Message
	var next, created, claimed, sent, failed *time.Time
	err := r.Scan(&m.ID, &m.Fingerprint, &m.Recipient, &m.Event, &m.Channel, &m.Payload, &m.Status, &m.Attempts,
		&next, &created, &claimed, &sent, &failed, &m.LastError)
	m.NextAttempt, m.CreatedAt, m.ClaimedAt = fromPg(next), fromPg(created), fromPg(claimed)
	m.SentAt, m.FailedAt = fromPg(sent), fromPg(failed)
	return m, err
}

func (s *pgStore) queryMessages(ctx context.Context, query string, args ...any) ([]Message, error) {
	return pgCollect(ctx, s, scanPgMessage, query, args...)
}

// readPgMessage reads the message id through q, or ErrNotFound.
func readPgMessage(ctx context.Context, q pgQuerier, id int64) (Message, error) {
	m, err := scanPgMessage(q.QueryRow(ctx, `SELECT `+messageCols+` FROM outbox WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Message{}, ErrNotFound
	}
	return m, err
}

// Enqueue implements Store.
func (s *pgStore) Enqueue(ctx context.Context, m Message) (Message, bool, error) {
	op := fmt.Sprintf("enqueue %s message to %s for %s", clip(m.Event), clip(m.Recipient), fpText(m.Fingerprint))
	if err := validateMessage(m); err != nil {
		return Message{}, false, fmt.Errorf("%s: %w", op, err)
	}
	created, next := enqueueTimes(m, s.now())
	var out Message
	var isNew bool
	err := s.write(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM findings WHERE fingerprint = $1)`, m.Fingerprint).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("finding not saved: %w", ErrNotFound)
		}
		// DO NOTHING waits for a concurrent insert of the same key to commit, so the SELECT
		// that follows (a new snapshot under READ COMMITTED) sees the message it kept.
		msg, err := scanPgMessage(tx.QueryRow(ctx, `INSERT INTO outbox (fingerprint, recipient, event, channel, payload,
	status, attempts, next_attempt, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)
	ON CONFLICT (fingerprint, recipient, event) DO NOTHING RETURNING `+messageCols,
			m.Fingerprint, m.Recipient, m.Event, m.Channel, m.Payload, StatusPending, pgTime(next), pgTime(created)))
		if errors.Is(err, pgx.ErrNoRows) { // the key exists: return that message
			msg, err = scanPgMessage(tx.QueryRow(ctx, `SELECT `+messageCols+` FROM outbox
	WHERE fingerprint = $1 AND recipient = $2 AND event = $3`, m.Fingerprint, m.Recipient, m.Event))
		} else if err == nil {
			isNew = true
		}
		out = msg
		return err
	})
	if err != nil {
		return Message{}, false, s.fail(op, err)
	}
	return out, isNew, nil
}

// DueMessages implements Store.
func (s *pgStore) DueMessages(ctx context.Context, now time.Time, limit int) ([]Message, error) {
	out, err := s.queryMessages(ctx, `SELECT `+messageCols+` FROM outbox
	WHERE status IN ($1, $2) AND (next_attempt IS NULL OR next_attempt <= $3)
	ORDER BY next_attempt NULLS FIRST, id`+limitClause(limit), StatusPending, StatusSending, pgTime(now))
	if err != nil {
		return nil, s.fail("due messages", err)
	}
	return out, nil
}

// ClaimMessage implements Store: one UPDATE … WHERE due RETURNING the row. A second claimer
// waits for the first to commit, re-checks the WHERE against the claimed row and matches
// nothing.
func (s *pgStore) ClaimMessage(ctx context.Context, id int64, now time.Time) (Message, error) {
	var out Message
	err := s.write(ctx, func(tx pgx.Tx) error {
		m, err := scanPgMessage(tx.QueryRow(ctx, `UPDATE outbox
	SET status = $1, attempts = attempts + 1, claimed_at = $2, next_attempt = $3
	WHERE id = $4 AND status IN ($5, $6) AND (next_attempt IS NULL OR next_attempt <= $2)
	RETURNING `+messageCols,
			StatusSending, pgTime(now), pgTime(now.Add(SendLease)), id, StatusPending, StatusSending))
		if errors.Is(err, pgx.ErrNoRows) {
			return s.messageCAS(ctx, tx, id, "claimable")
		}
		out = m
		return err
	})
	if err != nil {
		return Message{}, s.fail(fmt.Sprintf("claim message %d", id), err)
	}
	return out, nil
}

// messageCAS explains an UPDATE of message id that matched no row: ErrNotFound or
// ErrConflict.
func (s *pgStore) messageCAS(ctx context.Context, tx pgQuerier, id int64, want string) error {
	m, err := readPgMessage(ctx, tx, id)
	if err != nil {
		return err
	}
	return messageConflict(m, want)
}

// finishMessage moves a claimed (sending) message on; set lists the columns to write, with
// placeholders from $2 ($1 is the id).
func (s *pgStore) finishMessage(ctx context.Context, op string, id int64, set string, args ...any) error {
	err := s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE outbox SET `+set+` WHERE id = $1 AND status = '`+StatusSending+`'`,
			append([]any{id}, args...)...)
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		return s.messageCAS(ctx, tx, id, "claimed")
	})
	return s.fail(fmt.Sprintf("%s message %d", op, id), err)
}

// MessageSent implements Store.
func (s *pgStore) MessageSent(ctx context.Context, id int64, at time.Time) error {
	at = s.clock(at)
	return s.finishMessage(ctx, "finish", id, `status = $2, sent_at = $3, last_error = ''`, StatusSent, pgTime(at))
}

// MessageRetry implements Store.
func (s *pgStore) MessageRetry(ctx context.Context, id int64, next time.Time, lastErr string) error {
	return s.finishMessage(ctx, "retry", id, `status = $2, next_attempt = $3, last_error = $4`, StatusPending, pgTime(next), pgText(lastErr))
}

// MessageFailed implements Store.
func (s *pgStore) MessageFailed(ctx context.Context, id int64, at time.Time, reason string) error {
	at = s.clock(at)
	return s.finishMessage(ctx, "fail", id, `status = $2, failed_at = $3, last_error = $4`, StatusFailed, pgTime(at), pgText(reason))
}

// Messages implements Store.
func (s *pgStore) Messages(ctx context.Context, fingerprint string) ([]Message, error) {
	out, err := s.queryMessages(ctx, `SELECT `+messageCols+` FROM outbox WHERE fingerprint = $1 ORDER BY id`, fingerprint)
	if err != nil {
		return nil, s.fail("messages for "+fpText(fingerprint), err)
	}
	return out, nil
}

// ---- incremental scans ----

func scanPgCursor(r pgx.Row) (Cursor, error) {
	var c Cursor
	if err := r.Scan(&c.Repository, &c.Refs, &c.ScannedAt); err != nil {
		return Cursor{}, err
	}
	c.ScannedAt = c.ScannedAt.UTC()
	if c.Refs == nil {
		c.Refs = map[string]string{}
	}
	return c, nil
}

// Cursor implements Store.
func (s *pgStore) Cursor(ctx context.Context, repository string) (Cursor, error) {
	op := "read cursor of " + clip(httpx.RedactURL(repository))
	q, err := s.reader()
	if err != nil {
		return Cursor{}, fmt.Errorf("%s: %w", op, err)
	}
	c, err := scanPgCursor(q.QueryRow(ctx, `SELECT repository, refs, scanned_at FROM cursors WHERE repository = $1`, repository))
	if errors.Is(err, pgx.ErrNoRows) {
		return Cursor{}, nil
	}
	if err != nil {
		return Cursor{}, s.fail(op, err)
	}
	return c, nil
}

// SaveCursor implements Store.
func (s *pgStore) SaveCursor(ctx context.Context, c Cursor) error {
	op := "save cursor of " + clip(httpx.RedactURL(c.Repository))
	if err := validateCursor(c); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	refs := c.Refs
	if refs == nil {
		refs = map[string]string{}
	}
	at := c.ScannedAt
	at = s.clock(at)
	err := s.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO cursors (repository, refs, scanned_at) VALUES ($1, $2, $3)
	ON CONFLICT (repository) DO UPDATE SET refs = excluded.refs, scanned_at = excluded.scanned_at`,
			c.Repository, refs, pgTime(at))
		return err
	})
	return s.fail(op, err)
}

// Cursors implements Store.
func (s *pgStore) Cursors(ctx context.Context) ([]Cursor, error) {
	out, err := pgCollect(ctx, s, scanPgCursor, `SELECT repository, refs, scanned_at FROM cursors ORDER BY scanned_at, repository`)
	if err != nil {
		return nil, s.fail("list cursors", err)
	}
	return out, nil
}

// MarkScanned implements Store: one INSERT of the whole list, as a text[].
func (s *pgStore) MarkScanned(ctx context.Context, repository string, blobs []string) error {
	op := fmt.Sprintf("mark %d blobs scanned in %s", len(blobs), clip(httpx.RedactURL(repository)))
	if err := validateBlobs(repository, blobs); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(blobs) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO scanned_blobs (repository, blob_sha) SELECT $1, unnest($2::text[])
	ON CONFLICT (repository, blob_sha) DO NOTHING`, repository, blobs)
		return err
	})
	return s.fail(op, err)
}

// Scanned implements Store.
func (s *pgStore) Scanned(ctx context.Context, repository string, blobs []string) (map[string]bool, error) {
	op := fmt.Sprintf("look up %d scanned blobs in %s", len(blobs), clip(httpx.RedactURL(repository)))
	if err := validateBlobs(repository, blobs); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	found, err := pgCollect(ctx, s, func(r pgx.Row) (b string, err error) { return b, r.Scan(&b) },
		`SELECT blob_sha FROM scanned_blobs WHERE repository = $1 AND blob_sha = ANY($2)`, repository, blobs)
	if err != nil {
		return nil, s.fail(op, err)
	}
	out := make(map[string]bool, len(found))
	for _, b := range found {
		out[b] = true
	}
	return out, nil
}

// ---- webhooks ----

// RecordDelivery implements Store.
func (s *pgStore) RecordDelivery(ctx context.Context, source, id string, at time.Time) (bool, error) {
	op := fmt.Sprintf("record %s delivery %q", source, id)
	if err := validateDelivery(source, id); err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	at = s.clock(at)
	var isNew bool
	err := s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (source, id, at) VALUES ($1, $2, $3)
	ON CONFLICT (source, id) DO NOTHING`, pgText(source), pgText(id), pgTime(at))
		isNew = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, s.fail(op, err)
	}
	return isNew, nil
}
