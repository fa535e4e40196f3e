package scan

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
	"github.com/patrolsec/patrol/secret"
)

// same reports whether tok is the token of f, by fingerprint: the test never prints a token.
func same(f scanner.Finding, tok secret.Token) bool {
	return secret.Fingerprint(testKey, f.DetectorID, tok) == f.Fingerprint
}

func where(res Result, f scanner.Finding, cloneDir string) Where {
	l := f.Location
	repo := res.Repository
	if l.Source == scanner.SourceDir {
		repo = res.Root
	}
	return Where{Source: l.Source, Repository: repo, CloneDir: cloneDir, Blob: l.Blob, Commit: l.Commit, Path: l.Path, Offset: l.Offset, Length: l.Length, Kind: l.Kind, Encoding: f.Encoding}
}

func TestRehydrate(t *testing.T) {
	t.Parallel()
	r, _ := fixture(t)
	// A token inside base64 too: Rehydrate reads the line around the encoded text.
	r.Write("auth.txt", "Authorization: Basic "+base64.StdEncoding.EncodeToString([]byte("u:"+scantest.ADOToken()))+"\n")
	r.Commit("c3")
	clones := t.TempDir()
	for _, req := range []Request{
		{Target: r.Dir},
		{Target: r.Dir, Mode: Dir},
		{Target: "file://" + r.Dir, CloneDir: clones},
	} {
		req.Engine = engine()
		res, err := Run(t.Context(), req)
		if err != nil || len(res.Findings) != 2 {
			t.Fatalf("Run(%s) = %d findings, %v; want 2", req.Target, len(res.Findings), err)
		}
		for _, f := range res.Findings {
			tok, err := Rehydrate(t.Context(), engine(), where(res, f, clones), f.Fingerprint)
			if err != nil || !same(f, tok) {
				t.Errorf("Rehydrate(%s %s) = %v; want the token back", f.Location.Source, f.Location.Path, err)
			}
		}
	}
}

// TestRehydrateMessages: tokens in a commit message and a tag message are read again from the
// commit and tag objects, in the repository and in a clone.
func TestRehydrateMessages(t *testing.T) {
	t.Parallel()
	r := scantest.NewRepo(t)
	r.Write("a.txt", "hello\n")
	r.Commit("first line\n\nthe token is " + scantest.GitHubToken())
	r.Git("tag", "-a", "-m", "release\n\n"+scantest.ADOToken(), "v1")
	clones := t.TempDir()
	for _, req := range []Request{
		{Target: r.Dir},
		{Target: "file://" + r.Dir, CloneDir: clones},
	} {
		req.Engine = engine()
		res, err := Run(t.Context(), req)
		if err != nil || len(res.Findings) != 2 {
			t.Fatalf("Run(%s) = %d findings, %v; want 2", req.Target, len(res.Findings), err)
		}
		kinds := map[string]bool{}
		for _, f := range res.Findings {
			kinds[f.Location.Kind] = true
			tok, err := Rehydrate(t.Context(), engine(), where(res, f, clones), f.Fingerprint)
			if err != nil || !same(f, tok) {
				t.Errorf("Rehydrate(%s of %s) = %v; want the token back", f.Location.Kind, f.Location.Commit, err)
			}
			moved := where(res, f, clones)
			moved.Offset += 3
			if _, err := Rehydrate(t.Context(), engine(), moved, "not-"+f.Fingerprint); !errors.Is(err, ErrNoMatch) {
				t.Errorf("Rehydrate(%s, another fingerprint) = %v; want ErrNoMatch", f.Location.Kind, err)
			}
		}
		if !kinds[scanner.KindCommitMessage] || !kinds[scanner.KindTagMessage] {
			t.Errorf("Run(%s) found tokens in %v; want a commit message and a tag message", req.Target, kinds)
		}
	}
}

// TestRehydrateUTF16: a token in a UTF-16 file (with and without a byte order mark, far from
// the start) is read again from the span in the file's own bytes.
func TestRehydrateUTF16(t *testing.T) {
	t.Parallel()
	r := scantest.NewRepo(t)
	pad := strings.Repeat("# filler line\r\n", 600) // more than the margin Rehydrate reads
	r.Write("a.ps1", scantest.UTF16(pad+"$t = '"+scantest.GitHubToken()+"'\r\n", false, true))
	r.Write("b.reg", scantest.UTF16(pad+"\"t\"=\""+scantest.ADOToken()+"\"\r\n", true, false))
	r.Commit("c1")
	for _, req := range []Request{{Target: r.Dir}, {Target: r.Dir, Mode: Dir}} {
		req.Engine = engine()
		res, err := Run(t.Context(), req)
		if err != nil || len(res.Findings) != 2 {
			t.Fatalf("Run(%s) = %d findings, %v; want 2", req.Target, len(res.Findings), err)
		}
		for _, f := range res.Findings {
			if !strings.HasPrefix(f.Encoding, "utf-16") {
				t.Errorf("%s: encoding %q, want utf-16le or utf-16be", f.Location.Path, f.Encoding)
			}
			tok, err := Rehydrate(t.Context(), engine(), where(res, f, ""), f.Fingerprint)
			if err != nil || !same(f, tok) {
				t.Errorf("Rehydrate(%s %s) = %v; want the token back", f.Location.Source, f.Location.Path, err)
			}
		}
	}
}

func TestRehydrateErrors(t *testing.T) {
	t.Parallel()
	r, _ := fixture(t)
	res, err := Run(t.Context(), Request{Target: r.Dir, Mode: Dir, Engine: engine()})
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("Run = %d findings, %v", len(res.Findings), err)
	}
	f := res.Findings[0]
	w := where(res, f, "")
	gitRes, err := Run(t.Context(), Request{Target: r.Dir, Engine: engine()})
	if err != nil || len(gitRes.Findings) != 1 {
		t.Fatalf("Run(git) = %v", err)
	}
	gw := where(gitRes, gitRes.Findings[0], "")

	// The file changes: another token of the same shape at the same place.
	path := filepath.Join(r.Dir, "app", "config.env")
	if err := os.WriteFile(path, []byte("DEBUG=1\nGITHUB_TOKEN="+scantest.GitHubToken()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gone := gw
	gone.Blob = strings.Repeat("ab", 20)
	short := w
	short.Offset = 1 << 20
	tests := []struct {
		name string
		w    Where
		is   error
		text string
	}{
		{"changed file", w, ErrNoMatch, path},
		{"file past its end", short, ErrNoMatch, "past its end"},
		{"blob gone", gone, ErrGone, gone.Blob},
		{"clone gone", Where{Source: scanner.SourceGit, Repository: "https://host/r.git", CloneDir: t.TempDir(), Blob: gw.Blob, Length: 1}, ErrGone, "no clone"},
		{"deleted file", Where{Source: scanner.SourceDir, Repository: r.Dir, Path: "nope.env", Length: 1}, ErrGone, "nope.env"},
		{"path outside the root", Where{Source: scanner.SourceDir, Repository: r.Dir, Path: "../x", Length: 1}, nil, "not inside"},
		{"stdin", Where{Source: scanner.SourceStdin}, nil, "cannot be read again"},
		{"message of no object", Where{Source: scanner.SourceGit, Repository: r.Dir, Kind: scanner.KindCommitMessage}, nil, "not an object id"},
		{"message of a gone commit", Where{Source: scanner.SourceGit, Repository: r.Dir, Kind: scanner.KindCommitMessage, Commit: gone.Blob, Length: 1}, ErrGone, gone.Blob},
		{"message in a dir scan", Where{Source: scanner.SourceDir, Repository: r.Dir, Kind: scanner.KindTagMessage}, nil, "in a dir scan"},
		{"unknown kind", Where{Source: scanner.SourceGit, Kind: "note"}, nil, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Rehydrate(t.Context(), engine(), tt.w, f.Fingerprint)
			if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("Rehydrate = %v, want an error (%v) saying %q", err, tt.is, tt.text)
			}
		})
	}
	// The blob still holds the token the file lost.
	if tok, err := Rehydrate(t.Context(), engine(), gw, f.Fingerprint); err != nil || !same(f, tok) {
		t.Errorf("Rehydrate(blob) after the file changed = %v; want the token", err)
	}
}
