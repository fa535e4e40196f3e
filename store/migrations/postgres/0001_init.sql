-- 0001: patrol's PostgreSQL schema, equal to SQLite's 0001 + 0002: findings, their locations,
-- the append-only audit log, the notification outbox, scan cursors, scanned blobs and webhook
-- deliveries. PostgreSQL numbers its migrations on its own; this is its first.
--
-- Times are timestamptz (microseconds); NULL means unset. A NULL next_attempt means "due now".
-- No column holds a raw secret: findings are keyed by the keyed fingerprint.

CREATE TABLE findings (
    fingerprint       text        NOT NULL PRIMARY KEY,
    detector_id       text        NOT NULL,
    provider          text        NOT NULL DEFAULT '',
    confidence        text        NOT NULL DEFAULT '',
    redacted          text        NOT NULL DEFAULT '',
    state             text        NOT NULL,
    verify            text        NOT NULL DEFAULT '',
    owner_id          text        NOT NULL DEFAULT '',
    owner_name        text        NOT NULL DEFAULT '',
    owner_email       text        NOT NULL DEFAULT '',
    org               text        NOT NULL DEFAULT '',
    revocation        text        NOT NULL DEFAULT '',
    revocation_reason text        NOT NULL DEFAULT '',
    attempts          integer     NOT NULL DEFAULT 0,
    next_attempt      timestamptz,
    first_seen        timestamptz NOT NULL,
    last_seen         timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

-- Due: state = ANY(...) AND (next_attempt IS NULL OR next_attempt <= now).
CREATE INDEX findings_due ON findings (state, next_attempt NULLS FIRST);
-- Findings: ORDER BY first_seen.
CREATE INDEX findings_first_seen ON findings (first_seen, fingerprint);

CREATE TABLE locations (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint  text        NOT NULL REFERENCES findings (fingerprint) ON DELETE CASCADE,
    source       text        NOT NULL DEFAULT '',
    -- '' (file content), 'commit-message' or 'tag-message'.
    kind         text        NOT NULL DEFAULT '',
    -- The git blob id (40 or 64 hex digits) or ''; the byte span of the match in it; how the
    -- token was encoded there ('', 'base64', 'url'). Never the token.
    blob_sha     text        NOT NULL DEFAULT '',
    byte_offset  bigint      NOT NULL DEFAULT 0 CHECK (byte_offset >= 0),
    byte_length  integer     NOT NULL DEFAULT 0 CHECK (byte_length >= 0),
    encoding     text        NOT NULL DEFAULT '',
    repository   text        NOT NULL DEFAULT '',
    commit_sha   text        NOT NULL DEFAULT '',
    path         text        NOT NULL DEFAULT '',
    line         integer     NOT NULL DEFAULT 0,
    col          integer     NOT NULL DEFAULT 0,
    author_name  text        NOT NULL DEFAULT '',
    author_email text        NOT NULL DEFAULT '',
    commit_date  timestamptz,
    web_url      text        NOT NULL DEFAULT '',
    -- One row per place; the index also serves lookups by fingerprint.
    UNIQUE (fingerprint, repository, commit_sha, path, line, col, kind)
);

CREATE TABLE audit_log (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text        NOT NULL DEFAULT '',
    action      text        NOT NULL,
    fingerprint text        NOT NULL DEFAULT '',
    provider    text        NOT NULL DEFAULT '',
    target      text        NOT NULL DEFAULT '',
    result      text        NOT NULL DEFAULT '',
    detail      text        NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_at ON audit_log (at, id);

-- Append-only: the API has no update or delete, and the database refuses UPDATE, DELETE and
-- TRUNCATE. (The table's owner can still drop the trigger; the guarantee is against mistakes.)
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE outbox (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint  text        NOT NULL REFERENCES findings (fingerprint) ON DELETE CASCADE,
    recipient    text        NOT NULL,
    event        text        NOT NULL,
    channel      text        NOT NULL,
    -- json, not jsonb: the payload reads back byte for byte as it was enqueued.
    payload      json        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts     integer     NOT NULL DEFAULT 0,
    -- pending: when to retry (NULL: now); sending: when the claim's lease ends.
    next_attempt timestamptz,
    created_at   timestamptz NOT NULL,
    claimed_at   timestamptz,
    sent_at      timestamptz,
    failed_at    timestamptz,
    last_error   text        NOT NULL DEFAULT '',
    -- Exactly one message per finding, recipient and event.
    UNIQUE (fingerprint, recipient, event)
);

-- DueMessages: status IN ('pending', 'sending') AND next_attempt <= now.
CREATE INDEX outbox_due ON outbox (status, next_attempt NULLS FIRST);

-- Where the incremental scan of each repository stands: refs maps full ref name to commit id.
CREATE TABLE cursors (
    repository text        NOT NULL PRIMARY KEY,
    refs       jsonb       NOT NULL,
    scanned_at timestamptz NOT NULL
);

CREATE INDEX cursors_scanned_at ON cursors (scanned_at, repository);

-- Blobs already scanned, per repository: a blob's content never changes, so it is read once.
CREATE TABLE scanned_blobs (
    repository text NOT NULL,
    blob_sha   text NOT NULL,
    PRIMARY KEY (repository, blob_sha)
);

-- Webhook deliveries seen, by source ('github', 'gitlab', 'azuredevops') and delivery id.
CREATE TABLE webhook_deliveries (
    source text        NOT NULL,
    id     text        NOT NULL,
    at     timestamptz NOT NULL,
    PRIMARY KEY (source, id)
);
