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
	// ErrUnsupportedDriver: Config.Driver names a database this build cannot open
	// (PostgreSQL is not built in yet). Returned by Open.
	ErrUnsupportedDriver = errors.New("unsupported store driver")
	// ErrCorrupt: the file is not an SQLite database or is damaged (SQLITE_NOTADB,
	// SQLITE_CORRUPT). Returned by Open, and by any method that meets the damage later; the
	// text names the file.
	ErrCorrupt = errors.New("not a patrol database or corrupt")
	// ErrLocked: another process or connection held the database lock for longer than the
	// busy timeout (SQLITE_BUSY, SQLITE_LOCKED). Returned by Open and by writes; the text
	// names the file. Retrying later is safe.
	ErrLocked = errors.New("database is locked")
	// ErrUnwritable: the database file or its directory cannot be created or written
	// (permissions, a read-only file system, a path through a regular file, a full disk).
	// Returned by Open and by writes; the text names the file.
	ErrUnwritable = errors.New("database is not writable")
	// ErrSchemaTooNew: the database was migrated by a newer patrol than this one (its
	// schema_migrations holds a version this build does not know). Returned by Open; nothing
	// is changed. Upgrade patrol rather than let an old binary write a newer schema.
	ErrSchemaTooNew = errors.New("database schema is newer than this patrol")
	// ErrNoDatabase: Config.MustExist is set and there is no database file at the path.
	// Returned by Open; nothing is created. The text names the path.
	ErrNoDatabase = errors.New("no store at this path")
	// ErrTxDone: the Store handed to an InTx func was used after that func returned (its
	// transaction is committed or rolled back). Returned by every method of that Store.
	ErrTxDone = errors.New("transaction already finished")
)
