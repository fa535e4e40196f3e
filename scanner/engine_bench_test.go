package scanner

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// benchCorpusSize is the amount of source text BenchmarkEngine scans per iteration.
const benchCorpusSize = 8 << 20

// benchCorpus returns about size bytes of Go source from GOROOT (realistic text: identifiers,
// comments, string literals, some base64 and hex in test data) with a few synthetic tokens
// planted in it, and the number planted.
func benchCorpus(tb testing.TB, size int) ([]byte, int) {
	tb.Helper()
	var buf bytes.Buffer
	root := filepath.Join(runtime.GOROOT(), "src")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || buf.Len() >= size {
			return fs.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		buf.Write(b)
		return nil
	})
	if err != nil && err != fs.SkipDir {
		tb.Fatal(err)
	}
	if buf.Len() < size/2 {
		tb.Skipf("GOROOT/src has only %d bytes of Go source", buf.Len())
	}
	data := buf.Bytes()
	if len(data) > size {
		data = data[:size]
	}
	// Plant tokens at line starts spread over the corpus.
	planted := 0
	for i := 1; i <= 4; i++ {
		at := bytes.IndexByte(data[len(data)*i/5:], '\n')
		if at < 0 {
			continue
		}
		at += len(data)*i/5 + 1
		var tok string
		if i%2 == 0 {
			tok = scantest.GitHubToken()
		} else {
			tok = scantest.ADOToken()
		}
		line := []byte("\ttoken := \"" + tok + "\"\n")
		data = append(data[:at:at], append(line, data[at:]...)...)
		planted++
	}
	return data, planted
}

// BenchmarkEngine measures Engine.Scan over realistic source text, beside reference passes over
// the same bytes in the same process, so that the ratios hold across machines:
//   - BytesCount: bytes.Count of newlines, the memory-bandwidth floor;
//   - Regexp: one detector's regexp run over the whole text, the naive scanner.
func BenchmarkEngine(b *testing.B) {
	data, planted := benchCorpus(b, benchCorpusSize)
	e := NewEngine(detectors.All(), EngineOptions{Key: []byte("bench")})
	b.Run("Engine", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			n := e.Scan(data, []Location{{Source: SourceDir, Path: "corpus.go"}}, func(Finding) {})
			if n != planted {
				b.Fatalf("Scan found %d findings, want %d", n, planted)
			}
		}
	})
	// EngineGeneric adds the generic rules (--generic), whose keywords are the common words
	// token, secret and password: what turning them on costs.
	eg := NewEngine(append(detectors.All(), detectors.Generic()...), EngineOptions{Key: []byte("bench")})
	b.Run("EngineGeneric", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if n := eg.Scan(data, []Location{{Source: SourceDir, Path: "corpus.go"}}, func(Finding) {}); n < planted {
				b.Fatalf("Scan found %d findings, want at least %d", n, planted)
			}
		}
	})
	b.Run("BytesCount", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if bytes.Count(data, []byte{'\n'}) == 0 {
				b.Fatal("no lines")
			}
		}
	})
	re := regexp.MustCompile(detectors.GitHubClassicPAT().Pattern)
	b.Run("Regexp", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if len(re.FindAllIndex(data, -1)) == 0 {
				b.Fatal("regexp found nothing")
			}
		}
	})
}
