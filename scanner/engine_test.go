package scanner

import (
	"context"
	"encoding/base64"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/secret"
)

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func rnd(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 42))
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

// ghp builds a synthetic, checksum-valid GitHub classic PAT.
func ghp(seed uint64) string {
	body := rnd(seed, 30)
	return "ghp_" + body + detectors.CRC32Base62([]byte(body))
}

// ado builds a synthetic, checksum-valid 84-char Azure DevOps PAT.
func ado(seed uint64) string { return detectors.ADOPAT(rnd(seed, 52), 2025, 7) }

var testKey = []byte("0123456789abcdef0123456789abcdef")

func newTestEngine() *Engine {
	return NewEngine(detectors.All(), EngineOptions{Key: testKey})
}

func scanString(e *Engine, s string) []Finding {
	var out []Finding
	e.Scan([]byte(s), []Location{{Source: SourceStdin}}, func(f Finding) { out = append(out, f) })
	return out
}

func TestEngineScan(t *testing.T) {
	t.Parallel()
	g, a := ghp(1), ado(2)
	tests := []struct {
		name     string
		input    string
		want     []string // detector ids in order
		line     int
		column   int
		encoding string
	}{
		{"github in env", "A=1\nGITHUB_TOKEN=" + g + "\n", []string{"github-classic-pat"}, 2, 14, ""},
		{"ado in yaml", "steps:\n  - pat: " + a + "\n", []string{"azure-devops-pat"}, 2, 10, ""},
		{"two tokens one line", g + " " + a, []string{"github-classic-pat", "azure-devops-pat"}, 1, 1, ""},
		{"allow marker", "tok = " + g + " # patrol:allow\n", nil, 0, 0, ""},
		{"basic auth header", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(":"+a)) + "\n", []string{"azure-devops-pat"}, 1, 22, "base64"},
		{"npmrc password", "//pkgs.dev.azure.com/x/_packaging/feed/npm/registry/:_password=" + base64.StdEncoding.EncodeToString([]byte(a)) + "\n", []string{"azure-devops-pat"}, 1, 64, "base64"},
		{"url encoded", "https://example.invalid/?t=" + url.QueryEscape("x="+g+"&y=z") + "\n", []string{"github-classic-pat"}, 1, 26, "url"},
		{"nothing", "hello world\n", nil, 0, 0, ""},
	}
	e := newTestEngine()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := scanString(e, tt.input)
			var ids []string
			for _, f := range got {
				ids = append(ids, f.DetectorID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("Scan = %v, want %v", ids, tt.want)
			}
			if len(got) == 0 {
				return
			}
			f := got[0]
			if f.Location.Line != tt.line || f.Location.Column != tt.column {
				t.Errorf("Scan location = %d:%d, want %d:%d", f.Location.Line, f.Location.Column, tt.line, tt.column)
			}
			if f.Encoding != tt.encoding {
				t.Errorf("Scan encoding = %q, want %q", f.Encoding, tt.encoding)
			}
			// Offset and Length locate the token, or the encoded text that holds it.
			l := f.Location
			if l.Offset < 0 || l.Offset+int64(l.Length) > int64(len(tt.input)) {
				t.Fatalf("Scan span %d+%d outside the input", l.Offset, l.Length)
			}
			text := tt.input[l.Offset : l.Offset+int64(l.Length)]
			switch tt.encoding {
			case "base64":
				b, _ := detectors.DecodeBase64Run([]byte(text))
				text = string(b)
			case "url":
				text, _ = url.QueryUnescape(text)
			}
			if !strings.Contains(text, f.Secret.Reveal()) || (tt.encoding == "" && text != f.Secret.Reveal()) {
				t.Errorf("Scan span %d+%d does not hold the token", l.Offset, l.Length)
			}
			if lineStart := strings.LastIndexByte(tt.input[:l.Offset], '\n') + 1; int(l.Offset)-lineStart+1 != l.Column {
				t.Errorf("Scan offset %d is not column %d", l.Offset, l.Column)
			}
			if !strings.Contains(tt.input, f.Secret.Reveal()) && tt.encoding == "" {
				t.Errorf("Scan secret is not a substring of the input")
			}
			if strings.Contains(f.Redacted, f.Secret.Reveal()) || !strings.HasSuffix(f.Redacted, "…") {
				t.Errorf("Redacted = %q reveals the secret or lacks the ellipsis", f.Redacted)
			}
			if want := secret.Fingerprint(testKey, f.DetectorID, f.Secret); f.Fingerprint != want || len(want) != 64 {
				t.Errorf("Fingerprint = %s, want %s", f.Fingerprint, want)
			}
		})
	}
}

func TestRedactedPreview(t *testing.T) {
	t.Parallel()
	g := ghp(7)
	fs := scanString(newTestEngine(), g)
	if len(fs) != 1 {
		t.Fatalf("Scan = %d findings, want 1", len(fs))
	}
	if want := g[:8] + "…"; fs[0].Redacted != want {
		t.Errorf("Redacted = %q, want prefix + 4 chars + …", fs[0].Redacted)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDirSource(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	outside := t.TempDir()
	g1, g2, g3 := ghp(11), ghp(12), ghp(13)
	writeFile(t, filepath.Join(root, "a.env"), "T="+g1+"\n")
	writeFile(t, filepath.Join(root, "dir with space/ü.yml"), "x: 1\ny: "+g2+"\n")
	writeFile(t, filepath.Join(root, "build/out.txt"), g3+"\n")
	writeFile(t, filepath.Join(root, ".gitignore"), "build/\n")
	writeFile(t, filepath.Join(root, "bin.dat"), "\x00\x01"+g1)
	writeFile(t, filepath.Join(root, "big.txt"), strings.Repeat("a", 2048)+g1)
	writeFile(t, filepath.Join(outside, "secret.txt"), ghp(14)+"\n")
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "link.txt")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		noIgnore bool
		want     []string
	}{
		{"honours gitignore", false, []string{"a.env:1", "dir with space/ü.yml:2"}},
		{"no-ignore", true, []string{"a.env:1", "build/out.txt:1", "dir with space/ü.yml:2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := &DirSource{Root: root, NoIgnore: tt.noIgnore}
			fs, st, err := Run(t.Context(), newTestEngine(), src, Options{MaxSize: 1024})
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Location.Path+":"+itoa(f.Location.Line))
				b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Location.Path)))
				if l := f.Location; err != nil || l.Blob != "" || string(b[l.Offset:l.Offset+int64(l.Length)]) != f.Secret.Reveal() {
					t.Errorf("%s: span %d+%d (blob %q) is not the token in the file", l.Path, l.Offset, l.Length, l.Blob)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Run findings = %v, want %v", got, tt.want)
			}
			if st.Skipped[SkipBinary] != 1 || st.Skipped[SkipOversize] != 1 {
				t.Errorf("Run skipped = %v, want 1 binary and 1 oversize", st.Skipped)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestDirSourceErrors(t *testing.T) {
	t.Parallel()
	_, _, err := Run(t.Context(), newTestEngine(), &DirSource{Root: filepath.Join(t.TempDir(), "missing")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Run(missing dir) = %v, want an error naming the path", err)
	}
	if os.Getuid() == 0 {
		return // root reads anything: unreadable files cannot be made
	}
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "locked.txt"), "x")
	os.Chmod(filepath.Join(root, "locked.txt"), 0)
	_, st, _ := Run(t.Context(), newTestEngine(), &DirSource{Root: root}, Options{})
	if len(st.Errors) != 1 || !strings.Contains(st.Errors[0].Error(), "locked.txt") {
		t.Errorf("Run errors = %v, want one naming locked.txt", st.Errors)
	}
}

func TestReaderSource(t *testing.T) {
	t.Parallel()
	g := ghp(21)
	fs, _, err := Run(context.Background(), newTestEngine(), &ReaderSource{R: strings.NewReader("x\n" + g), Name: "stdin"}, Options{})
	if err != nil || len(fs) != 1 || fs[0].Location.Source != SourceStdin || fs[0].Location.Line != 2 {
		t.Fatalf("Run(stdin) = %v, %v; want one stdin finding on line 2", fs, err)
	}
	_, _, err = Run(context.Background(), newTestEngine(), &ReaderSource{R: strings.NewReader(strings.Repeat("a", 100)), Name: "stdin", MaxSize: 10}, Options{})
	if err == nil || !strings.Contains(err.Error(), "size limit") {
		t.Errorf("Run(stdin oversize) = %v, want a size limit error", err)
	}
}

func TestSuppressor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := newTestEngine()
	g1, g2 := ghp(31), ghp(32)
	f1 := scanString(e, g1)[0]
	f2 := scanString(e, g2)[0]
	f1.Location.Path, f2.Location.Path = "src/a.go", "testdata/fixtures/b.txt"
	writeFile(t, filepath.Join(dir, IgnoreFile), "# reviewed\n"+f1.Fingerprint+"  # test key\ntestdata/**\n")
	var s Suppressor
	if err := s.LoadIgnoreFile(filepath.Join(dir, IgnoreFile)); err != nil {
		t.Fatal(err)
	}
	f3 := scanString(e, ghp(33))[0]
	f3.Location.Path = "src/a.go" // same place as f1, different secret: still reported
	got, n := s.Filter([]Finding{f1, f2, f3})
	if n != 2 || len(got) != 1 || got[0].Fingerprint != f3.Fingerprint {
		t.Errorf("Filter = %d kept, %d suppressed; want only the new secret kept", len(got), n)
	}
	writeFile(t, filepath.Join(dir, "bad"), "[unclosed\n")
	if err := (&Suppressor{}).LoadIgnoreFile(filepath.Join(dir, "bad")); err == nil || !strings.Contains(err.Error(), "bad:1") {
		t.Errorf("LoadIgnoreFile(bad glob) = %v, want an error with file:line", err)
	}
}

func TestNearby(t *testing.T) {
	t.Parallel()
	g := ghp(41)
	in := "l1\nl2\nurl: https://dev.azure.com/contoso/x\nl4\ntok: " + g + "\nl6\nl7\nl8\n"
	fs := scanString(newTestEngine(), in)
	if len(fs) != 1 {
		t.Fatalf("Scan = %d findings, want 1", len(fs))
	}
	if want := "l2\nurl: https://dev.azure.com/contoso/x\nl4\ntok: " + g + "\nl6\nl7"; fs[0].Nearby != want {
		t.Errorf("Nearby = %q, want %q", fs[0].Nearby, want)
	}
	if got := nearbyText([]byte("abc"), 0, 3); got != "abc" {
		t.Errorf("nearbyText(one line) = %q", got)
	}
}

func TestFirstIntroductions(t *testing.T) {
	t.Parallel()
	d := func(day int) *time.Time { x := time.Date(2025, 1, day, 0, 0, 0, 0, time.UTC); return &x }
	f := func(fp, path, commit string, day int) Finding {
		return Finding{Fingerprint: fp, Location: Location{Source: SourceGit, Repository: "r", Path: path, Commit: commit, Date: d(day)}}
	}
	in := []Finding{f("a", "ci.yml", "c3", 3), f("a", "ci.yml", "c1", 1), f("a", "ci.yml", "c2", 2), f("a", "copy.yml", "c2", 2), f("b", "ci.yml", "c2", 2)}
	got := firstIntroductions(in)
	var s []string
	for _, g := range got {
		s = append(s, g.Fingerprint+":"+g.Location.Path+"@"+g.Location.Commit)
	}
	if want := "a:ci.yml@c1 a:copy.yml@c2 b:ci.yml@c2"; strings.Join(s, " ") != want {
		t.Errorf("firstIntroductions = %v, want %s", s, want)
	}
}
