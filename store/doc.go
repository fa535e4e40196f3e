// Package store is the durable state of patrol's finding pipeline: the findings (by
// fingerprint, never by value), where each was seen, how far the pipeline got with it, the
// append-only audit log and the notification outbox. It is an SQLite file by default (pure-Go
// driver, no cgo), or a PostgreSQL database that several replicas share, behind one [Store]
// interface.
//
// What it does not do: decide. The pipeline (which alone joins scanner, revoke, notify and
// store) chooses the transitions, the retry schedule and the messages; the store makes each
// decision durable and happen once. It imports none of patrol's other packages and stores
// plain records; the pipeline converts.
//
// # Secrets
//
// No record has a field that can hold a raw secret. [Finding] is keyed by the keyed
// fingerprint (hex HMAC-SHA256, secret.Fingerprint) and shows the token only as the preview
// (secret.Preview). The store refuses a fingerprint that is not lower-case hex and a preview
// that does not end in "…", the two ways a raw value could slip in by mistake; message
// payloads are the rendered notification data. A test greps the database file and its WAL
// for a raw token that went through the whole API.
//
// # State machine
//
// A finding is created in lifecycle.StateDetected by [Store.SaveFinding], and only
// [Store.Transition] changes its state, as a compare-and-set: "move to live if it is still
// detected". The states and the edges between them are defined once, in package lifecycle
// (lifecycle.Can); the store does not hard-code them (retries move a finding to the state it
// is in). It guarantees that of several workers or restarts attempting the same move,
// exactly one succeeds and the others get [ErrConflict]. Unknown verifications and failed
// revocations carry Attempts and NextAttempt, and [Store.Due] is their retry queue;
// [Update.IfAttempts] adds Attempts to the compare, so that a claim left by a crashed
// worker is taken over by exactly one other.
//
// # Transactions
//
// Every method that writes is one transaction. [Store.InTx] joins several into one: a
// pipeline step claims a revocation and appends its audit row in one commit, a scan saves its
// findings, marks its blobs scanned and advances its cursor together. The Store handed to
// fn runs every method, reads included, on that transaction; each of its writes is a
// savepoint, so a lost compare-and-set inside a transaction leaves it usable, and InTx on it
// nests as a savepoint too. Transactions are serialized (SQLite has one writer; on
// PostgreSQL an advisory lock does it), so a read-modify-write inside InTx needs no further
// guard.
//
// # Idempotency guarantees
//
//   - SaveFinding is idempotent: one row per fingerprint, one per (fingerprint, repository,
//     commit, path, line, column, kind) location; saving again only moves LastSeen forward
//     (and keeps the span first recorded for a location).
//   - MarkScanned and RecordDelivery are idempotent; RecordDelivery says whether the delivery
//     is new, so a webhook redelivered by its sender is handled once.
//   - Transition is a compare-and-set in one transaction: a step recorded before a crash is
//     seen after it, and a step two workers race is taken by one.
//   - The outbox holds exactly one message per (fingerprint, recipient, event): [Store.Enqueue]
//     returns the existing one, whatever its status, so re-running a pipeline never queues a
//     second email.
//   - [Store.ClaimMessage] moves a due message to "sending" as a compare-and-set, so two
//     workers never both hold it; MessageSent, MessageRetry and MessageFailed finish only a
//     claimed message. A sent message is never due again.
//   - The one at-least-once window: a sender that crashes (or hangs) after delivering and
//     before MessageSent leaves the message "sending"; after [SendLease] (10 minutes)
//     DueMessages returns it and it is claimed and sent again. The window is the time between
//     the SMTP server (or webhook) accepting the message and the commit of MessageSent, a few
//     milliseconds unless the process dies in it; a hung sender also reopens it, so each
//     delivery must time out well within the lease. No outbox can close this window without
//     the receiver's help (an idempotency key), which email does not offer.
//   - The audit log is append-only: the API has no update or delete, and triggers make the
//     database RAISE on UPDATE or DELETE of audit_log. (Someone with write access to the file
//     can still drop the table; the guarantee is against mistakes, not an attacker holding
//     the file.)
//
// # Schema
//
// Versioned migrations are embedded (migrations/sqlite/NNNN_name.sql) and applied by [Open]
// before it returns, each in its own transaction with its row in schema_migrations
// (version, name, applied_at); PostgreSQL's by [Migrate] (see "PostgreSQL" below). Re-opening an up-to-date file applies nothing; a file
// migrated by a newer patrol is refused with [ErrSchemaTooNew]; an older file is upgraded in
// place. Tables (0001, then 0002 and 0003):
//
//	findings(fingerprint PK, detector_id, provider, confidence, redacted, state, verify,
//	         owner_id, owner_name, owner_email, org, revocation, revocation_reason,
//	         attempts, next_attempt, first_seen, last_seen, updated_at)
//	         index (state, next_attempt), (first_seen, fingerprint)
//	locations(id PK, fingerprint → findings, source, kind, blob_sha, byte_offset, byte_length,
//	          encoding, repository, commit_sha, path, line, col, author_name, author_email,
//	          commit_date, web_url, alert)
//	          unique (fingerprint, repository, commit_sha, path, line, col, kind)
//	audit_log(id PK, at, actor, action, fingerprint, provider, target, result, detail)
//	          index (at, id), (fingerprint, id); triggers audit_log_no_update, audit_log_no_delete
//	outbox(id PK, fingerprint → findings, recipient, event, channel, payload, status,
//	       attempts, next_attempt, created_at, claimed_at, sent_at, failed_at, last_error)
//	       unique (fingerprint, recipient, event); index (status, next_attempt)
//	cursors(repository PK, refs (JSON object: ref name → commit id), scanned_at)
//	scanned_blobs(repository, blob_sha; PK both)
//	webhook_deliveries(source, id, at; PK source + id)
//
// Locations hold where a token's bytes are (blob id, byte span, encoding), never the bytes:
// a step that needs the raw value reads it again from the repository. Blob and commit ids
// must be 40 or 64 lower-case hex digits, and a repository URL with credentials in it is
// refused, so that none of these fields can carry a token by mistake.
//
// In SQLite, times are stored as INTEGER nanoseconds since the Unix epoch, UTC, with 0 for the zero
// time (so a commit dated exactly 1970-01-01T00:00:00Z reads back as unknown). Integers
// because the queue queries compare and sort times, and RFC 3339 text does not sort
// (time.RFC3339Nano trims trailing zeros, so "…:05Z" sorts after "…:05.5Z"); they are also
// exact to Go's nanosecond and compact. Times beyond 1678–2262 are
// clamped. In the sqlite3 shell, datetime(at / 1e9, 'unixepoch') shows them.
//
// # SQLite
//
// The file and its directories are created with modes 0600 and 0700. Every connection runs
// with journal_mode=WAL (readers never wait for the writer; Open fails if the file system
// cannot do WAL), synchronous=FULL (a power cut must not forget a revocation or a sent
// email), foreign_keys=on and busy_timeout ([Config.BusyTimeout], default 5s). Writes begin
// IMMEDIATE, taking the write lock before reading, and are serialized inside the process
// too, so several goroutines and several processes can share one file. A damaged file, a
// lock held past the timeout and an unwritable file or directory give [ErrCorrupt],
// [ErrLocked] and [ErrUnwritable], with the file's path in the text.
//
// The times a record leaves zero (FirstSeen, CreatedAt, At) and UpdatedAt come from
// [Config.Now]; a pipeline with an injected clock should pass the same clock here.
//
// # PostgreSQL
//
// Config.Driver "postgres" (aliases "postgresql", "pgx") is the same [Store] on a shared
// PostgreSQL database through a pgx v5 pool, for several replicas of `patrol serve`. Package
// [github.com/patrolsec/patrol/store/storetest] is the conformance suite both drivers pass.
// What differs from SQLite:
//
//   - Schema: migrations/postgres/*.sql, numbered on their own (0001 is SQLite's 0001 and
//     0002 together, 0002 its 0003), with types an operator can read in psql: timestamptz (NULL for an unset
//     time, microsecond precision; a NULL next_attempt is due now), bigint identity ids,
//     jsonb refs of a cursor, json payloads (kept byte for byte). A trigger function raises
//     on UPDATE, DELETE and TRUNCATE of audit_log.
//   - Migrations: [Open] migrates nothing; it refuses a database older than this patrol with
//     [ErrSchemaTooOld] (its text says to run `patrol migrate`) and a newer one with
//     [ErrSchemaTooNew]. [Migrate] applies them, once per deploy, on one connection holding
//     a session advisory lock (pg_advisory_lock(0x706174726f6c6d67), "patrolmg"), so that
//     replicas racing it wait for each other; it runs the job queue's migrations under the
//     same lock. (A transaction-level lock would not do: River's migrations commit on their
//     own.)
//   - Compare-and-set: one UPDATE … WHERE fingerprint = $1 AND state = ANY($2) [AND attempts
//     = $n] RETURNING …, under READ COMMITTED: a concurrent updater of the row waits for the
//     first to commit and re-checks the WHERE clause against the new row, so one wins.
//     ClaimMessage is the same. SaveFinding, Enqueue, MarkScanned and RecordDelivery use
//     ON CONFLICT … DO NOTHING.
//   - Transactions: InTx holds the transaction-level advisory lock 0x706174726f6c7478
//     ("patroltx") exclusively, and each write outside InTx holds it shared, which keeps the
//     guarantee above (transactions serialized, across every replica) while single writes
//     run concurrently; reads take no lock. Nested InTx and each write inside a transaction
//     are savepoints (pgx's Begin on a Tx).
//   - Errors name the database as postgres://user@host:port/database, never with its
//     password, and add [ErrUnavailable] (cannot connect, connection lost, server starting
//     or shutting down, out of connections: retry later; readiness reports it) and
//     [ErrNoDatabase] for a database that does not exist. A DSN that does not parse is
//     [ErrInvalid], and its text is not repeated (it may hold the password).
//   - Text columns cannot hold NUL bytes or invalid UTF-8: in the free-text fields (paths,
//     author names, audit details) such bytes are replaced by U+FFFD rather than make a
//     save fail.
//
// [PgxPool], [PgxTx] and [SQLTx] hand the job queue (River) the database handle under a
// Store, so that a job's completion commits in the store's transaction; nothing else should
// use them.
package store
