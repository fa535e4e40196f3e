package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

func TestOpenMigratesOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	p := dbPath(t)
	s, err := store.Open(ctx, store.Config{DSN: p, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	save(t, s, finding(1, t0))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	type row struct {
		Version   int
		Name      string
		AppliedAt int64
	}
	rows := func() []row {
		db := raw(t, p)
		defer db.Close()
		rs, err := db.QueryContext(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var out []row
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.Version, &r.Name, &r.AppliedAt); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	first := rows()
	if len(first) == 0 || first[0] != (row{1, "init", t0.UnixNano()}) {
		t.Fatalf("schema_migrations = %+v, want version 1 init applied at t0", first)
	}

	// Re-open later: nothing applied again, data intact.
	s, err = store.Open(ctx, store.Config{DSN: p, Now: func() time.Time { return t0.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Finding(ctx, fp(1)); err != nil {
		t.Errorf("Finding after re-open = %v", err)
	}
	s.Close()
	if again := rows(); !reflect.DeepEqual(again, first) {
		t.Errorf("schema_migrations after re-open = %+v, want unchanged %+v", again, first)
	}
}

func TestOpenSQLiteSettings(t *testing.T) {
	t.Parallel()
	_, p := openTemp(t)
	var mode string
	if err := raw(t, p).QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if runtime.GOOS == "windows" {
		return
	}
	for path, want := range map[string]os.FileMode{p: 0o600, filepath.Dir(p): 0o700 | os.ModeDir} {
		if st, err := os.Stat(path); err != nil || st.Mode() != want {
			t.Errorf("mode of %s = %v, %v; want %v", path, st.Mode(), err, want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(t *testing.T, p string) // prepares the file at p
		cfg     func(p string) store.Config
		want    error
		notPath bool // the error does not name a file
	}{
		{
			name: "garbage file",
			setup: func(t *testing.T, p string) {
				writeFile(t, p, bytes.Repeat([]byte("this is not a database \x00\xff"), 200))
			},
			want: store.ErrCorrupt,
		},
		{
			name: "short garbage file",
			setup: func(t *testing.T, p string) {
				writeFile(t, p, []byte("garbage"))
			},
			want: store.ErrCorrupt,
		},
		{
			name: "damaged pages",
			setup: func(t *testing.T, p string) {
				s := openAt(t, p, nil)
				save(t, s, finding(1, t0))
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				for i := 100; i < len(b); i++ { // keep the header, wreck the schema and the data
					b[i] = 0xA5
				}
				writeFile(t, p, b)
			},
			want: store.ErrCorrupt,
		},
		{
			name: "directory is a file",
			setup: func(t *testing.T, p string) {
				writeFile(t, filepath.Dir(p), []byte("not a directory"))
			},
			want: store.ErrUnwritable,
		},
		{
			name: "path is a directory",
			setup: func(t *testing.T, p string) {
				if err := os.MkdirAll(p, 0o700); err != nil {
					t.Fatal(err)
				}
			},
			want: store.ErrUnwritable,
		},
		{
			name: "schema from a newer patrol",
			setup: func(t *testing.T, p string) {
				s := openAt(t, p, nil)
				s.Close()
				if _, err := raw(t, p).ExecContext(t.Context(),
					`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`); err != nil {
					t.Fatal(err)
				}
			},
			want: store.ErrSchemaTooNew,
		},
		{
			name:    "postgres without a dsn",
			cfg:     func(p string) store.Config { return store.Config{Driver: "postgres"} },
			want:    store.ErrInvalid,
			notPath: true,
		},
		{
			name:    "unknown driver",
			cfg:     func(p string) store.Config { return store.Config{Driver: "mysql", DSN: p} },
			want:    store.ErrUnsupportedDriver,
			notPath: true,
		},
		{
			name:    "in memory",
			cfg:     func(p string) store.Config { return store.Config{DSN: ":memory:"} },
			want:    store.ErrInvalid,
			notPath: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := dbPath(t)
			if tt.setup != nil {
				tt.setup(t, p)
			}
			cfg := store.Config{DSN: p}
			if tt.cfg != nil {
				cfg = tt.cfg(p)
			}
			s, err := store.Open(t.Context(), cfg)
			if err == nil {
				s.Close()
				t.Fatalf("Open = nil error, want %v", tt.want)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Open = %v, want %v", err, tt.want)
			}
			if !tt.notPath && !strings.Contains(err.Error(), p) {
				t.Errorf("Open = %q, want the file %s named", err, p)
			}
			t.Logf("Open: %v", err)
		})
	}
}

// TestOpenMustExist: a read-only command's Open (MustExist) fails on a missing file, naming
// it, and creates neither the file nor its directory; an existing store opens as usual.
func TestOpenMustExist(t *testing.T) {
	t.Parallel()
	p := dbPath(t)
	_, err := store.Open(t.Context(), store.Config{DSN: p, MustExist: true})
	if !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), p) {
		t.Errorf("Open(missing, MustExist) = %v, want ErrNoDatabase naming %s", err, p)
	}
	if _, err := os.Stat(filepath.Dir(p)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing, MustExist) left %s behind (%v)", filepath.Dir(p), err)
	}
	s := openAt(t, p, nil)
	save(t, s, finding(1, t0))
	s.Close()
	ro, err := store.Open(t.Context(), store.Config{DSN: p, MustExist: true})
	if err != nil {
		t.Fatalf("Open(existing, MustExist) = %v", err)
	}
	defer ro.Close()
	if got, err := ro.Findings(t.Context(), store.Query{}); err != nil || len(got) != 1 {
		t.Errorf("Findings = %d, %v; want the one saved", len(got), err)
	}
}

func TestOpenPostgresWithoutDSN(t *testing.T) {
	t.Parallel()
	_, err := store.Open(t.Context(), store.Config{Driver: "postgres"})
	if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), "store dsn: empty") {
		t.Errorf("Open(postgres, no dsn) = %v, want ErrInvalid saying the dsn is empty", err)
	}
}

// TestOpenLocked holds an exclusive lock on a rollback-journal database from another
// connection: Open must give up after the busy timeout with ErrLocked, naming the file.
func TestOpenLocked(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	p := dbPath(t)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	db := raw(t, p)
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{`PRAGMA journal_mode = DELETE`, `CREATE TABLE other (x)`, `BEGIN EXCLUSIVE`, `INSERT INTO other VALUES (1)`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	start := time.Now()
	s, err := store.Open(ctx, store.Config{DSN: p, BusyTimeout: 100 * time.Millisecond})
	if err == nil {
		s.Close()
		t.Fatal("Open of a locked database succeeded")
	}
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), p) {
		t.Errorf("Open(locked) = %v, want ErrLocked naming %s", err, p)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Open(locked) took %v, want about the busy timeout", d)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultPath(t *testing.T) { // not parallel: sets the environment
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", dir)
	if got, err := store.DefaultPath(); err != nil || got != filepath.Join(dir, "patrol", "patrol.db") {
		t.Errorf("DefaultPath(XDG_DATA_HOME=%s) = %q, %v", dir, got, err)
	}
	if runtime.GOOS != "linux" {
		return
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, xdg := range []string{"", "relative/ignored"} {
		t.Setenv("XDG_DATA_HOME", xdg)
		if got, err := store.DefaultPath(); err != nil || got != filepath.Join(home, ".local", "share", "patrol", "patrol.db") {
			t.Errorf("DefaultPath(XDG_DATA_HOME=%q) = %q, %v; want under ~/.local/share", xdg, got, err)
		}
	}
	// The zero Config opens there.
	s, err := store.Open(t.Context(), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "patrol", "patrol.db")); err != nil {
		t.Errorf("zero Config did not create the default file: %v", err)
	}
}

// TestNoRawSecretInFile takes a token through every write of the API the way the pipeline
// does (fingerprint, preview, audit, outbox payload) and greps the database file and its WAL
// for the raw value.
func TestNoRawSecretInFile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// Assembled at run time so that the source holds no token. patrol:allow
	rawValue := "ghp_" + "Zq9" + strings.Repeat("RawSecretSentinel", 2)[:33]
	tok := secret.New(rawValue)
	key := bytes.Repeat([]byte{7}, 32)
	f := store.Finding{
		Fingerprint: secret.Fingerprint(key, "github-classic-pat", tok), DetectorID: "github-classic-pat",
		Provider: "github", Confidence: "checksum", Redacted: secret.Preview(tok, 4),
		Locations: []store.Location{loc(".env", 1)},
	}
	p := dbPath(t)
	s := openAt(t, p, nil)
	save(t, s, f)
	if _, err := s.Transition(ctx, f.Fingerprint, []store.State{lifecycle.StateDetected}, lifecycle.StateConfirmedDead, store.Update{
		Verify: ptr(lifecycle.VerdictLive), OwnerID: ptr("42"), Revocation: ptr(lifecycle.OutcomeRevoked),
		RevocationReason: ptr("revoked " + tok.String()), // a careless reason: Token prints redacted
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, store.AuditEvent{Actor: "patrol scan", Action: "revoke", Fingerprint: f.Fingerprint,
		Result: "revoked", Detail: "token " + tok.String()}); err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(map[string]any{"fingerprint": f.Fingerprint, "redacted": f.Redacted, "token": tok})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Enqueue(ctx, store.Message{Fingerprint: f.Fingerprint, Recipient: "owner@contoso.com",
		Event: "revoked", Channel: "email", Payload: payload}); err != nil {
		t.Fatal(err)
	}
	// The scan side, in one transaction: where the bytes are, the blob, the cursor, a delivery.
	span := loc("config/.env", 2)
	span.Blob, span.Offset, span.Length, span.Encoding = strings.Repeat("5e", 20), 120, len(rawValue), "base64"
	withSpan := f
	withSpan.Locations = []store.Location{span}
	if err := s.InTx(ctx, func(tx store.Store) error {
		if _, _, err := tx.SaveFinding(ctx, withSpan); err != nil {
			return err
		}
		if err := tx.MarkScanned(ctx, span.Repository, []string{span.Blob}); err != nil {
			return err
		}
		if err := tx.SaveCursor(ctx, store.Cursor{Repository: span.Repository, Refs: map[string]string{"refs/heads/main": span.Commit}}); err != nil {
			return err
		}
		_, err := tx.RecordDelivery(ctx, "github", "72d3162e-cc78-11e3-81ab-4c9367dc0958", time.Time{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A raw value where the scan side would put it by mistake is refused too.
	bad := withSpan
	bad.Locations = []store.Location{span}
	bad.Locations[0].Blob = rawValue
	if _, _, err := s.SaveFinding(ctx, bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SaveFinding(raw blob id) = %v, want ErrInvalid", err)
	}
	if err := s.MarkScanned(ctx, span.Repository, []string{rawValue}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("MarkScanned(raw value) = %v, want ErrInvalid", err)
	}
	for name, err := range map[string]error{
		"SaveCursor":  s.SaveCursor(ctx, store.Cursor{Repository: "https://" + rawValue + "@github.com/contoso/app"}),
		"MarkScanned": s.MarkScanned(ctx, "https://x:"+rawValue+"@github.com/contoso/app", []string{span.Blob}),
	} {
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s(token in URL) = %v, want ErrInvalid", name, err)
		} else if strings.Contains(err.Error(), rawValue) {
			t.Errorf("%s(token in URL) = %q: the error repeats the token", name, err)
		}
	}
	// The API refuses the raw value where a mistake would put it.
	bad = f
	bad.Fingerprint = rawValue
	if _, _, err := s.SaveFinding(ctx, bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SaveFinding(raw fingerprint) = %v, want ErrInvalid", err)
	}
	bad = f
	bad.Redacted = rawValue
	if _, _, err := s.SaveFinding(ctx, bad); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("SaveFinding(raw preview) = %v, want ErrInvalid", err)
	}

	grep := func(when string) {
		t.Helper()
		var all []byte
		for _, name := range []string{p, p + "-wal"} {
			b, err := os.ReadFile(name)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		// The grep reads real data: the preview and the owner are there.
		if !bytes.Contains(all, []byte(f.Redacted)) || !bytes.Contains(all, []byte(f.Fingerprint)) {
			t.Fatalf("%s: preview or fingerprint not found in the files; the grep reads the wrong bytes", when)
		}
		if bytes.Contains(all, []byte(rawValue)) || bytes.Contains(all, []byte(rawValue[8:])) {
			t.Errorf("%s: the raw secret is in the database files", when)
		}
	}
	grep("open")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	grep("closed")
}

// TestRecordsHaveNoSecretField checks by reflection that no record type can carry a
// secret.Token or has a field named like one.
func TestRecordsHaveNoSecretField(t *testing.T) {
	t.Parallel()
	tokenType := reflect.TypeFor[secret.Token]()
	for _, v := range []any{store.Finding{}, store.Location{}, store.Update{}, store.AuditEvent{}, store.Message{}, store.Query{}, store.Cursor{}} {
		typ := reflect.TypeOf(v)
		for f := range typ.Fields() {
			name := strings.ToLower(f.Name)
			if f.Type == tokenType || strings.Contains(name, "secret") || strings.Contains(name, "token") || name == "raw" {
				t.Errorf("%s.%s could hold a raw secret", typ.Name(), f.Name)
			}
		}
	}
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestOpenOddPath opens a file whose path holds the characters a URI would misread.
func TestOpenOddPath(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "we?ird #dir%20", "pa trol.db")
	s := openAt(t, p, nil)
	save(t, s, finding(1, t0))
	if _, err := os.Stat(p); err != nil {
		t.Errorf("store not at %s: %v", p, err)
	}
}

// TestInTxTakesTheFileLock checks that a transaction takes SQLite's write lock when it
// begins (IMMEDIATE), before fn writes anything: another process's write waits for it and,
// past its busy timeout, gets ErrLocked; after the commit it goes through.
func TestInTxTakesTheFileLock(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	p := dbPath(t)
	a := openAt(t, p, nil)
	b, err := store.Open(ctx, store.Config{DSN: p, BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = a.InTx(ctx, func(tx store.Store) error {
		if _, _, err := b.SaveFinding(ctx, finding(1, t0)); !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), p) {
			t.Errorf("SaveFinding from another handle during InTx = %v, want ErrLocked naming %s", err, p)
		}
		// Reads from the other handle do not wait (WAL).
		if _, err := b.Findings(ctx, store.Query{}); err != nil {
			t.Errorf("Findings from another handle during InTx = %v", err)
		}
		_, _, err := tx.SaveFinding(ctx, finding(2, t0))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.SaveFinding(ctx, finding(1, t0)); err != nil {
		t.Errorf("SaveFinding from another handle after the commit = %v", err)
	}
	if fs, err := b.Findings(ctx, store.Query{}); err != nil || len(fs) != 2 {
		t.Errorf("Findings = %d, %v; want 2", len(fs), err)
	}
}
