-- 0002: SQLite's 0003. A location of kind 'secret-scanning-alert' names the alert by its
-- number in the repository (0 for every other location); the audit log gains an index by
-- fingerprint for one finding's rows.
ALTER TABLE locations ADD COLUMN alert bigint NOT NULL DEFAULT 0 CHECK (alert >= 0);

CREATE INDEX audit_log_fingerprint ON audit_log (fingerprint, id);
