package store

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// TestConnectionPragmas checks the settings on several pooled connections at once: they are
// per connection, so every connection the pool opens must run them.
func TestConnectionPragmas(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st, err := Open(ctx, Config{DSN: filepath.Join(t.TempDir(), "patrol.db"), BusyTimeout: 1234 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s := st.(*sqliteStore)
	const conns = 4
	var wg sync.WaitGroup
	var mu sync.Mutex
	ready := make(chan struct{})
	var held int
	for range conns {
		wg.Go(func() {
			c, err := s.db.Conn(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			mu.Lock()
			held++
			if held == conns {
				close(ready)
			}
			mu.Unlock()
			<-ready // all connections open at once: distinct ones
			for pragma, want := range map[string]string{
				"foreign_keys": "1", "busy_timeout": "1234", "synchronous": "2", "journal_mode": "wal",
			} {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
					t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
				}
			}
		})
	}
	wg.Wait()
}

func TestTimeRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"zero", time.Time{}, time.Time{}},
		{"nanoseconds kept, zone dropped", time.Date(2026, 3, 1, 13, 0, 0, 123456789, time.FixedZone("CET", 3600)),
			time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)},
		{"before 1970", time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC), time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC)},
		{"far future clamped", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, math.MaxInt64).UTC()},
		{"far past clamped", time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC), time.Unix(0, math.MinInt64+1).UTC()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fromDB(toDB(tt.in)); !got.Equal(tt.want) || got.Location() != time.UTC && !got.IsZero() {
				t.Errorf("fromDB(toDB(%v)) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	// Stored times sort as times.
	a, b := time.Date(2026, 1, 1, 0, 0, 5, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 5, 500_000_000, time.UTC)
	if toDB(a) >= toDB(b) {
		t.Errorf("toDB(%v) >= toDB(%v)", a, b)
	}
}

func TestLoadMigrations(t *testing.T) {
	t.Parallel()
	ms, err := loadMigrations(migrationFiles, "migrations/sqlite")
	if err != nil || len(ms) == 0 || ms[0].version != 1 || ms[0].name != "init" {
		t.Fatalf("embedded migrations = %+v, %v", ms, err)
	}
	tests := []struct {
		name    string
		files   []string
		want    []int
		wantErr string
	}{
		{"sorted by version", []string{"0002_b.sql", "0001_a.sql", "0010_c.txt"}, []int{1, 2}, ""},
		{"gap", []string{"0001_a.sql", "0003_c.sql"}, nil, "want version 2"},
		{"repeat", []string{"0001_a.sql", "001_b.sql"}, nil, "want version 2"},
		{"bad name", []string{"init.sql"}, nil, "NNNN_name.sql"},
		{"zero", []string{"0000_a.sql"}, nil, "NNNN_name.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["m/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			ms, err := loadMigrations(fsys, "m")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("loadMigrations = %v, want error containing %q", err, tt.wantErr)
				}
				return
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.version)
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("loadMigrations = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", maxText) // 2 bytes each
	got := clip(long)
	if len(got) > maxText || !strings.HasPrefix(long, got) || len(got) < maxText-1 {
		t.Errorf("clip: %d bytes, want at most %d on a rune boundary", len(got), maxText)
	}
	if clip("short") != "short" {
		t.Error("clip changed a short string")
	}
}
