package store

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string // a substring of the error, "" for none
	}{
		{"zero", Config{}, ""},
		{"sqlite file", Config{Driver: "sqlite", DSN: "/var/lib/patrol/patrol.db", BusyTimeout: time.Second}, ""},
		{"upper case driver", Config{Driver: "SQLite"}, ""},
		{"postgres URL", Config{Driver: "postgres", DSN: "postgres://patrol@db:5432/patrol?sslmode=verify-full"}, ""},
		{"postgresql alias, key=value", Config{Driver: "postgresql", DSN: "host=db user=patrol dbname=patrol"}, ""},
		{"pgx alias", Config{Driver: "PGX", DSN: "postgres://db/patrol"}, ""},
		{"postgres without dsn", Config{Driver: "postgres"}, "store.dsn: required for the postgres driver"},
		{"postgres bad dsn", Config{Driver: "postgres", DSN: "postgres://patrol:hunter2@db:notaport/patrol"}, "store.dsn: not a PostgreSQL connection string"},
		{"unknown driver", Config{Driver: "mysql"}, `store.driver: "mysql" is not supported (want sqlite or postgres)`},
		{"URL for sqlite", Config{DSN: "postgres://db/patrol"}, "store.dsn: a URL, but the sqlite driver takes a file path"},
		{"negative busy timeout", Config{BusyTimeout: -time.Second}, "store.busy_timeout: -1s is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Errorf("Validate(%+v) = %v, want nil", tt.cfg, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate(%+v) = %v, want %q", tt.cfg, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("Validate(%+v) = %v: repeats the password", tt.cfg, err)
			}
		})
	}
}
