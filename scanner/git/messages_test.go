package git

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// msgWhere is a message finding reduced to what the tests check.
type msgWhere struct {
	Kind, Commit, Path, Blob string
	Line, Column             int
}

func msgWheres(fs []scanner.Finding) []msgWhere {
	var out []msgWhere
	for _, f := range fs {
		if l := f.Location; l.Kind != "" {
			out = append(out, msgWhere{l.Kind, l.Commit, l.Path, l.Blob, l.Line, l.Column})
		}
	}
	return out
}

// checkMessageSpans checks that each message finding's Offset and Length lead to its token in
// the message of its commit or tag object (MessageOf of `git cat-file`). It never prints a token.
func checkMessageSpans(t *testing.T, dir string, fs []scanner.Finding) {
	t.Helper()
	for _, f := range fs {
		l := f.Location
		typ := map[string]string{scanner.KindCommitMessage: "commit", scanner.KindTagMessage: "tag"}[l.Kind]
		if typ == "" {
			continue
		}
		raw, err := exec.Command("git", "-C", dir, "cat-file", typ, l.Commit).Output()
		if err != nil {
			t.Errorf("%s %s: %v", l.Kind, l.Commit, err)
			continue
		}
		msg, ok := MessageOf(raw)
		if !ok || l.Offset < 0 || l.Offset+int64(l.Length) > int64(len(msg)) {
			t.Errorf("%s %s: span %d+%d outside the message (%d bytes)", l.Kind, l.Commit, l.Offset, l.Length, len(msg))
			continue
		}
		if !bytes.Equal(msg[l.Offset:l.Offset+int64(l.Length)], []byte(f.Secret.Reveal())) {
			t.Errorf("%s %s: span %d+%d does not hold the %s token", l.Kind, l.Commit, l.Offset, l.Length, f.DetectorID)
		}
	}
}

func TestGitMessages(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	inCommit, inTag := scantest.GitHubToken(), scantest.GitHubToken()
	r.write("a.txt", "one\n")
	msg := "deploy: set the token\n\nused " + inCommit + " for now"
	c1 := r.commit(msg)
	r.write("a.txt", "two\n")
	r.commit(msg) // the same message again: scanned once, at its first commit
	r.write("a.txt", "three\n")
	r.commit("clean")
	r.git("tag", "-a", "-m", "release\n\ntoken="+inTag, "v1")
	tagID := strings.TrimSpace(r.git("rev-parse", "refs/tags/v1"))
	r.git("tag", "-a", "-m", "release\n\ntoken="+inTag, "v1-again") // equal text: once

	want := []msgWhere{
		{Kind: scanner.KindCommitMessage, Commit: c1, Line: 3, Column: 6},
		{Kind: scanner.KindTagMessage, Commit: tagID, Line: 3, Column: 7},
	}
	for _, mode := range []GitMode{GitBinary, GitGoGit, gitSplit, goGitWhole} {
		for _, branches := range [][]string{nil, {"main", "v1", "v1-again"}} {
			t.Run("", func(t *testing.T) {
				t.Parallel()
				fs, _, err := scanGit(t, GitOptions{Repo: r.dir, Mode: mode, Branches: branches})
				if err != nil {
					t.Fatal(err)
				}
				if len(fs) != 2 {
					t.Errorf("mode %d, branches %v: %d findings, want 2", mode, branches, len(fs))
				}
				if diff := cmp.Diff(want, msgWheres(fs)); diff != "" {
					t.Errorf("mode %d, branches %v: message findings (-want +got):\n%s", mode, branches, diff)
				}
				checkMessageSpans(t, r.dir, fs)
			})
		}
	}
}

// TestGitMessagesIncremental: a scan from a cursor reads the messages of the new commits and
// tags only, as patrol serve's scans and the pre-push hook's do.
func TestGitMessagesIncremental(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.write("a.txt", "one\n")
	r.commit("old: " + scantest.GitHubToken())
	r.git("tag", "-a", "-m", "old tag "+scantest.GitHubToken(), "v0")
	src, err := OpenGit(t.Context(), GitOptions{Repo: r.dir})
	if err != nil {
		t.Fatal(err)
	}
	cursor, err := src.Tips(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r.write("a.txt", "two\n")
	c2 := r.commit("new: " + scantest.GitHubToken())
	r.git("tag", "-a", "-m", "new tag on an old commit "+scantest.GitHubToken(), "v-old", "HEAD~1")
	tagID := strings.TrimSpace(r.git("rev-parse", "refs/tags/v-old"))
	want := []msgWhere{
		{Kind: scanner.KindCommitMessage, Commit: c2, Line: 1, Column: 6},
		{Kind: scanner.KindTagMessage, Commit: tagID, Line: 1, Column: 26},
	}
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		fs, _, err := scanGit(t, GitOptions{Repo: r.dir, Mode: mode, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, msgWheres(fs)); diff != "" || len(fs) != 2 {
			t.Errorf("mode %d: %d findings; message findings (-want +got):\n%s", mode, len(fs), diff)
		}
		checkMessageSpans(t, r.dir, fs)
	}
}

// TestGitMessagesBackendsAgree: the messages git log prints with the history (the git binary)
// and the ones read from the objects (go-git) give the same findings, located alike, for
// messages in a legacy encoding (git must not re-encode them: the span is in the object's
// bytes), longer than the log reader's buffer, empty, and by authors with odd names.
func TestGitMessagesBackendsAgree(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	latin, bare, long, odd := scantest.GitHubToken(), scantest.GitHubToken(), scantest.GitHubToken(), scantest.GitHubToken()
	r.write("a.txt", "one\n")
	r.git("add", "-A")
	r.git("-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "-m", "caf\xe9 cr\xe8me\n\ntoken="+latin)
	r.git("commit", "-q", "--allow-empty", "-m", "caf\xe9 without a header\n\ntoken="+bare)
	r.git("commit", "-q", "--allow-empty", "--allow-empty-message", "-m", "")
	r.write("a.txt", "two\n")
	msgFile := filepath.Join(t.TempDir(), "msg")
	if err := os.WriteFile(msgFile, []byte(strings.Repeat("padding line\n", 30000)+"\ntoken="+long), 0o600); err != nil {
		t.Fatal(err)
	}
	r.git("add", "-A")
	r.git("commit", "-q", "-F", msgFile)
	r.git("-c", "user.name=  Ze\x01ro :100644 ", "-c", "user.email=z@example.com", "commit", "-q", "--allow-empty", "-m", ":100644 100644 x\n\x01"+odd)
	var got [][]scanner.Location
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		fs, _, err := scanGit(t, GitOptions{Repo: r.dir, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		checkMessageSpans(t, r.dir, fs)
		var locs []scanner.Location
		for _, f := range fs {
			if f.Location.Kind != "" {
				locs = append(locs, f.Location)
			}
		}
		if len(locs) != 4 {
			t.Errorf("mode %d: %d message findings, want 4", mode, len(locs))
		}
		got = append(got, locs)
	}
	if diff := cmp.Diff(got[1], got[0]); diff != "" {
		t.Errorf("git binary vs go-git message findings (-go-git +git):\n%s", diff)
	}
}

// FuzzParseRawLog feeds parseRawLog arbitrary `git log` output, with and without the message
// fields: a commit message is the committer's text, so the parser must hold whatever git
// prints for it. It never panics, and it reports a message per commit at most.
func FuzzParseRawLog(f *testing.F) {
	c := strings.Repeat("ab", 20)
	f.Add([]byte("\x01"+c+"\x00A B\x00a@b\x001796618366\x00\x00first line\n\nbody\n:100644 x\n\x00\n:000000 100644 "+
		strings.Repeat("0", 40)+" "+c+" A\x00a.txt\x00"), true)
	f.Add([]byte("\x01"+c+"\x00\x00\x00x\x00ISO-8859-1\x00\x00\x01"+c+"\x00"), true)
	f.Add([]byte("\x01"+c+"\x00\n:100644 100644 "+c+" "+c+" M\x00p\x00"), false)
	f.Fuzz(func(t *testing.T, out []byte, withMessages bool) {
		idx := newGitIndex()
		n := 0
		var msg func(commitMessage) error
		if withMessages {
			msg = func(commitMessage) error { n++; return nil }
		}
		_ = parseRawLog(t.Context(), bytes.NewReader(out), idx, msg)
		if n > len(idx.commits) {
			t.Errorf("%d messages for %d commits", n, len(idx.commits))
		}
	})
}
