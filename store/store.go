package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
)

// Drivers accepted in Config.Driver.
const (
	// DriverSQLite is a single SQLite file, the default (pure Go, no cgo).
	DriverSQLite = "sqlite"
	// DriverPostgres is a PostgreSQL database shared by several replicas ("postgresql" and
	// "pgx" are accepted as aliases).
	DriverPostgres = "postgres"
)

// DefaultBusyTimeout is how long an SQLite connection waits for another process's lock
// before giving up with ErrLocked, when Config.BusyTimeout is zero.
const DefaultBusyTimeout = 5 * time.Second

// SendLease is how long a claimed message stays claimed. A message still "sending" that
// long after ClaimMessage (its sender crashed or hung) is due again and another worker may
// claim it: this is the one window in which a message can be delivered twice. Senders must
// bound each delivery by a timeout well under the lease.
const SendLease = 10 * time.Minute

// Config selects and locates the store. The zero Config is an SQLite file at DefaultPath.
type Config struct {
	// Driver is "sqlite" (the default when empty) or "postgres" (aliases "postgresql",
	// "pgx").
	Driver string `yaml:"driver"`
	// DSN is, for SQLite, the path of the database file (created with its directories when
	// missing); empty means DefaultPath. It is a plain path, not a URI: the store adds its
	// own connection parameters. ":memory:" is refused, the store must survive restarts.
	//
	// For PostgreSQL it is required: a URL (postgres://user:password@host:5432/patrol?sslmode=verify-full)
	// or key=value pairs ("host=db user=patrol dbname=patrol"), as pgx parses them, pgxpool's
	// pool_max_conns and friends included. The database must exist and be migrated (Migrate).
	// Error texts name it without the password.
	DSN string `yaml:"dsn"`
	// BusyTimeout is how long an SQLite connection waits for a lock held by another process
	// (SQLite's busy_timeout); zero means DefaultBusyTimeout. PostgreSQL ignores it.
	BusyTimeout time.Duration `yaml:"busy_timeout"`
	// MustExist makes Open fail with ErrNoDatabase, creating nothing, when the database file
	// does not exist: for the commands that only read the store (patrol findings, patrol
	// audit), where a mistyped path must not become a new, empty store. Not read from YAML.
	MustExist bool `yaml:"-"`
	// Now is the clock for the times the store fills in itself (UpdatedAt, and FirstSeen,
	// LastSeen, CreatedAt or At when a record leaves them zero); nil means time.Now. Tests
	// inject a fixed clock. Not read from YAML.
	Now func() time.Time `yaml:"-"`
}

// DefaultPath returns where the store lives when Config.DSN is empty:
// $XDG_DATA_HOME/patrol/patrol.db when XDG_DATA_HOME is set to an absolute path, otherwise
// ~/.local/share/patrol/patrol.db on Linux and the BSDs, and os.UserConfigDir()/patrol/patrol.db
// on macOS, Windows and Plan 9, where data and configuration share one directory. The
// fingerprint key (secret.DefaultKeyPath) lives under the config directory instead: the key
// and the data it protects are best kept apart.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "patrol", "patrol.db"), nil
	}
	switch runtime.GOOS {
	case "darwin", "ios", "windows", "plan9":
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("locate store: %w", err)
		}
		return filepath.Join(dir, "patrol", "patrol.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("locate store: %w", err)
	}
	return filepath.Join(home, ".local", "share", "patrol", "patrol.db"), nil
}

// Open opens the store cfg names.
//
// SQLite: it creates the file if needed (unless cfg.MustExist) and brings its schema up to
// date before returning (each pending migration in its own transaction, recorded in
// schema_migrations).
//
// PostgreSQL: it connects and checks the schema version, migrating nothing: a database
// older than this patrol gives ErrSchemaTooOld (run `patrol migrate`, that is Migrate), a
// newer one ErrSchemaTooNew. Replicas starting together must not race to change the schema.
//
// Errors name the database (the file, or the DSN without its password) and match
// ErrCorrupt, ErrLocked, ErrUnwritable, ErrUnavailable, ErrSchemaTooNew, ErrSchemaTooOld,
// ErrNoDatabase, ErrInvalid (a DSN that does not parse) or ErrUnsupportedDriver under
// errors.Is when one applies.
// The Store is safe for concurrent use, also by several processes sharing the database.
func Open(ctx context.Context, cfg Config) (Store, error) {
	driver, ms, err := driverMigrations(cfg)
	if err != nil {
		return nil, err
	}
	if driver == DriverPostgres {
		s, err := openPostgres(ctx, cfg, ms)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return s, nil
	}
	s, err := openSQLite(ctx, cfg, ms)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Migrate brings the schema of the database cfg names up to date and returns how many of
// patrol's migrations it applied; also are further migrations run after patrol's, under the
// same lock (the job queue's, which share the database).
//
// PostgreSQL: on one connection, it takes a session advisory lock (pg_advisory_lock, a fixed
// key of patrol's), waiting for a migrator that holds it, applies the pending migrations
// each in its own transaction with its schema_migrations row, runs each of also in order,
// and unlocks, on every path. Several replicas running it at once are safe: one applies, the
// others wait and find nothing to do. A database migrated by a newer patrol gives
// ErrSchemaTooNew and is left alone.
//
// SQLite: it opens the store (which migrates, as Open always does there), closes it and runs
// also.
//
// Errors match the sentinels Open documents.
func Migrate(ctx context.Context, cfg Config, also ...func(ctx context.Context) error) (applied int, err error) {
	driver, ms, err := driverMigrations(cfg)
	if err != nil {
		return 0, err
	}
	if driver == DriverPostgres {
		return migratePostgres(ctx, cfg, ms, also)
	}
	s, err := openSQLite(ctx, cfg, ms)
	if err != nil {
		return 0, err
	}
	applied = s.applied
	if err := s.Close(); err != nil {
		return applied, err
	}
	for i, fn := range also {
		if err := fn(ctx); err != nil {
			return applied, fmt.Errorf("migrate store: %s: migration step %d of %d: %w", s.path, i+1, len(also), err)
		}
	}
	return applied, nil
}

// driverMigrations returns the canonical name of cfg's driver and its migrations.
func driverMigrations(cfg Config) (string, []migration, error) {
	var driver, dir string
	switch strings.ToLower(strings.TrimSpace(cfg.Driver)) {
	case "", DriverSQLite:
		driver, dir = DriverSQLite, "migrations/sqlite"
	case DriverPostgres, "postgresql", "pgx":
		driver, dir = DriverPostgres, "migrations/postgres"
	default:
		return "", nil, fmt.Errorf("store driver %q (want %q or %q): %w", cfg.Driver, DriverSQLite, DriverPostgres, ErrUnsupportedDriver)
	}
	ms, err := loadMigrations(migrationFiles, dir)
	if err != nil {
		return "", nil, err
	}
	return driver, ms, nil
}

// State is where a finding is in the pipeline: the words and the transitions between them are
// defined once, in package lifecycle. The store only makes each transition a compare-and-set.
type State = lifecycle.State

// Statuses of a Message.
const (
	// StatusPending: queued, to be sent at NextAttempt.
	StatusPending = "pending"
	// StatusSending: claimed by a worker until NextAttempt (ClaimedAt + SendLease).
	StatusSending = "sending"
	// StatusSent: delivered; never sent again.
	StatusSent = "sent"
	// StatusFailed: given up for good, with the reason in LastError.
	StatusFailed = "failed"
)

// Finding is one leaked secret as the store keeps it, by fingerprint. It has no field that
// can hold the raw secret: Fingerprint is the keyed hash (hex) and Redacted the preview
// (secret.Preview, ending in "…"); the store refuses values that are neither.
type Finding struct {
	// Fingerprint is hex(HMAC-SHA256(key, detector id + secret)), the primary key.
	Fingerprint string
	// DetectorID is the rule that found it ("github-classic-pat").
	DetectorID string
	// Provider is the issuer ("github"), whose API verifies and revokes it.
	Provider string
	// Confidence is the detector's confidence ("checksum", "pattern").
	Confidence string
	// Redacted is the public preview, e.g. "ghp_abcd…".
	Redacted string
	// State is where the finding is in the pipeline; SaveFinding always creates
	// StateDetected and only Transition changes it.
	State State
	// Verify is the last verification: "" (never asked) or a lifecycle.Verdict.
	Verify lifecycle.Verdict
	// OwnerID, OwnerName, OwnerEmail and Org say whose token it is, as the provider answered.
	OwnerID    string
	OwnerName  string
	OwnerEmail string
	Org        string
	// Revocation is what was done: "" or a lifecycle.Outcome; RevocationReason says why.
	Revocation       lifecycle.Outcome
	RevocationReason string
	// Attempts counts retries of the current step (unknown verifications, failed
	// revocations); NextAttempt is when Due returns the finding again. The zero time means
	// now.
	Attempts    int
	NextAttempt time.Time
	// FirstSeen is when patrol first saved the finding, LastSeen the latest save, UpdatedAt
	// the latest Transition (or the first save).
	FirstSeen time.Time
	LastSeen  time.Time
	UpdatedAt time.Time
	// Locations are the places the secret was seen, in the order they were first recorded.
	Locations []Location
}

// Location is one place a secret was seen. A finding records each location once, keyed by
// (Repository, Commit, Path, Line, Column, Kind).
//
// Blob, Offset and Length say where the token's bytes are, so that a later step can read the
// raw value again from the repository or the clone cache (the store never holds it): Blob is
// the git blob id (empty outside git; for a commit or tag message, Commit names the object),
// Offset and Length the byte span of the match in that content (for a token found inside
// base64 or URL-encoded text, the span of the encoded text, and Encoding says which).
type Location struct {
	// Source is the kind of source ("git", "dir", "stdin").
	Source string
	// Kind is "" for file content, "commit-message" or "tag-message" for a message.
	Kind string
	// Blob is the git blob id of the content; Offset and Length the match's byte span in it.
	Blob   string
	Offset int64
	Length int
	// Encoding is "", "base64" or "url": how the token was wrapped at that span.
	Encoding string
	// Repository is the repository path or URL.
	Repository string
	// Commit is the commit that introduced the secret at Path (git only).
	Commit string
	// Path is slash-separated, relative to the scanned root.
	Path string
	// Line and Column are 1-based.
	Line   int
	Column int
	// AuthorName, AuthorEmail and Date describe the commit (git only).
	AuthorName  string
	AuthorEmail string
	Date        time.Time
	// WebURL links to the commit or file when the host is known.
	WebURL string
	// Alert is the number of the code host's secret-scanning alert a location of kind
	// KindSecretScanningAlert stands for (GitHub's alert number in Repository); 0 for every
	// other kind. The token is fetched again from that alert, never stored.
	Alert int64
}

// KindSecretScanningAlert is the Location.Kind of a finding that came from a code host's
// secret-scanning alert rather than from patrol's own scan: Repository and Alert name the
// alert; Commit, Path and Line are where the host saw the token first.
const KindSecretScanningAlert = "secret-scanning-alert"

// Cursor is where the incremental scan of one repository stands: the tip of every ref (branch
// and tag) after its last scan.
type Cursor struct {
	// Repository is the repository's key (its URL, or its path for a local target).
	Repository string
	// Refs maps a full ref name ("refs/heads/main") to its commit id.
	Refs map[string]string
	// ScannedAt is when the scan that set Refs finished.
	ScannedAt time.Time
}

// Query selects findings for Findings. The zero Query selects them all; each field set
// narrows the selection (a finding must pass all of them).
type Query struct {
	// State, when set, keeps the findings in that state.
	State State
	// States, when not empty, keeps the findings in any of these states (with State also
	// set, a finding must be in State and State among States).
	States []State
	// Provider, when set, keeps the findings of that provider.
	Provider string
	// Limit caps the number returned; zero or less means no limit.
	Limit int
}

// Update lists the fields Transition sets along with the state. A nil field is kept as
// stored; a non-nil one is written, empty values included. IfAttempts is no field to set but
// a second guard of the compare-and-set.
type Update struct {
	// IfAttempts, when set, makes the transition happen only if the stored Attempts equals
	// *IfAttempts (as well as the state being one of from); otherwise Transition returns
	// ErrConflict and changes nothing. With Attempts set to *IfAttempts+1 in the same Update,
	// this is a lease a worker can take over exactly once: of several workers that read a
	// stale claim (say a finding left in "revoking" by a crash) with Attempts n and each
	// transition it with IfAttempts n, Attempts n+1, one wins and the others conflict,
	// although from and to are the same state for all of them.
	IfAttempts *int
	// Verify, the owner fields, Revocation and RevocationReason set the Finding fields of the
	// same name; Verify and Revocation take the values documented there.
	Verify           *lifecycle.Verdict
	OwnerID          *string
	OwnerName        *string
	OwnerEmail       *string
	Org              *string
	Revocation       *lifecycle.Outcome
	RevocationReason *string
	// Attempts and NextAttempt set the retry schedule (Due).
	Attempts    *int
	NextAttempt *time.Time
}

// AuditEvent is one entry of the append-only audit log. It names the secret by fingerprint;
// nothing in it is meant to hold a token.
type AuditEvent struct {
	// ID is assigned by Audit, increasing in the order of appends.
	ID int64
	// At is when it happened; zero means the store's clock.
	At time.Time
	// Actor is who acted: "patrol scan", "patrol serve", or a user.
	Actor string
	// Action is what was done: verify, revoke_attempt, revoke, confirm, notify, …
	Action string
	// Fingerprint and Provider name the secret, when the action is about one.
	Fingerprint string
	Provider    string
	// Target is the repository or recipient acted on.
	Target string
	// Result is the outcome ("live", "revoked", "sent", "failed", …), Detail the why.
	Result string
	Detail string
}

// Message is one notification in the outbox: at most one exists per (Fingerprint,
// Recipient, Event), however often it is enqueued.
type Message struct {
	// ID is assigned by Enqueue.
	ID int64
	// Fingerprint is the finding the message is about; it must be saved first.
	Fingerprint string
	// Recipient is an email address or a webhook name; the key compares it byte for byte,
	// so callers should normalize it (lower-case addresses) before enqueuing.
	Recipient string
	// Event is what happened ("revoked", "revoke_failed", …).
	Event string
	// Channel is how it is sent: "email" or "webhook".
	Channel string
	// Payload is the rendered data as JSON; never the raw secret.
	Payload []byte
	// Status is StatusPending, StatusSending, StatusSent or StatusFailed.
	Status string
	// Attempts counts claims, the current one included.
	Attempts int
	// NextAttempt is when the message is due: the retry time when pending, the end of the
	// lease when sending. Zero at Enqueue means now.
	NextAttempt time.Time
	// CreatedAt is when it was enqueued; ClaimedAt the latest claim; SentAt and FailedAt
	// when it was finished.
	CreatedAt time.Time
	ClaimedAt time.Time
	SentAt    time.Time
	FailedAt  time.Time
	// LastError is the latest delivery error, or why it failed for good.
	LastError string
}

// Store is the durable state of the finding pipeline. Implementations are safe for
// concurrent use by goroutines and by processes sharing the database; every method that
// changes state does so in one transaction.
type Store interface {
	// SaveFinding inserts f in StateDetected if its fingerprint is new, or else moves
	// LastSeen forward; either way it adds each of f.Locations not yet recorded. Only the
	// identity fields (Fingerprint, DetectorID, Provider, Confidence, Redacted), FirstSeen,
	// LastSeen and Locations are read from f: the pipeline fields change through Transition.
	// It returns the stored finding, with its current State and all its locations, and
	// whether it was new.
	SaveFinding(ctx context.Context, f Finding) (Finding, bool, error)
	// Finding returns the finding with that fingerprint, or ErrNotFound.
	Finding(ctx context.Context, fingerprint string) (Finding, error)
	// Findings returns the findings q selects, oldest FirstSeen first.
	Findings(ctx context.Context, q Query) ([]Finding, error)
	// Transition moves a finding to state to, applying upd, only if its current state is one
	// of from and, when upd.IfAttempts is set, its Attempts equals *upd.IfAttempts
	// (compare-and-set in one transaction); otherwise it returns ErrConflict and changes
	// nothing. to may equal the current state, to update fields (a retry's
	// Attempts and NextAttempt) under the same guard. It sets UpdatedAt and returns the
	// stored finding. Of several workers racing the same transition exactly one wins,
	// which is what makes each step happen once across restarts and replicas.
	Transition(ctx context.Context, fingerprint string, from []State, to State, upd Update) (Finding, error)
	// Due returns up to limit findings (all when limit <= 0) whose state is one of states and
	// whose NextAttempt is not after now, earliest NextAttempt first: the retry queue.
	Due(ctx context.Context, states []State, now time.Time, limit int) ([]Finding, error)
	// Audit appends e to the audit log. The log is append-only: no method changes or
	// removes an entry, and the database refuses UPDATE and DELETE on it.
	Audit(ctx context.Context, e AuditEvent) error
	// AuditLog returns up to limit entries (all when limit <= 0) at or after since, oldest
	// first.
	AuditLog(ctx context.Context, since time.Time, limit int) ([]AuditEvent, error)
	// AuditOf returns the entries about one finding (by fingerprint), in the order they were
	// appended; none for an unknown fingerprint. It reads an index, not the whole log.
	AuditOf(ctx context.Context, fingerprint string) ([]AuditEvent, error)
	// Enqueue adds m to the outbox as pending unless a message with the same (Fingerprint,
	// Recipient, Event) exists, whatever its status; it returns the stored message and
	// whether it was created. Enqueuing again is therefore always safe.
	Enqueue(ctx context.Context, m Message) (Message, bool, error)
	// DueMessages returns up to limit messages (all when limit <= 0) that are pending with
	// NextAttempt not after now, or were claimed more than SendLease ago and never
	// finished; earliest first.
	DueMessages(ctx context.Context, now time.Time, limit int) ([]Message, error)
	// ClaimMessage marks a due message as sending for SendLease and counts the attempt, or
	// returns ErrConflict when it is not due (another worker claimed it, it was sent or
	// failed, or its retry time is later). Of two workers claiming one message, one wins.
	ClaimMessage(ctx context.Context, id int64, now time.Time) (Message, error)
	// MessageSent finishes a claimed message as sent at at (the zero time: the store's
	// clock); it is never due again.
	MessageSent(ctx context.Context, id int64, at time.Time) error
	// MessageRetry returns a claimed message to pending, due at next (the zero time: at
	// once), with the error seen.
	MessageRetry(ctx context.Context, id int64, next time.Time, lastErr string) error
	// MessageFailed finishes a claimed message as failed for good at at, with the reason.
	MessageFailed(ctx context.Context, id int64, at time.Time, reason string) error
	// Messages returns the messages about a finding, in the order they were enqueued.
	Messages(ctx context.Context, fingerprint string) ([]Message, error)

	// InTx runs fn in one transaction: every call fn makes on tx commits together when fn
	// returns nil, and none does when it returns an error (which InTx returns unchanged, so
	// errors.Is and errors.As see it) or panics (the panic goes on up after the rollback).
	// This is how a step claims a revocation and writes its audit row in one commit, and how
	// a scan records its findings and advances its cursor together.
	//
	// Every method of tx runs on the transaction, reads included: fn reads its own writes.
	// Each write method of tx is atomic on its own too: one that fails (ErrConflict,
	// ErrInvalid) changed nothing, and fn may go on. InTx on tx runs its fn in the same
	// transaction as a nested unit: when that fn fails, its writes are undone and the error
	// returned; they commit with the outer transaction otherwise. Transactions are
	// serialized: fn must make its calls on tx, never on the Store InTx was called on (a
	// write there waits for this transaction to end). tx must not be used from other
	// goroutines nor after fn returns (its methods then return ErrTxDone); Close on tx is an
	// error.
	InTx(ctx context.Context, fn func(tx Store) error) error

	// Cursor returns the stored cursor of a repository, or a zero Cursor (nil Refs) when it
	// was never scanned.
	Cursor(ctx context.Context, repository string) (Cursor, error)
	// SaveCursor replaces the cursor of c.Repository.
	SaveCursor(ctx context.Context, c Cursor) error
	// Cursors returns every stored cursor, oldest ScannedAt first.
	Cursors(ctx context.Context) ([]Cursor, error)
	// MarkScanned records blob ids as scanned in a repository (idempotent).
	MarkScanned(ctx context.Context, repository string, blobs []string) error
	// Scanned returns the subset of blobs already recorded as scanned in a repository.
	Scanned(ctx context.Context, repository string, blobs []string) (map[string]bool, error)
	// RecordDelivery records a webhook delivery id of a source ("github", "gitlab",
	// "azuredevops") and reports whether it is new; a redelivery returns false.
	RecordDelivery(ctx context.Context, source, id string, at time.Time) (bool, error)
	// Close releases the database. Calls after Close fail.
	Close() error
}
