package report

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/patrolsec/patrol/scanner"
)

func TestClean(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{in: "plain/path.go", want: "plain/path.go"},
		{in: `quote " and \ stay`, want: `quote " and \ stay`},
		{in: "é ünïcode…", want: "é ünïcode…"},
		{in: "esc\x1b[2J", want: `esc\x1b[2J`},
		{in: "new\nline", want: `new\nline`},
		{in: "bidi\u202eevil", want: `bidi\u202eevil`},
		{in: "bad\xffutf8", want: `bad\xffutf8`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			if got := clean(tc.in); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTextPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		loc  scanner.Location
		root string
		want string
	}{
		{name: "no root", loc: scanner.Location{Source: scanner.SourceDir, Path: "a/b.go"}, want: "a/b.go"},
		{name: "root", loc: scanner.Location{Source: scanner.SourceGit, Path: "a/b.go"}, root: "repo", want: "repo/a/b.go"},
		{name: "stdin", loc: scanner.Location{Source: scanner.SourceStdin}, root: "repo", want: "<stdin>"},
		{name: "commit message", loc: scanner.Location{Source: scanner.SourceGit, Kind: scanner.KindCommitMessage, Commit: strings.Repeat("ab", 20)}, root: "repo", want: "commit message of " + strings.Repeat("ab", 20)},
		{name: "tag message", loc: scanner.Location{Source: scanner.SourceGit, Kind: scanner.KindTagMessage, Commit: strings.Repeat("cd", 20)}, want: "tag message of " + strings.Repeat("cd", 20)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := textPath(tc.loc, tc.root); got != tc.want {
				t.Errorf("textPath(%+v, %q) = %q, want %q", tc.loc, tc.root, got, tc.want)
			}
		})
	}
}

func TestTextColor(t *testing.T) {
	t.Parallel()
	for _, color := range []bool{false, true} {
		out := string(render(t, FormatText, fixtureEntries(), Options{Color: color}))
		// The fixture's author name carries an ESC; it must never reach the terminal raw, so
		// without colour there is no ESC byte at all.
		if got := strings.Contains(out, "\x1b"); got != color {
			t.Errorf("Write(text, Color=%v) contains ESC = %v, want %v", color, got, color)
		}
		if strings.Contains(out, "\x1b[2J") {
			t.Errorf("Write(text, Color=%v) passes the fixture's escape sequence through", color)
		}
	}
}

// FuzzClean checks that whatever a repository holds, clean lets nothing unprintable through.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"plain", "esc\x1b[2J", "bidi\u202e", "bad\xff", "tab\tnl\n", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := clean(s)
		if !utf8.ValidString(got) {
			t.Fatalf("clean(%q) = %q, not valid UTF-8", s, got)
		}
		for _, r := range got {
			if !strconv.IsPrint(r) {
				t.Fatalf("clean(%q) = %q, contains unprintable %U", s, got, r)
			}
		}
	})
}
