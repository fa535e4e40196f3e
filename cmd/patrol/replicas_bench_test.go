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
// one PostgreSQL database (real processes): 40 repositories of 120 commits each, every one
// holding a live token, from the start of the replicas until every repository has a cursor.
// It reports repositories per minute, and per core used (CPU seconds of the replicas and their
// git processes over wall time): the ratio of the 3-replica figure to the 1-replica one is
// the coordination overhead (1.0 = none). Run with make bench-replicas.
func BenchmarkServeReplicas(b *testing.B) {
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			var wall, cpu time.Duration
			const repos = 40
			for range b.N {
				b.StopTimer()
				e := newReplicaEnv(b, replicaOptions{repos: repos, history: 120, schedule: "@every 1h", dsn: pgtest.DSN(b), workers: 2})
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
					u := r.cmd.ProcessState.SysUsage().(*syscall.Rusage)
					cpu += time.Duration(u.Utime.Nano() + u.Stime.Nano())
				}
			}
			perMin := float64(repos*b.N) / wall.Minutes()
			cores := cpu.Seconds() / wall.Seconds()
			b.ReportMetric(perMin, "repos/min")
			b.ReportMetric(cores, "cores")
			b.ReportMetric(perMin/cores, "repos/min/core")
		})
	}
}
