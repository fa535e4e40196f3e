package store

import "errors"

// Sentinels matched with errors.Is. Every error the store returns wraps at most one of them,
// with the operation and its subject (a fingerprint, a message id, the database file) in the
// text.
var (
	// ErrNotFound: no finding has that fingerprint, or no message that id. Returned by
	// Finding, Transition, Enqueue (for a finding not yet saved), ClaimMessage, MessageSent,
	// MessageRetry and MessageFailed.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a compare-and-set lost. The finding's state was not one of the states
	// Transition was given, or the message was not in a status that ClaimMessage,
	// MessageSent, MessageRetry or MessageFailed accept (claimed by another worker, already
	// sent, not yet due). The caller should re-read and not repeat the step: someone else did
	// it or is doing it.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: an argument the store refuses to record (a fingerprint that is not hex, a
	// redacted preview that could be a raw secret, an unknown verification or revocation
	// value, a payload that is not JSON, an empty state list). Returned by every method that
	// takes a record; nothing is written.
	ErrInvalid = errors.New("invalid argument")
	// ErrUnsupportedDriver: Config.Driver names a database this build cannot open (neither
	// sqlite nor postgres). Returned by Open and Migrate.
	ErrUnsupportedDriver = errors.New("unsupported store driver")
	// ErrCorrupt: the file is not an SQLite database or is damaged (SQLITE_NOTADB,
	// SQLITE_CORRUPT; PostgreSQL's data_corrupted, index_corrupted). Returned by Open, and by
	// any method that meets the damage later; the text names the database.
	ErrCorrupt = errors.New("not a patrol database or corrupt")
	// ErrLocked: another process or connection held the database lock for longer than the
	// busy timeout (SQLITE_BUSY, SQLITE_LOCKED), or PostgreSQL gave up on a lock
	// (deadlock_detected, serialization_failure, lock_not_available). Returned by Open and by
	// writes; the text names the database. Retrying later is safe.
	ErrLocked = errors.New("database is locked")
	// ErrUnwritable: the database file or its directory cannot be created or written
	// (permissions, a read-only file system, a path through a regular file, a full disk), or
	// PostgreSQL refuses writes (a read-only standby, a full disk, missing privileges).
	// Returned by Open and by writes; the text names the database.
	ErrUnwritable = errors.New("database is not writable")
	// ErrSchemaTooNew: the database was migrated by a newer patrol than this one (its
	// schema_migrations holds a version this build does not know). Returned by Open and
	// Migrate; nothing is changed. Upgrade patrol rather than let an old binary write a newer
	// schema.
	ErrSchemaTooNew = errors.New("database schema is newer than this patrol")
	// ErrSchemaTooOld: a PostgreSQL database lacks migrations this patrol needs (or was never
	// migrated). Returned by Open, which migrates nothing on PostgreSQL: the text says to
	// run `patrol migrate`, once per deploy, before the replicas start. (Open migrates an
	// SQLite file itself.)
	ErrSchemaTooOld = errors.New("database schema is older than this patrol")
	// ErrUnavailable: the PostgreSQL server cannot be reached, the connection was lost, or
	// the server is starting up, shutting down or out of connections. Returned by Open,
	// Migrate and any method; the text names the database (never its password). Retrying
	// later is safe; readiness checks report it.
	ErrUnavailable = errors.New("database is unavailable")
	// ErrNoDatabase: Config.MustExist is set and there is no database file at the path, or
	// the PostgreSQL database the DSN names does not exist (patrol never creates one).
	// Returned by Open; nothing is created. The text names the database.
	ErrNoDatabase = errors.New("no store at this path")
	// ErrTxDone: the Store handed to an InTx func was used after that func returned (its
	// transaction is committed or rolled back). Returned by every method of that Store.
	ErrTxDone = errors.New("transaction already finished")
)
