package git

import (
	"context"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// incScan is one incremental scan of a mirror: what it found and read, and its new cursor.
type incScan struct {
	findings []where
	chunks   int64
	seen     int64
	tips     map[string]string
	blobs    []string
}

func scanFrom(t *testing.T, dir string, mode GitMode, cursor map[string]string, skip func(context.Context, []string) (map[string]bool, error)) incScan {
	t.Helper()
	src, err := OpenGit(t.Context(), GitOptions{Repo: dir, Mode: mode, Cursor: cursor, SkipBlobs: skip})
	if err != nil {
		t.Fatalf("OpenGit: %v", err)
	}
	e := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: []byte("k")})
	fs, st, err := scanner.Run(t.Context(), e, src, scanner.Options{Workers: 2})
	if err != nil || len(st.Errors) > 0 {
		t.Fatalf("scan from %v: %v %v", cursor, err, st.Errors)
	}
	tips, err := src.Tips(t.Context())
	if err != nil {
		t.Fatalf("Tips: %v", err)
	}
	return incScan{wheres(fs), st.Chunks, st.Skipped[scanner.SkipSeen], tips, src.Blobs()}
}

// TestGitIncremental runs the scans a service makes of a mirror that it fetches after each
// change upstream: the cursor of one scan is given to the next.
func TestGitIncremental(t *testing.T) {
	t.Parallel()
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		t.Run(fmt.Sprint("mode", mode), func(t *testing.T) {
			t.Parallel()
			incremental(t, mode)
		})
	}
}

func incremental(t *testing.T, mode GitMode) {
	up := newTestRepo(t)
	up.write("a.txt", "hello\n")
	up.commit("c1")
	up.write("config.env", "T="+scantest.GitHubToken()+"\n")
	c2 := up.commit("c2: token")
	up.git("checkout", "-q", "-b", "feature")
	up.write("f.txt", "feature work\n")
	up.commit("f1")
	up.git("checkout", "-q", "main")

	mirror := filepath.Join(t.TempDir(), "mirror.git")
	up.git("clone", "-q", "--mirror", up.dir, mirror)
	fetch := func() { up.git("-C", mirror, "fetch", "-q", "--prune", "origin") }
	// seen is the service's store of scanned blobs.
	seen := map[string]bool{}
	skip := func(_ context.Context, ids []string) (map[string]bool, error) {
		out := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				out[id] = true
			}
		}
		return out, nil
	}
	record := func(s incScan) {
		for _, b := range s.blobs {
			seen[b] = true
		}
	}

	full := scanFrom(t, mirror, mode, nil, skip)
	if len(full.findings) != 1 || full.findings[0].Commit != c2 || full.chunks != 3 {
		t.Fatalf("first scan: %d chunks, findings %v; want 3 blobs and the token of %s", full.chunks, full.findings, c2)
	}
	want := map[string]string{
		"refs/heads/main":    up.git("rev-parse", "main"),
		"refs/heads/feature": up.git("rev-parse", "feature"),
	}
	if diff := cmp.Diff(want, full.tips); diff != "" {
		t.Errorf("Tips (-want +got):\n%s", diff)
	}
	record(full)
	cursor := full.tips

	step := func(name string, wantChunks, wantSeen int64, wantFindings []where) {
		t.Helper()
		fetch()
		s := scanFrom(t, mirror, mode, cursor, skip)
		if s.chunks != wantChunks || s.seen != wantSeen {
			t.Errorf("%s: scanned %d blobs and skipped %d as seen, want %d and %d", name, s.chunks, s.seen, wantChunks, wantSeen)
		}
		if diff := cmp.Diff(wantFindings, s.findings); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", name, diff)
		}
		record(s)
		cursor = s.tips
	}

	step("unchanged", 0, 0, nil)

	up.write("new.env", "N="+scantest.GitHubToken()+"\n")
	c3 := up.commit("c3: push with a token")
	step("push", 1, 0, []where{{"github-classic-pat", "new.env", c3, 1, 3}})

	beforeForce := maps.Clone(cursor)
	// A force push: the last feature commit amended (same tree as before, new message) and
	// one more on top. The amended commit's blob was scanned already.
	up.git("checkout", "-q", "feature")
	up.git("commit", "-q", "--amend", "-m", "f1, reworded")
	up.write("g.txt", "more\n")
	up.commit("f2")
	up.git("checkout", "-q", "main")
	step("force push", 1, 1, nil)

	up.git("tag", "v1", c2)
	step("new tag on a scanned commit", 0, 0, nil)
	if cursor["refs/tags/v1"] != c2 {
		t.Errorf("cursor after the tag = %v, want refs/tags/v1 at %s", cursor, c2)
	}

	up.git("branch", "-q", "-D", "feature")
	step("deleted branch", 0, 0, nil)
	if _, ok := cursor["refs/heads/feature"]; ok {
		t.Errorf("cursor after the deletion still has the branch: %v", cursor)
	}

	// The old tip of the rewritten branch is gc'd away: the scan goes on from the tips that
	// are left (git log would fail on the missing one).
	up.git("-C", mirror, "reflog", "expire", "--expire=now", "--all")
	up.git("-C", mirror, "gc", "-q", "--prune=now")
	if _, err := exec.Command("git", "-C", mirror, "cat-file", "-e", beforeForce["refs/heads/feature"]).CombinedOutput(); err == nil {
		t.Fatalf("the old feature tip survived gc")
	}
	cursor = beforeForce
	step("old tip gone", 0, 0, nil)

	up.write("i.env", "I="+scantest.GitHubToken()+"\n")
	c5 := up.commit("c5")
	step("push after gc", 1, 0, []where{{"github-classic-pat", "i.env", c5, 1, 3}})

	// Nothing of the old set is left: every commit is read again, and the store of scanned
	// blobs keeps each blob from being scanned twice.
	cursor = map[string]string{"refs/heads/main": "1234567890123456789012345678901234567890"}
	step("every old tip gone", 0, 4, nil)
	if got := slices.Sorted(maps.Keys(cursor)); !slices.Equal(got, []string{"refs/heads/main", "refs/tags/v1"}) {
		t.Errorf("cursor = %v, want main and v1", got)
	}
}

func TestGitCursorErrors(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.write("a", "a\n")
	r.commit("a")
	_, _, err := scanGit(t, GitOptions{Repo: r.dir, Cursor: map[string]string{"refs/heads/main": "not-an-id"}})
	if err == nil || !strings.Contains(err.Error(), `"refs/heads/main"`) || !strings.Contains(err.Error(), "not an object id") {
		t.Errorf("scan with a bad cursor = %v, want an error naming the ref", err)
	}
}
