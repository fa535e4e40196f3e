package store_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/patrolsec/patrol/internal/pgtest"
	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
	"github.com/patrolsec/patrol/store/storetest"
)

// BenchmarkTransition measures one pipeline state transition (the compare-and-set every
// step makes: detected → live → revoking → revocation_sent → confirmed_dead, one finding
// after another) on each driver, and reports its p50 and p99 latency.
func BenchmarkTransition(b *testing.B) {
	drivers := []struct {
		name string
		cfg  func(b *testing.B) store.Config
	}{
		{"sqlite", func(b *testing.B) store.Config {
			return store.Config{DSN: filepath.Join(b.TempDir(), "patrol.db")}
		}},
	}
	if os.Getenv("PATROL_TEST_POSTGRES_DSN") != "" {
		drivers = append(drivers, struct {
			name string
			cfg  func(b *testing.B) store.Config
		}{"postgres", func(b *testing.B) store.Config {
			c := store.Config{Driver: store.DriverPostgres, DSN: pgtest.DSN(b)}
			if _, err := store.Migrate(b.Context(), c); err != nil {
				b.Fatal(err)
			}
			return c
		}})
	} else {
		b.Log("postgres skipped: PATROL_TEST_POSTGRES_DSN is unset")
	}
	steps := []lifecycle.State{lifecycle.StateLive, lifecycle.StateRevoking, lifecycle.StateRevocationSent, lifecycle.StateConfirmedDead}
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			ctx := b.Context()
			s, err := store.Open(ctx, d.cfg(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			lat := make([]time.Duration, 0, b.N)
			var fp string
			from := lifecycle.StateDetected
			n := 0
			b.ResetTimer()
			for i := range b.N {
				if i%len(steps) == 0 {
					b.StopTimer()
					n++
					f := storetest.Finding(n, time.Now())
					if _, _, err := s.SaveFinding(ctx, f); err != nil {
						b.Fatal(err)
					}
					fp, from = f.Fingerprint, lifecycle.StateDetected
					b.StartTimer()
				}
				to := steps[i%len(steps)]
				t0 := time.Now()
				if _, err := s.Transition(ctx, fp, []store.State{from}, to, store.Update{}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				from = to
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
