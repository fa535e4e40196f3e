package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// migrationFiles holds the schema of each driver, one file per version:
// migrations/<driver>/NNNN_name.sql, numbered per driver. A migration is never edited once
// released; a change is a new file.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migration is one embedded schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations under dir of fsys, sorted by version, and checks that
// the versions run 1, 2, 3… without a gap or a repeat.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		base := strings.TrimSuffix(e.Name(), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %04d_%s: want version %d (versions must run 1, 2, 3… without gaps)", m.version, m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies the migrations the database has not recorded yet, each in its own
// transaction together with its schema_migrations row. Two processes opening a new file at
// once are safe: the write lock serializes them and the second finds each version recorded.
// It records in s.applied how many it applied.
func (s *sqliteStore) migrate(ctx context.Context, ms []migration) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at BIGINT  NOT NULL
)`); err != nil {
		return s.fail("create schema_migrations", err)
	}
	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return s.fail("read schema version", err)
	}
	if current > len(ms) {
		return fmt.Errorf("%s: schema version %d, this patrol knows up to %d: %w", s.path, current, len(ms), ErrSchemaTooNew)
	}
	for _, m := range ms[current:] {
		did := false
		err := s.write(ctx, func(tx execer) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil // applied by another process since we looked
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, toDB(s.now()))
			did = err == nil
			return err
		})
		if err != nil {
			return s.fail(fmt.Sprintf("apply migration %04d_%s", m.version, m.name), err)
		}
		if did {
			s.applied++
		}
	}
	return nil
}

// errNoRows reports whether err is database/sql's "no rows".
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
