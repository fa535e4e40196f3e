package main

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/patrolsec/patrol/internal/pgtest"
)

// BenchmarkServeReplicas measures the scan throughput of 1 and of 3 patrol serve replicas on
// one PostgreSQL database (real processes): 40 repositories of 1,500 commits (18 MB of source)
// each, one in ten holding a live token, from the start of the replicas until every
// repository has a cursor. It reports repositories per minute, the cores used (CPU seconds
// of the replicas and their git processes, start to exit, over that span), and repositories
// per CPU-minute: the ratio of the 3-replica figure to the 1-replica one is the coordination
// overhead (1.0 = none). Run with make bench-replicas.
func BenchmarkServeReplicas(b *testing.B) {
	fastImportLines = 200
	// The same number of scans at once in both runs (6 on 2 cores), so that the difference is
	// what several processes sharing the work cost, not a different concurrency.
	for _, c := range []struct{ n, workers int }{{1, 6}, {3, 2}} {
		n := c.n
		b.Run(fmt.Sprintf("replicas=%d/workers=%d", c.n, c.workers), func(b *testing.B) {
			var wall, life, cpu time.Duration
			const repos = 40
			for range b.N {
				b.StopTimer()
				e := newReplicaEnv(b, replicaOptions{repos: repos, history: 1500, tokens: repos / 10, schedule: "@every 1h", dsn: pgtest.DSN(b), workers: c.workers})
				if _, err := e.migrate(); err != nil {
					b.Fatal(err)
				}
				db := e.db()
				b.StartTimer()
				start := time.Now()
				var rs []*replica
				for i := range n {
					rs = append(rs, e.serve(i))
				}
				waitUntil(b, 10*time.Minute, "every repository scanned", func() bool {
					var c int
					if err := db.QueryRow(context.Background(), `SELECT count(*) FROM cursors`).Scan(&c); err != nil {
						b.Fatal(err)
					}
					return c == repos
				})
				wall += time.Since(start)
				b.StopTimer()
				for _, r := range rs {
					r.stop(b)
				}
				life += time.Since(start)
				for _, r := range rs {
					u := r.cmd.ProcessState.SysUsage().(*syscall.Rusage)
					cpu += time.Duration(u.Utime.Nano() + u.Stime.Nano())
				}
			}
			b.ReportMetric(float64(repos*b.N)/wall.Minutes(), "repos/min")
			b.ReportMetric(cpu.Seconds()/life.Seconds(), "cores")
			b.ReportMetric(float64(repos*b.N)/cpu.Minutes(), "repos/cpu-min")
		})
	}
}
