package store

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestUpgradeFromInitSchema builds a database with the first migration only, as the previous
// patrol left it, writes rows in that shape, then opens it with this build: the migrations
// apply in place and the old data reads back, with the new location fields empty.
func TestUpgradeFromInitSchema(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return t0 }
	p := filepath.Join(t.TempDir(), "patrol.db")
	ms, err := loadMigrations(migrationFiles, "migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 || ms[0].name != "init" {
		t.Fatalf("migrations = %d, first %q; want init and at least one after it", len(ms), ms[0].name)
	}
	old, err := openSQLite(ctx, Config{DSN: p, Now: now}, ms[:1])
	if err != nil {
		t.Fatal(err)
	}
	fp := strings.Repeat("ab", 32)
	commit := strings.Repeat("01", 20)
	date := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	// The old schema's rows, written as the previous build's SaveFinding, Audit and Enqueue did.
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO findings (fingerprint, detector_id, provider, confidence, redacted, state, verify, attempts,
			next_attempt, first_seen, last_seen, updated_at) VALUES (?, 'github-classic-pat', 'github', 'checksum', 'ghp_ab12…',
			'revoke_failed', 'live', 2, ?, ?, ?, ?)`, []any{fp, toDB(t0.Add(time.Hour)), toDB(t0), toDB(t0), toDB(t0)}},
		{`INSERT INTO locations (fingerprint, source, repository, commit_sha, path, line, col, author_name, author_email,
			commit_date, web_url) VALUES (?, 'git', 'https://github.com/contoso/app', ?, 'b.go', 9, 2, 'Dev', 'dev@contoso.com', ?, '')`,
			[]any{fp, commit, toDB(date)}},
		{`INSERT INTO locations (fingerprint, source, repository, commit_sha, path, line, col, author_name, author_email,
			commit_date, web_url) VALUES (?, 'git', 'https://github.com/contoso/app', ?, 'a.go', 3, 7, 'Dev', 'dev@contoso.com', ?, '')`,
			[]any{fp, commit, toDB(date)}},
		{`INSERT INTO audit_log (at, actor, action, fingerprint, result) VALUES (?, 'patrol scan', 'verify', ?, 'live')`,
			[]any{toDB(t0), fp}},
		{`INSERT INTO outbox (fingerprint, recipient, event, channel, payload, status, next_attempt, created_at)
			VALUES (?, 'owner@contoso.com', 'revoked', 'email', '{}', 'pending', ?, ?)`, []any{fp, toDB(t0), toDB(t0)}},
	} {
		if _, err := old.db.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("old schema: %v\n%s", err, q.sql)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	st, err := Open(ctx, Config{DSN: p, Now: now})
	if err != nil {
		t.Fatalf("Open(old schema) = %v", err)
	}
	defer st.Close()
	s := st.(*sqliteStore)
	var versions []int
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		versions = append(versions, v)
	}
	rows.Close()
	if len(versions) != len(ms) || versions[len(versions)-1] != ms[len(ms)-1].version {
		t.Errorf("schema_migrations after upgrade = %v, want 1..%d", versions, len(ms))
	}

	f, err := s.Finding(ctx, fp)
	if err != nil {
		t.Fatal(err)
	}
	want := []Location{
		{Source: "git", Repository: "https://github.com/contoso/app", Commit: commit, Path: "b.go", Line: 9, Column: 2,
			AuthorName: "Dev", AuthorEmail: "dev@contoso.com", Date: date},
		{Source: "git", Repository: "https://github.com/contoso/app", Commit: commit, Path: "a.go", Line: 3, Column: 7,
			AuthorName: "Dev", AuthorEmail: "dev@contoso.com", Date: date},
	}
	if d := cmp.Diff(want, f.Locations); d != "" {
		t.Errorf("old locations after upgrade (-want +got):\n%s", d)
	}
	if f.State != "revoke_failed" || f.Attempts != 2 || f.Verify != "live" || !f.NextAttempt.Equal(t0.Add(time.Hour)) {
		t.Errorf("old finding after upgrade = %+v", f)
	}
	if due, err := s.Due(ctx, []State{"revoke_failed"}, t0.Add(time.Hour), 0); err != nil || len(due) != 1 {
		t.Errorf("Due after upgrade = %d, %v; want the old finding", len(due), err)
	}
	if log, err := s.AuditLog(ctx, time.Time{}, 0); err != nil || len(log) != 1 || log[0].Action != "verify" {
		t.Errorf("AuditLog after upgrade = %+v, %v", log, err)
	}
	if msgs, err := s.Messages(ctx, fp); err != nil || len(msgs) != 1 {
		t.Errorf("Messages after upgrade = %+v, %v", msgs, err)
	}

	// The new key: the old place again is no new row; the same place in the commit message is.
	again := want[1]
	msg := want[1]
	msg.Kind, msg.Offset, msg.Length = "commit-message", 12, 40
	got, created, err := s.SaveFinding(ctx, Finding{Fingerprint: fp, DetectorID: "github-classic-pat", Redacted: "ghp_ab12…",
		Locations: []Location{again, msg}})
	if err != nil || created {
		t.Fatalf("SaveFinding after upgrade = %v, %v", created, err)
	}
	if d := cmp.Diff(append(want, msg), got.Locations); d != "" {
		t.Errorf("locations after a save on the upgraded file (-want +got):\n%s", d)
	}
	// The new tables work, and the audit log is still append-only.
	if err := s.MarkScanned(ctx, "https://github.com/contoso/app", []string{commit}); err != nil {
		t.Errorf("MarkScanned after upgrade = %v", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("DELETE FROM audit_log after upgrade = %v, want refused", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&n); err != nil || n != 0 {
		t.Errorf("foreign key check after upgrade = %d rows, %v", n, err)
	}
	var check string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check after upgrade = %q, %v", check, err)
	}
}
