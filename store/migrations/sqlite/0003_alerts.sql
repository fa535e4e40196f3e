-- 0003: findings that come from a code host's secret-scanning alert. A location of kind
-- 'secret-scanning-alert' names the alert by its number in the repository (0 for every other
-- location), so that a step can fetch the token again from the alert and patrol can resolve
-- it; the audit log gains an index by fingerprint, so that one finding's rows (the record an
-- alert's resolution comment names) are read without scanning the whole log.
ALTER TABLE locations ADD COLUMN alert BIGINT NOT NULL DEFAULT 0 CHECK (alert >= 0);

CREATE INDEX audit_log_fingerprint ON audit_log (fingerprint, id);
