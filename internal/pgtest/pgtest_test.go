package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dsn, want string
	}{
		{"postgres://patrol@127.0.0.1:5432/postgres?sslmode=disable", "postgres://patrol@127.0.0.1:5432/other?sslmode=disable"},
		{"postgresql://u:p@h/", "postgresql://u:p@h/other"},
		{"host=/tmp user=patrol dbname=postgres", "host=/tmp user=patrol dbname=postgres dbname=other"},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			t.Parallel()
			got, err := WithDatabase(tt.dsn, "other")
			if err != nil || got != tt.want {
				t.Errorf("WithDatabase(%q) = %q, %v; want %q", tt.dsn, got, err, tt.want)
			}
			cfg, err := pgx.ParseConfig(got)
			if err != nil || cfg.Database != "other" {
				t.Errorf("pgx.ParseConfig(%q) = database %q, %v; want other", got, cfg.Database, err)
			}
		})
	}
}

// TestDSN checks that DSN gives a database of its own and SchemaDSN a schema of its own in
// it, each empty and the current one for a connection to the DSN.
func TestDSN(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := DSN(t)
	schema := SchemaDSN(t, db)
	conn, err := pgx.Connect(ctx, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var dbName, schemaName string
	var tables int
	if err := conn.QueryRow(ctx, `SELECT current_database(), current_schema(),
	(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema())`).Scan(&dbName, &schemaName, &tables); err != nil {
		t.Fatal(err)
	}
	if len(dbName) != len("patrol_test_")+16 || len(schemaName) != len(dbName) || dbName == schemaName || tables != 0 {
		t.Errorf("connected to database %q, schema %q with %d tables; want two new patrol_test_ names, no tables", dbName, schemaName, tables)
	}
}
