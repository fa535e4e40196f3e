package git

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// TestGitUTF16: tokens in UTF-16 files (LE with and without a byte order mark, BE) are found
// once each, at their line and character column, with the encoding named and a span in the
// blob's own bytes; an edit to such a file (a delta in a pack) does not hide or repeat them.
func TestGitUTF16(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	text := func(tok string) string { return "# réglages\r\n$Token = \"" + tok + "\"\r\n" }
	le, leNoBOM, be := scantest.GitHubToken(), scantest.GitHubToken(), scantest.GitHubToken()
	r.write("le.ps1", scantest.UTF16(text(le), false, true))
	r.write("le-nobom.reg", scantest.UTF16(text(leNoBOM), false, false))
	r.write("be.ini", scantest.UTF16(text(be), true, true))
	c1 := r.commit("utf-16 files")
	r.write("le.ps1", scantest.UTF16(text(le)+strings.Repeat("# more\r\n", 200), false, true))
	r.commit("edit")
	r.git("gc", "-q") // the edit becomes a delta over the first version

	type hit struct {
		Path, Encoding, Commit string
		Line, Column           int
	}
	want := []hit{
		{"be.ini", scanner.EncodingUTF16BE, c1, 2, 11},
		{"le-nobom.reg", scanner.EncodingUTF16LE, c1, 2, 11},
		{"le.ps1", scanner.EncodingUTF16LE, c1, 2, 11},
	}
	for _, mode := range []GitMode{GitBinary, GitGoGit, gitSplit, goGitWhole} {
		fs, _, err := scanGit(t, GitOptions{Repo: r.dir, Mode: mode, MaxBlobSize: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		var got []hit
		for _, f := range fs {
			got = append(got, hit{f.Location.Path, f.Encoding, f.Location.Commit, f.Location.Line, f.Location.Column})
			checkUTF16Span(t, r.dir, f)
		}
		slices.SortFunc(got, func(a, b hit) int { return strings.Compare(a.Path, b.Path) })
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("mode %d (-want +got):\n%s", mode, diff)
		}
	}
}

// checkUTF16Span checks that the span of f in its blob is the token in UTF-16.
func checkUTF16Span(t *testing.T, dir string, f scanner.Finding) {
	t.Helper()
	l := f.Location
	data, err := exec.Command("git", "-C", dir, "cat-file", "blob", l.Blob).Output()
	if err != nil {
		t.Fatalf("blob of %s: %v", l.Path, err)
	}
	if l.Offset < 0 || l.Offset+int64(l.Length) > int64(len(data)) {
		t.Fatalf("%s: span %d+%d outside the blob", l.Path, l.Offset, l.Length)
	}
	span := data[l.Offset : l.Offset+int64(l.Length)]
	units := make([]uint16, len(span)/2)
	for i := range units {
		a, b := uint16(span[2*i]), uint16(span[2*i+1])
		if f.Encoding == scanner.EncodingUTF16BE {
			units[i] = a<<8 | b
		} else {
			units[i] = b<<8 | a
		}
	}
	if !bytes.Equal([]byte(string(utf16.Decode(units))), []byte(f.Secret.Reveal())) {
		t.Errorf("%s: span %d+%d is not the token", l.Path, l.Offset, l.Length)
	}
}
