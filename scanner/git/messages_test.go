package git

import (
	"bytes"
	"os/exec"
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
