-- 0001: findings, their locations, the append-only audit log and the notification outbox.
--
-- Times are INTEGER nanoseconds since the Unix epoch (UTC); 0 means unset. Fixed-width
-- integers compare and sort in time order, which RFC 3339 text with trimmed fractions does
-- not; a PostgreSQL schema uses BIGINT for the same columns.
-- No column holds a raw secret: findings are keyed by the keyed fingerprint.

CREATE TABLE findings (
    fingerprint       TEXT    NOT NULL PRIMARY KEY,
    detector_id       TEXT    NOT NULL,
    provider          TEXT    NOT NULL DEFAULT '',
    confidence        TEXT    NOT NULL DEFAULT '',
    redacted          TEXT    NOT NULL DEFAULT '',
    state             TEXT    NOT NULL,
    verify            TEXT    NOT NULL DEFAULT '',
    owner_id          TEXT    NOT NULL DEFAULT '',
    owner_name        TEXT    NOT NULL DEFAULT '',
    owner_email       TEXT    NOT NULL DEFAULT '',
    org               TEXT    NOT NULL DEFAULT '',
    revocation        TEXT    NOT NULL DEFAULT '',
    revocation_reason TEXT    NOT NULL DEFAULT '',
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt      BIGINT  NOT NULL DEFAULT 0,
    first_seen        BIGINT  NOT NULL,
    last_seen         BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);

-- Due: state IN (...) AND next_attempt <= now.
CREATE INDEX findings_due ON findings (state, next_attempt);
-- Findings: ORDER BY first_seen.
CREATE INDEX findings_first_seen ON findings (first_seen, fingerprint);

CREATE TABLE locations (
    id           INTEGER NOT NULL PRIMARY KEY,
    fingerprint  TEXT    NOT NULL REFERENCES findings (fingerprint) ON DELETE CASCADE,
    source       TEXT    NOT NULL DEFAULT '',
    repository   TEXT    NOT NULL DEFAULT '',
    commit_sha   TEXT    NOT NULL DEFAULT '',
    path         TEXT    NOT NULL DEFAULT '',
    line         INTEGER NOT NULL DEFAULT 0,
    col          INTEGER NOT NULL DEFAULT 0,
    author_name  TEXT    NOT NULL DEFAULT '',
    author_email TEXT    NOT NULL DEFAULT '',
    commit_date  BIGINT  NOT NULL DEFAULT 0,
    web_url      TEXT    NOT NULL DEFAULT '',
    -- One row per place; the index also serves lookups by fingerprint.
    UNIQUE (fingerprint, repository, commit_sha, path, line, col)
);

CREATE TABLE audit_log (
    id          INTEGER NOT NULL PRIMARY KEY,
    at          BIGINT  NOT NULL,
    actor       TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL DEFAULT '',
    provider    TEXT    NOT NULL DEFAULT '',
    target      TEXT    NOT NULL DEFAULT '',
    result      TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_at ON audit_log (at, id);

-- Append-only: the API has no update or delete, and the database refuses both.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE outbox (
    id           INTEGER NOT NULL PRIMARY KEY,
    fingerprint  TEXT    NOT NULL REFERENCES findings (fingerprint) ON DELETE CASCADE,
    recipient    TEXT    NOT NULL,
    event        TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    payload      BLOB    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    -- pending: when to retry; sending: when the claim's lease ends.
    next_attempt BIGINT  NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL,
    claimed_at   BIGINT  NOT NULL DEFAULT 0,
    sent_at      BIGINT  NOT NULL DEFAULT 0,
    failed_at    BIGINT  NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    -- Exactly one message per finding, recipient and event.
    UNIQUE (fingerprint, recipient, event)
);

-- DueMessages: status IN ('pending', 'sending') AND next_attempt <= now.
CREATE INDEX outbox_due ON outbox (status, next_attempt);
