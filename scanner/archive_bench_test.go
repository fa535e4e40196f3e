//go:build linux

package scanner

import (
	"strings"
	"syscall"
	"testing"

	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// BenchmarkArchiveBomb scans zip bombs of 1 GiB when inflated through Run: 110 members of
// 9.5 MiB of zeros (the ratio cap stops it) and one member of 1 GiB (over the size limit, never
// inflated). peak-rss-MB is the process's peak resident set (getrusage), which must stay far
// below 200 MB: members are streamed and the caps stop the bomb early.
func BenchmarkArchiveBomb(b *testing.B) {
	for _, bc := range []struct {
		name string
		n    int
		size int64
	}{
		{"members", 110, 9<<20 + 512<<10},
		{"one-member", 1, 1 << 30},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bomb := scantest.ZipBomb(b, bc.n, bc.size)
			src := chunks{{Name: "bomb.zip", Data: bomb, Locations: []Location{{Source: SourceDir, Path: "bomb.zip"}}}}
			e := newTestEngine()
			b.SetBytes(int64(bc.n) * bc.size)
			b.ResetTimer()
			for b.Loop() {
				_, st, err := Run(b.Context(), e, src, Options{})
				if err != nil || st.Archives != 1 {
					b.Fatalf("Run = %v, %d archives", err, st.Archives)
				}
			}
			b.StopTimer()
			var ru syscall.Rusage
			if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "peak-rss-MB") // Maxrss is in KiB on Linux
			}
		})
	}
}

// BenchmarkIsArchive is the cost Run adds to each chunk that is not an archive.
func BenchmarkIsArchive(b *testing.B) {
	text := []byte(strings.Repeat("package main // not an archive\n", 64))
	for b.Loop() {
		if IsArchive(text) {
			b.Fatal("text is an archive")
		}
	}
}
