package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/patrolsec/patrol/internal/httpx"
	"github.com/patrolsec/patrol/lifecycle"
)

// sqliteStore is the Store over one SQLite file.
//
// Writes are serialized twice: inside the process by wsem, so goroutines queue fairly
// instead of spinning in SQLite's busy handler, and across processes by SQLite's write lock,
// taken at BEGIN (IMMEDIATE) so that no transaction reads a state it then cannot write.
// Reads go straight to the pool; in WAL mode they never wait for a writer.
//
// The same type serves the Store that InTx hands to its fn: then tx is set, every method runs
// on that transaction (reads included, so fn reads its own writes), and each write method
// runs in a savepoint of it, so that a method that fails changes nothing even inside a
// transaction the caller goes on with. Every method is written once, over an execer.
type sqliteStore struct {
	db   *sql.DB
	path string
	now  func() time.Time
	wsem chan struct{}
	tx   *txState // nil but for the Store handed to an InTx fn
	// applied counts the migrations Open applied (for Migrate).
	applied int
}

// txState is the open transaction of an InTx call.
type txState struct {
	tx execer // a *sql.Tx
	// done is set when fn returns: the tx-bound Store refuses further use.
	done atomic.Bool
	// depth numbers the nested savepoints (one goroutine at a time uses a tx).
	depth atomic.Int64
}

var _ Store = (*sqliteStore)(nil)

// maxOpenConns bounds the connection pool: one writer at a time plus concurrent readers.
const maxOpenConns = 8

// openSQLite opens the file cfg names and applies the migrations ms it lacks (all of them
// but in the upgrade tests, which build an old schema).
func openSQLite(ctx context.Context, cfg Config, ms []migration) (_ *sqliteStore, err error) {
	p := cfg.DSN
	if p == "" {
		if p, err = DefaultPath(); err != nil {
			return nil, err
		}
	}
	if p == ":memory:" || strings.HasPrefix(p, "file::memory:") || strings.Contains(p, "mode=memory") {
		return nil, fmt.Errorf("store dsn %q: an in-memory database does not survive a restart; give a file path: %w", p, ErrInvalid)
	}
	if p, err = filepath.Abs(p); err != nil {
		return nil, fmt.Errorf("open store: %s: %w", cfg.DSN, err)
	}
	if cfg.MustExist {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open store: %s: %w", p, ErrNoDatabase)
		}
	} else if err := createFile(p); err != nil {
		return nil, fmt.Errorf("open store: %s: %w: %w", p, ErrUnwritable, err)
	}
	busy := cfg.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	db, err := sql.Open("sqlite", dsn(p, busy))
	if err != nil {
		return nil, fmt.Errorf("open store: %s: %w", p, err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	s := &sqliteStore{db: db, path: p, now: cfg.Now, wsem: make(chan struct{}, 1)}
	if s.now == nil {
		s.now = time.Now
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	// The first connection switches the file to WAL, which needs the file's exclusive lock: a
	// process opening the same new file at the same moment may get SQLITE_BUSY for it, which
	// the busy timeout does not always cover. Retry that, within the busy timeout.
	var mode string
	for wait, deadline := 10*time.Millisecond, time.Now().Add(busy); ; wait = min(2*wait, 250*time.Millisecond) {
		err := db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
		if err == nil {
			break
		}
		if !errors.Is(classify(err), ErrLocked) || time.Now().Add(wait).After(deadline) {
			return nil, s.fail("open store", err)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, s.fail("open store", err)
		}
	}
	if !strings.EqualFold(mode, "wal") {
		// WAL needs shared memory between processes, which network file systems lack.
		return nil, fmt.Errorf("open store: %s: journal mode is %q, want wal (is the file on a network file system?): %w", p, mode, ErrUnwritable)
	}
	if err := s.migrate(ctx, ms); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// createFile creates the database file (mode 0600: it names owners and repositories) and its
// directories (0700) when missing; SQLite gives its -wal and -shm files the same mode.
func createFile(p string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

// dsn builds the connection string of the modernc driver: a file: URI (so that any byte of
// the path is escaped) whose parameters are run on every new connection of the pool.
func dsn(p string, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(busy.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	// FULL syncs the WAL at each commit: a power cut must not forget that a token was
	// revoked or an email sent. The write rate of the pipeline makes the cost irrelevant.
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(p), RawQuery: q.Encode()}
	if !strings.HasPrefix(u.Path, "/") {
		u.Path = "/" + u.Path // Windows: file:///C:/…
	}
	return u.String()
}

// fail wraps err with op and, when SQLite's result code says the file is damaged, locked or
// not writable, with the matching sentinel and the file's path.
func (s *sqliteStore) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if sentinel := classify(err); sentinel != nil {
		return fmt.Errorf("%s: %s: %w: %w", op, s.path, sentinel, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// classify maps SQLite result codes and OS errors about the file to the store's sentinels.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // primary code; the rest is the extended detail
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return ErrCorrupt
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return ErrLocked
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR:
			return ErrUnwritable
		}
	}
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return ErrUnwritable
	}
	return nil
}

// write runs fn in one write transaction: on the Store, a new transaction begun IMMEDIATE
// after the in-process write semaphore; on a tx-bound Store, a savepoint of its transaction.
// Either way fn's writes are undone when it returns an error or panics.
func (s *sqliteStore) write(ctx context.Context, fn func(q execer) error) error {
	if s.tx != nil {
		return s.tx.savepoint(ctx, fn)
	}
	select {
	case s.wsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.wsem }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback() // also on a panic in fn, which goes on up
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	return tx.Commit()
}

// savepoint runs fn inside a savepoint of t, rolled back when fn returns an error or panics.
func (t *txState) savepoint(ctx context.Context, fn func(q execer) error) (err error) {
	if t.done.Load() {
		return ErrTxDone
	}
	name := "patrol_sp" + strconv.FormatInt(t.depth.Add(1), 10)
	defer t.depth.Add(-1)
	if _, err := t.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return err
	}
	ok := false
	defer func() {
		if ok {
			return
		}
		// ROLLBACK TO keeps the savepoint open; RELEASE closes it. Both must run even when
		// ctx is done, or the outer transaction is left inside the savepoint.
		bg := context.WithoutCancel(ctx)
		if _, rerr := t.tx.ExecContext(bg, "ROLLBACK TO "+name); rerr == nil {
			_, _ = t.tx.ExecContext(bg, "RELEASE "+name)
		}
	}()
	if err := fn(t.tx); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, "RELEASE "+name); err != nil {
		return err
	}
	ok = true
	return nil
}

// reader returns what reads run on: the pool, or the transaction of a tx-bound Store.
func (s *sqliteStore) reader() (querier, error) {
	if s.tx == nil {
		return s.db, nil
	}
	if s.tx.done.Load() {
		return nil, ErrTxDone
	}
	return s.tx.tx, nil
}

// InTx implements Store. On the Store it begins one write transaction (IMMEDIATE, after the
// in-process write semaphore, like every write); on a tx-bound Store it runs fn in a
// savepoint of the open transaction. fn's error is returned unchanged; a panic in fn rolls
// back and goes on up.
func (s *sqliteStore) InTx(ctx context.Context, fn func(tx Store) error) error {
	if fn == nil {
		return fmt.Errorf("transaction: nil func: %w", ErrInvalid)
	}
	var fnErr error
	err := s.write(ctx, func(q execer) error {
		if s.tx != nil {
			fnErr = fn(s)
			return fnErr
		}
		bound := &sqliteStore{db: s.db, path: s.path, now: s.now, wsem: s.wsem, tx: &txState{tx: q}}
		defer bound.tx.done.Store(true)
		fnErr = fn(bound)
		return fnErr
	})
	if fnErr != nil {
		return fnErr // unchanged, for errors.Is and errors.As
	}
	if err != nil {
		return s.fail("transaction", err)
	}
	return nil
}

// Close implements Store. On a tx-bound Store it is an error: the transaction ends when
// its fn returns.
func (s *sqliteStore) Close() error {
	if s.tx != nil {
		return fmt.Errorf("close store: %s: a transaction's Store is closed by returning from its func: %w", s.path, ErrInvalid)
	}
	if err := s.db.Close(); err != nil {
		return s.fail("close store", err)
	}
	return nil
}

// querier is what reads need of *sql.DB and *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// execer is what writes need of a transaction (*sql.Tx).
type execer interface {
	querier
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Time range that fits int64 nanoseconds; times outside it are clamped (a forged commit date
// must not make a save fail).
var (
	minTime = time.Unix(0, math.MinInt64+1).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// toDB converts a time to the stored form: UTC nanoseconds since the epoch, 0 for the zero
// time.
func toDB(t time.Time) int64 {
	switch {
	case t.IsZero():
		return 0
	case t.Before(minTime):
		return minTime.UnixNano()
	case t.After(maxTime):
		return maxTime.UnixNano()
	}
	return t.UnixNano()
}

// fromDB converts a stored time back; 0 is the zero time.
func fromDB(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// clock returns t, or the store's clock when t is zero.
func (s *sqliteStore) clock(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

// placeholders returns "?, ?, …" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// limitClause returns the LIMIT of a query, empty for no limit.
func limitClause(limit int) string {
	if limit <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(limit)
}

// ---- findings ----

const findingCols = `fingerprint, detector_id, provider, confidence, redacted, state, verify,
	owner_id, owner_name, owner_email, org, revocation, revocation_reason, attempts, next_attempt,
	first_seen, last_seen, updated_at`

const locationCols = `fingerprint, source, kind, blob_sha, byte_offset, byte_length, encoding, repository,
	commit_sha, path, line, col, author_name, author_email, commit_date, web_url, alert`

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

func scanFinding(r rowScanner) (Finding, error) {
	var f Finding
	var state string
	var next, first, last, updated int64
	err := r.Scan(&f.Fingerprint, &f.DetectorID, &f.Provider, &f.Confidence, &f.Redacted, &state, &f.Verify,
		&f.OwnerID, &f.OwnerName, &f.OwnerEmail, &f.Org, &f.Revocation, &f.RevocationReason, &f.Attempts, &next,
		&first, &last, &updated)
	f.State = State(state)
	f.NextAttempt, f.FirstSeen, f.LastSeen, f.UpdatedAt = fromDB(next), fromDB(first), fromDB(last), fromDB(updated)
	return f, err
}

// readFinding reads one finding and its locations through q.
func (s *sqliteStore) readFinding(ctx context.Context, q querier, fingerprint string) (Finding, error) {
	f, err := scanFinding(q.QueryRowContext(ctx, `SELECT `+findingCols+` FROM findings WHERE fingerprint = ?`, fingerprint))
	if errNoRows(err) {
		return Finding{}, fmt.Errorf("finding %s: %w", fpText(fingerprint), ErrNotFound)
	}
	if err != nil {
		return Finding{}, err
	}
	list := []Finding{f}
	if err := s.attachLocations(ctx, q, list); err != nil {
		return Finding{}, err
	}
	return list[0], nil
}

// maxVars keeps IN lists well under SQLite's (and PostgreSQL's) bound-parameter limits.
const maxVars = 500

// attachLocations loads the locations of list, in insertion order, a batch of findings per
// query.
func (s *sqliteStore) attachLocations(ctx context.Context, q querier, list []Finding) error {
	idx := make(map[string]int, len(list))
	for i := range list {
		idx[list[i].Fingerprint] = i
	}
	for start := 0; start < len(list); start += maxVars {
		batch := list[start:min(start+maxVars, len(list))]
		args := make([]any, len(batch))
		for i, f := range batch {
			args[i] = f.Fingerprint
		}
		rows, err := q.QueryContext(ctx, `SELECT `+locationCols+` FROM locations WHERE fingerprint IN (`+
			placeholders(len(args))+`) ORDER BY id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var fp string
			var l Location
			var date int64
			if err := rows.Scan(&fp, &l.Source, &l.Kind, &l.Blob, &l.Offset, &l.Length, &l.Encoding, &l.Repository,
				&l.Commit, &l.Path, &l.Line, &l.Column,
				&l.AuthorName, &l.AuthorEmail, &date, &l.WebURL, &l.Alert); err != nil {
				rows.Close()
				return err
			}
			l.Date = fromDB(date)
			i := idx[fp]
			list[i].Locations = append(list[i].Locations, l)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// queryFindings runs a findings query and attaches the locations.
func (s *sqliteStore) queryFindings(ctx context.Context, query string, args ...any) ([]Finding, error) {
	q, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, f)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.attachLocations(ctx, q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SaveFinding implements Store.
func (s *sqliteStore) SaveFinding(ctx context.Context, f Finding) (Finding, bool, error) {
	if err := validateFinding(f); err != nil {
		return Finding{}, false, fmt.Errorf("save finding %s: %w", fpText(f.Fingerprint), err)
	}
	now := s.now()
	first, seen := saveTimes(f, now)
	var out Finding
	var created bool
	err := s.write(ctx, func(tx execer) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO findings (fingerprint, detector_id, provider, confidence, redacted,
	state, first_seen, last_seen, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (fingerprint) DO NOTHING`,
			f.Fingerprint, f.DetectorID, f.Provider, f.Confidence, f.Redacted, string(lifecycle.StateDetected),
			toDB(first), toDB(seen), toDB(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		if !created {
			if _, err := tx.ExecContext(ctx, `UPDATE findings SET last_seen = ? WHERE fingerprint = ? AND last_seen < ?`,
				toDB(seen), f.Fingerprint, toDB(seen)); err != nil {
				return err
			}
		}
		if len(f.Locations) > 0 {
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO locations (`+locationCols+`)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (fingerprint, repository, commit_sha, path, line, col, kind) DO NOTHING`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for _, l := range f.Locations {
				if _, err := stmt.ExecContext(ctx, f.Fingerprint, l.Source, l.Kind, l.Blob, l.Offset, l.Length, l.Encoding,
					l.Repository, l.Commit, l.Path, l.Line, l.Column,
					clip(l.AuthorName), clip(l.AuthorEmail), toDB(l.Date), clip(l.WebURL), l.Alert); err != nil {
					return err
				}
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
func (s *sqliteStore) Finding(ctx context.Context, fingerprint string) (Finding, error) {
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
func (s *sqliteStore) Findings(ctx context.Context, q Query) ([]Finding, error) {
	if err := validateQuery(q); err != nil {
		return nil, fmt.Errorf("list findings: %w", err)
	}
	var where []string
	var args []any
	if q.State != "" {
		where, args = append(where, "state = ?"), append(args, string(q.State))
	}
	if len(q.States) > 0 {
		where = append(where, "state IN ("+placeholders(len(q.States))+")")
		for _, st := range q.States {
			args = append(args, string(st))
		}
	}
	if q.Provider != "" {
		where, args = append(where, "provider = ?"), append(args, q.Provider)
	}
	query := `SELECT ` + findingCols + ` FROM findings`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY first_seen, fingerprint" + limitClause(q.Limit)
	out, err := s.queryFindings(ctx, query, args...)
	if err != nil {
		return nil, s.fail("list findings", err)
	}
	return out, nil
}

// Transition implements Store.
func (s *sqliteStore) Transition(ctx context.Context, fingerprint string, from []State, to State, upd Update) (Finding, error) {
	op := fmt.Sprintf("transition %s to %s", fpText(fingerprint), clip(string(to)))
	if err := validateTransition(from, to, upd); err != nil {
		return Finding{}, fmt.Errorf("%s: %w", op, err)
	}
	set := []string{"state = ?", "updated_at = ?"}
	args := []any{string(to), toDB(s.now())}
	cols, vals := updateColumns(upd)
	for _, c := range cols {
		set = append(set, c+" = ?")
	}
	args = append(args, vals...)
	if upd.NextAttempt != nil {
		set, args = append(set, "next_attempt = ?"), append(args, toDB(*upd.NextAttempt))
	}
	where := `fingerprint = ? AND state IN (` + placeholders(len(from)) + `)`
	args = append(args, fingerprint)
	for _, st := range from {
		args = append(args, string(st))
	}
	if upd.IfAttempts != nil {
		where, args = where+` AND attempts = ?`, append(args, *upd.IfAttempts)
	}
	var out Finding
	err := s.write(ctx, func(tx execer) error {
		res, err := tx.ExecContext(ctx, `UPDATE findings SET `+strings.Join(set, ", ")+` WHERE `+where, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var cur State
			var attempts int
			err := tx.QueryRowContext(ctx, `SELECT state, attempts FROM findings WHERE fingerprint = ?`, fingerprint).Scan(&cur, &attempts)
			if errNoRows(err) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			return transitionConflict(cur, attempts, from, upd)
		}
		out, err = s.readFinding(ctx, tx, fingerprint)
		return err
	})
	if err != nil {
		return Finding{}, s.fail(op, err)
	}
	return out, nil
}

// Due implements Store.
func (s *sqliteStore) Due(ctx context.Context, states []State, now time.Time, limit int) ([]Finding, error) {
	if len(states) == 0 {
		return nil, fmt.Errorf("due findings: no states given: %w", ErrInvalid)
	}
	args := make([]any, 0, len(states)+1)
	for _, st := range states {
		args = append(args, string(st))
	}
	args = append(args, toDB(now))
	out, err := s.queryFindings(ctx, `SELECT `+findingCols+` FROM findings WHERE state IN (`+placeholders(len(states))+
		`) AND next_attempt <= ? ORDER BY next_attempt, first_seen, fingerprint`+limitClause(limit), args...)
	if err != nil {
		return nil, s.fail("due findings", err)
	}
	return out, nil
}

// ---- audit log ----

// Audit implements Store.
func (s *sqliteStore) Audit(ctx context.Context, e AuditEvent) error {
	if e.Action == "" {
		return fmt.Errorf("audit: empty action: %w", ErrInvalid)
	}
	err := s.write(ctx, func(tx execer) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, fingerprint, provider, target, result, detail)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, toDB(s.clock(e.At)), clip(e.Actor), clip(e.Action), clip(e.Fingerprint),
			clip(e.Provider), clip(e.Target), clip(e.Result), clip(e.Detail))
		return err
	})
	return s.fail("audit "+e.Action, err)
}

// AuditLog implements Store.
func (s *sqliteStore) AuditLog(ctx context.Context, since time.Time, limit int) ([]AuditEvent, error) {
	query := `SELECT id, at, actor, action, fingerprint, provider, target, result, detail FROM audit_log`
	var args []any
	if !since.IsZero() {
		query, args = query+` WHERE at >= ?`, append(args, toDB(since))
	}
	q, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	out, err := readAudit(q.QueryContext(ctx, query+` ORDER BY at, id`+limitClause(limit), args...))
	if err != nil {
		return nil, s.fail("read audit log", err)
	}
	return out, nil
}

// readAudit reads every row of an audit_log query (id, at, actor, action, fingerprint,
// provider, target, result, detail) and closes it.
func readAudit(rows *sql.Rows, err error) ([]AuditEvent, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var e AuditEvent
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Fingerprint, &e.Provider, &e.Target, &e.Result, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromDB(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditOf implements Store.
func (s *sqliteStore) AuditOf(ctx context.Context, fingerprint string) ([]AuditEvent, error) {
	op := "read audit log of " + fpText(fingerprint)
	q, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out, err := readAudit(q.QueryContext(ctx, `SELECT id, at, actor, action, fingerprint, provider, target, result, detail
	FROM audit_log WHERE fingerprint = ? ORDER BY id`, fingerprint))
	if err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

// ---- outbox ----

const messageCols = `id, fingerprint, recipient, event, channel, payload, status, attempts, next_attempt,
	created_at, claimed_at, sent_at, failed_at, last_error`

func scanMessage(r rowScanner) (Message, error) {
	var m Message
	var next, created, claimed, sent, failed int64
	err := r.Scan(&m.ID, &m.Fingerprint, &m.Recipient, &m.Event, &m.Channel, &m.Payload, &m.Status, &m.Attempts,
		&next, &created, &claimed, &sent, &failed, &m.LastError)
	m.NextAttempt, m.CreatedAt, m.ClaimedAt = fromDB(next), fromDB(created), fromDB(claimed)
	m.SentAt, m.FailedAt = fromDB(sent), fromDB(failed)
	return m, err
}

func (s *sqliteStore) queryMessages(ctx context.Context, query string, args ...any) ([]Message, error) {
	q, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func readMessage(ctx context.Context, q querier, id int64) (Message, error) {
	m, err := scanMessage(q.QueryRowContext(ctx, `SELECT `+messageCols+` FROM outbox WHERE id = ?`, id))
	if errNoRows(err) {
		return Message{}, ErrNotFound
	}
	return m, err
}

// Enqueue implements Store.
func (s *sqliteStore) Enqueue(ctx context.Context, m Message) (Message, bool, error) {
	op := fmt.Sprintf("enqueue %s message to %s for %s", clip(m.Event), clip(m.Recipient), fpText(m.Fingerprint))
	if err := validateMessage(m); err != nil {
		return Message{}, false, fmt.Errorf("%s: %w", op, err)
	}
	created, next := enqueueTimes(m, s.now())
	var out Message
	var isNew bool
	err := s.write(ctx, func(tx execer) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM findings WHERE fingerprint = ?`, m.Fingerprint).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("finding not saved: %w", ErrNotFound)
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO outbox (fingerprint, recipient, event, channel, payload, status,
	attempts, next_attempt, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)
	ON CONFLICT (fingerprint, recipient, event) DO NOTHING RETURNING id`,
			m.Fingerprint, m.Recipient, m.Event, m.Channel, m.Payload, StatusPending, toDB(next), toDB(created)).Scan(&id)
		switch {
		case errNoRows(err): // the key exists: return that message
			err = tx.QueryRowContext(ctx, `SELECT id FROM outbox WHERE fingerprint = ? AND recipient = ? AND event = ?`,
				m.Fingerprint, m.Recipient, m.Event).Scan(&id)
		case err == nil:
			isNew = true
		}
		if err != nil {
			return err
		}
		out, err = readMessage(ctx, tx, id)
		return err
	})
	if err != nil {
		return Message{}, false, s.fail(op, err)
	}
	return out, isNew, nil
}

// DueMessages implements Store.
func (s *sqliteStore) DueMessages(ctx context.Context, now time.Time, limit int) ([]Message, error) {
	out, err := s.queryMessages(ctx, `SELECT `+messageCols+` FROM outbox WHERE status IN (?, ?) AND next_attempt <= ?
	ORDER BY next_attempt, id`+limitClause(limit), StatusPending, StatusSending, toDB(now))
	if err != nil {
		return nil, s.fail("due messages", err)
	}
	return out, nil
}

// ClaimMessage implements Store.
func (s *sqliteStore) ClaimMessage(ctx context.Context, id int64, now time.Time) (Message, error) {
	var out Message
	err := s.write(ctx, func(tx execer) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, attempts = attempts + 1, claimed_at = ?, next_attempt = ?
	WHERE id = ? AND status IN (?, ?) AND next_attempt <= ?`,
			StatusSending, toDB(now), toDB(now.Add(SendLease)), id, StatusPending, StatusSending, toDB(now))
		if err != nil {
			return err
		}
		if err := s.checkMessageCAS(ctx, tx, res, id, "claimable"); err != nil {
			return err
		}
		out, err = readMessage(ctx, tx, id)
		return err
	})
	if err != nil {
		return Message{}, s.fail(fmt.Sprintf("claim message %d", id), err)
	}
	return out, nil
}

// finishMessage moves a claimed (sending) message on; set lists the columns to write.
func (s *sqliteStore) finishMessage(ctx context.Context, op string, id int64, set string, args ...any) error {
	err := s.write(ctx, func(tx execer) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET `+set+` WHERE id = ? AND status = ?`,
			append(args, id, StatusSending)...)
		if err != nil {
			return err
		}
		return s.checkMessageCAS(ctx, tx, res, id, "claimed")
	})
	return s.fail(fmt.Sprintf("%s message %d", op, id), err)
}

// checkMessageCAS turns an UPDATE that matched no row into ErrNotFound or ErrConflict.
func (s *sqliteStore) checkMessageCAS(ctx context.Context, tx querier, res sql.Result, id int64, want string) error {
	n, err := res.RowsAffected()
	if err != nil || n == 1 {
		return err
	}
	m, err := readMessage(ctx, tx, id)
	if err != nil {
		return err
	}
	return messageConflict(m, want)
}

// MessageSent implements Store.
func (s *sqliteStore) MessageSent(ctx context.Context, id int64, at time.Time) error {
	return s.finishMessage(ctx, "finish", id, `status = ?, sent_at = ?, last_error = ''`, StatusSent, toDB(s.clock(at)))
}

// MessageRetry implements Store.
func (s *sqliteStore) MessageRetry(ctx context.Context, id int64, next time.Time, lastErr string) error {
	return s.finishMessage(ctx, "retry", id, `status = ?, next_attempt = ?, last_error = ?`, StatusPending, toDB(next), clip(lastErr))
}

// MessageFailed implements Store.
func (s *sqliteStore) MessageFailed(ctx context.Context, id int64, at time.Time, reason string) error {
	return s.finishMessage(ctx, "fail", id, `status = ?, failed_at = ?, last_error = ?`, StatusFailed, toDB(s.clock(at)), clip(reason))
}

// Messages implements Store.
func (s *sqliteStore) Messages(ctx context.Context, fingerprint string) ([]Message, error) {
	out, err := s.queryMessages(ctx, `SELECT `+messageCols+` FROM outbox WHERE fingerprint = ? ORDER BY id`, fingerprint)
	if err != nil {
		return nil, s.fail("messages for "+fpText(fingerprint), err)
	}
	return out, nil
}

// ---- incremental scans ----

// Cursor implements Store.
func (s *sqliteStore) Cursor(ctx context.Context, repository string) (Cursor, error) {
	op := "read cursor of " + clip(httpx.RedactURL(repository))
	q, err := s.reader()
	if err != nil {
		return Cursor{}, fmt.Errorf("%s: %w", op, err)
	}
	c, err := scanCursor(q.QueryRowContext(ctx, `SELECT repository, refs, scanned_at FROM cursors WHERE repository = ?`, repository))
	if errNoRows(err) {
		return Cursor{}, nil
	}
	if err != nil {
		return Cursor{}, s.fail(op, err)
	}
	return c, nil
}

// scanCursor reads one cursors row.
func scanCursor(r rowScanner) (Cursor, error) {
	var c Cursor
	var refs string
	var at int64
	if err := r.Scan(&c.Repository, &refs, &at); err != nil {
		return Cursor{}, err
	}
	c.ScannedAt = fromDB(at)
	if err := json.Unmarshal([]byte(refs), &c.Refs); err != nil {
		return Cursor{}, fmt.Errorf("refs of %s: %w", clip(httpx.RedactURL(c.Repository)), err)
	}
	if c.Refs == nil {
		c.Refs = map[string]string{}
	}
	return c, nil
}

// SaveCursor implements Store.
func (s *sqliteStore) SaveCursor(ctx context.Context, c Cursor) error {
	op := "save cursor of " + clip(httpx.RedactURL(c.Repository))
	if err := validateCursor(c); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	refs := c.Refs
	if refs == nil {
		refs = map[string]string{}
	}
	b, err := json.Marshal(refs) // keys sorted: the same refs give the same text
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	err = s.write(ctx, func(tx execer) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cursors (repository, refs, scanned_at) VALUES (?, ?, ?)
	ON CONFLICT (repository) DO UPDATE SET refs = excluded.refs, scanned_at = excluded.scanned_at`,
			c.Repository, string(b), toDB(s.clock(c.ScannedAt)))
		return err
	})
	return s.fail(op, err)
}

// Cursors implements Store.
func (s *sqliteStore) Cursors(ctx context.Context) ([]Cursor, error) {
	const op = "list cursors"
	q, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT repository, refs, scanned_at FROM cursors ORDER BY scanned_at, repository`)
	if err != nil {
		return nil, s.fail(op, err)
	}
	defer rows.Close()
	var out []Cursor
	for rows.Next() {
		c, err := scanCursor(rows)
		if err != nil {
			return nil, s.fail(op, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(op, err)
	}
	return out, nil
}

// MarkScanned implements Store.
func (s *sqliteStore) MarkScanned(ctx context.Context, repository string, blobs []string) error {
	op := fmt.Sprintf("mark %d blobs scanned in %s", len(blobs), clip(httpx.RedactURL(repository)))
	if err := validateBlobs(repository, blobs); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if len(blobs) == 0 {
		return nil
	}
	err := s.write(ctx, func(tx execer) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO scanned_blobs (repository, blob_sha) VALUES (?, ?)
	ON CONFLICT (repository, blob_sha) DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, b := range blobs {
			if _, err := stmt.ExecContext(ctx, repository, b); err != nil {
				return err
			}
		}
		return nil
	})
	return s.fail(op, err)
}

// Scanned implements Store.
func (s *sqliteStore) Scanned(ctx context.Context, repository string, blobs []string) (map[string]bool, error) {
	op := fmt.Sprintf("look up %d scanned blobs in %s", len(blobs), clip(httpx.RedactURL(repository)))
	if err := validateBlobs(repository, blobs); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	q, err := s.reader()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out := make(map[string]bool)
	for start := 0; start < len(blobs); start += maxVars {
		batch := blobs[start:min(start+maxVars, len(blobs))]
		args := make([]any, 0, len(batch)+1)
		args = append(args, repository)
		for _, b := range batch {
			args = append(args, b)
		}
		if err := scanStrings(ctx, q, func(b string) { out[b] = true }, `SELECT blob_sha FROM scanned_blobs
	WHERE repository = ? AND blob_sha IN (`+placeholders(len(batch))+`)`, args...); err != nil {
			return nil, s.fail(op, err)
		}
	}
	return out, nil
}

// scanStrings runs a query of one text column and hands each value to add.
func scanStrings(ctx context.Context, q querier, add func(string), query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		add(v)
	}
	return rows.Err()
}

// ---- webhooks ----

// RecordDelivery implements Store.
func (s *sqliteStore) RecordDelivery(ctx context.Context, source, id string, at time.Time) (bool, error) {
	op := fmt.Sprintf("record %s delivery %q", source, id)
	if err := validateDelivery(source, id); err != nil {
		return false, fmt.Errorf("record delivery: %w", err)
	}
	var isNew bool
	err := s.write(ctx, func(tx execer) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (source, id, at) VALUES (?, ?, ?)
	ON CONFLICT (source, id) DO NOTHING`, source, id, toDB(s.clock(at)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		isNew = n == 1
		return err
	})
	if err != nil {
		return false, s.fail(op, err)
	}
	return isNew, nil
}
