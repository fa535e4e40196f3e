package store

import (
	"errors"
	"fmt"
	"strings"
)

// Validate reports the problems of c that need no file to see, each naming its key path in
// patrol.yaml ("store.driver: …"), joined into one error; `patrol config check` shows them
// with their lines. Open still checks what only the file can tell.
func (c Config) Validate() error {
	var errs []error
	switch strings.ToLower(strings.TrimSpace(c.Driver)) {
	case "", DriverSQLite:
		if strings.Contains(c.DSN, "://") {
			errs = append(errs, fmt.Errorf("store.dsn: a URL, but the %s driver takes a file path", DriverSQLite))
		}
	case DriverPostgres, "postgresql", "pgx":
		if strings.TrimSpace(c.DSN) == "" {
			errs = append(errs, fmt.Errorf("store.dsn: required for the %s driver: a postgres:// URL or key=value connection string", DriverPostgres))
		} else if _, _, err := pgConfig(c.DSN); err != nil {
			// The DSN may hold a password: the message does not repeat it.
			errs = append(errs, fmt.Errorf("store.dsn: not a PostgreSQL connection string (a postgres:// URL or key=value pairs)"))
		}
	default:
		errs = append(errs, fmt.Errorf("store.driver: %q is not supported (want %s or %s)", c.Driver, DriverSQLite, DriverPostgres))
	}
	if c.BusyTimeout < 0 {
		errs = append(errs, fmt.Errorf("store.busy_timeout: %s is negative", c.BusyTimeout))
	}
	return errors.Join(errs...)
}

// Redacted names the database for logs and error text: a PostgreSQL DSN as
// postgres://user@host:port/database without its password (whether the DSN held one in its
// user info, a parameter or a key=value pair), an SQLite path as it is.
func (c Config) Redacted() string {
	if !c.IsPostgres() {
		return c.DSN
	}
	_, name, err := pgConfig(c.DSN)
	if err != nil {
		return "(a PostgreSQL DSN that does not parse)"
	}
	return name
}

// IsPostgres reports whether c names the PostgreSQL driver (by any of its names).
func (c Config) IsPostgres() bool {
	switch strings.ToLower(strings.TrimSpace(c.Driver)) {
	case DriverPostgres, "postgresql", "pgx":
		return true
	}
	return false
}
