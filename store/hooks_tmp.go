package store

// TEMPORARY: replaced by the store-pg branch's hooks at merge.

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"
)

func SQLTx(tx Store) (*sql.Tx, bool) {
	for {
		u, ok := tx.(interface{ Unwrap() Store })
		if !ok {
			break
		}
		tx = u.Unwrap()
	}
	s, ok := tx.(*sqliteStore)
	if !ok || s.tx == nil {
		return nil, false
	}
	t, ok := s.tx.tx.(*sql.Tx)
	return t, ok
}

func PgxTx(tx Store) (pgx.Tx, bool) { return nil, false }

func RedactDSN(dsn string) string { return dsn }

func Migrate(ctx context.Context, cfg Config, also ...func(ctx context.Context) error) (int, error) {
	s, err := Open(ctx, cfg)
	if err != nil {
		return 0, err
	}
	s.Close()
	for _, fn := range also {
		if err := fn(ctx); err != nil {
			return 0, err
		}
	}
	return 0, nil
}
