package git

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// benchHistory builds, with git fast-import, a repository of the shape where blob-level scanning
// costs most: a few big JSON files rewritten (a few values changed) in every commit. It returns
// the repository and the total size of its distinct blob versions.
func benchHistory(b *testing.B, files, size, commits int) (string, int64) {
	b.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git binary not installed")
	}
	dir := filepath.Join(b.TempDir(), "bench.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", dir).CombinedOutput(); err != nil {
		b.Fatalf("git init: %v\n%s", err, out)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Env = append(os.Environ(), "GIT_DIR="+dir)
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(in)
	rng := rand.New(rand.NewPCG(7, 8))
	records := size / 64
	vals := make([][]int, files)
	for f := range vals {
		vals[f] = make([]int, records)
		for i := range vals[f] {
			vals[f][i] = rng.IntN(1 << 30)
		}
	}
	tok := scantest.GitHubToken()
	render := func(f, c int) []byte {
		var buf bytes.Buffer
		for i, v := range vals[f] {
			fmt.Fprintf(&buf, "{\"id\": %6d, \"value\": %10d, \"n\": \"item\"},\n", i, v)
			if f == 0 && i == records/2 && c >= commits/2 {
				fmt.Fprintf(&buf, "{\"token\": %q},\n", tok)
			}
		}
		return buf.Bytes()
	}
	var total int64
	// Each file's versions are written one after the other so that fast-import deltas each
	// against the previous version of the same file, as git's packing would.
	marks := make([][]int, files)
	mark := 0
	for f := range files {
		for c := range commits {
			for range 3 {
				vals[f][rng.IntN(records)] = rng.IntN(1 << 30)
			}
			data := render(f, c)
			total += int64(len(data))
			mark++
			marks[f] = append(marks[f], mark)
			fmt.Fprintf(w, "blob\nmark :%d\ndata %d\n%s\n", mark, len(data), data)
		}
	}
	for c := range commits {
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter B <b@example.com> %d +0000\ndata 2\nc\n", 1700000000+c*60)
		for f := range files {
			fmt.Fprintf(w, "M 100644 :%d data/f%d.json\n", marks[f][c], f)
		}
		w.WriteString("\n")
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		b.Fatalf("git fast-import: %v", err)
	}
	return dir, total
}

// BenchmarkGitSource scans the history of benchHistory: every blob version once (git binary
// with the pack reader, and go-git), reporting MB/s of distinct blob versions.
func BenchmarkGitSource(b *testing.B) {
	repo, total := benchHistory(b, 2, 256<<10, 120)
	e := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: []byte("bench")})
	for _, mode := range []struct {
		name string
		mode GitMode
	}{{"git", GitBinary}, {"go-git", GitGoGit}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				src, err := OpenGit(b.Context(), GitOptions{Repo: repo, Mode: mode.mode})
				if err != nil {
					b.Fatal(err)
				}
				fs, _, err := scanner.Run(b.Context(), e, src, scanner.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(fs) == 0 || !strings.HasPrefix(fs[0].Location.Path, "data/") {
					b.Fatalf("found %d findings, want the planted token in every version after it", len(fs))
				}
			}
		})
	}
}
