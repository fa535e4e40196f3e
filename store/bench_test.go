package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/patrolsec/patrol/internal/pgtest"
	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
)

// BenchmarkTransition measures one compare-and-set Transition of a finding on each driver,
// one at a time, and reports its median and 99th percentile latency besides the mean.
func BenchmarkTransition(b *testing.B) {
	for _, d := range []struct {
		name string
		cfg  func(b *testing.B) store.Config
	}{
		{"sqlite", func(b *testing.B) store.Config {
			return store.Config{DSN: b.TempDir() + "/patrol.db"}
		}},
		{"postgres", func(b *testing.B) store.Config {
			return store.Config{Driver: store.DriverPostgres, DSN: pgtest.DSN(b)}
		}},
	} {
		b.Run(d.name, func(b *testing.B) {
			ctx := b.Context()
			cfg := d.cfg(b)
			if _, err := store.Migrate(ctx, cfg); err != nil {
				b.Fatal(err)
			}
			s, err := store.Open(ctx, cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if _, _, err := s.SaveFinding(ctx, finding(1, t0)); err != nil {
				b.Fatal(err)
			}
			states := [2]store.State{lifecycle.StateDetected, lifecycle.StateLive}
			lat := make([]time.Duration, 0, b.N)
			i := 0
			for b.Loop() {
				start := time.Now()
				if _, err := s.Transition(ctx, fp(1), []store.State{states[i%2]}, states[(i+1)%2], store.Update{}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				i++
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
