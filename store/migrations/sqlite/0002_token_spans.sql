-- 0002: the store-driven pipeline. Locations say where a token's bytes are (blob, byte span,
-- encoding) and whether it sat in a commit or tag message, so that a later step can read the
-- raw value again from the repository instead of the store holding it; incremental scans keep
-- a cursor per repository and the blobs already scanned; webhook deliveries are recorded so
-- that a redelivery is ignored.

-- The location key gains kind: the same line and column of a commit can be in the file and in
-- the commit's message. SQLite cannot change a table constraint in place, so the table is
-- rebuilt (nothing references it) and the rows copied with the new columns empty.
CREATE TABLE locations_0002 (
    id           INTEGER NOT NULL PRIMARY KEY,
    fingerprint  TEXT    NOT NULL REFERENCES findings (fingerprint) ON DELETE CASCADE,
    source       TEXT    NOT NULL DEFAULT '',
    -- '' (file content), 'commit-message' or 'tag-message'.
    kind         TEXT    NOT NULL DEFAULT '',
    -- The git blob id (40 or 64 hex digits) or ''; the byte span of the match in it; how
    -- the token was encoded there ('', 'base64', 'url'). Never the token.
    blob_sha     TEXT    NOT NULL DEFAULT '',
    byte_offset  BIGINT  NOT NULL DEFAULT 0 CHECK (byte_offset >= 0),
    byte_length  INTEGER NOT NULL DEFAULT 0 CHECK (byte_length >= 0),
    encoding     TEXT    NOT NULL DEFAULT '',
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
    UNIQUE (fingerprint, repository, commit_sha, path, line, col, kind)
);

INSERT INTO locations_0002 (id, fingerprint, source, repository, commit_sha, path, line, col, author_name,
    author_email, commit_date, web_url)
SELECT id, fingerprint, source, repository, commit_sha, path, line, col, author_name, author_email,
    commit_date, web_url
FROM locations;

DROP TABLE locations;

ALTER TABLE locations_0002 RENAME TO locations;

-- Where the incremental scan of each repository stands: refs is a JSON object of full ref
-- name to commit id.
CREATE TABLE cursors (
    repository TEXT   NOT NULL PRIMARY KEY,
    refs       TEXT   NOT NULL,
    scanned_at BIGINT NOT NULL
);

CREATE INDEX cursors_scanned_at ON cursors (scanned_at, repository);

-- Blobs already scanned, per repository: a blob's content never changes, so it is read once.
CREATE TABLE scanned_blobs (
    repository TEXT NOT NULL,
    blob_sha   TEXT NOT NULL,
    PRIMARY KEY (repository, blob_sha)
) WITHOUT ROWID;

-- Webhook deliveries seen, by source ('github', 'gitlab', 'azuredevops') and delivery id.
CREATE TABLE webhook_deliveries (
    source TEXT   NOT NULL,
    id     TEXT   NOT NULL,
    at     BIGINT NOT NULL,
    PRIMARY KEY (source, id)
) WITHOUT ROWID;
