package git

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
)

type pushHit struct {
	Path, Commit string
	Line         int
}

// scanPushed scans the commits reachable from tips but not from exclude, as a pre-push hook
// does, and keeps the findings on lines their commit adds.
func scanPushed(t *testing.T, r *stRepo, mode GitMode, tips, exclude []string) []pushHit {
	t.Helper()
	src, err := OpenGit(t.Context(), GitOptions{Repo: r.dir, Branches: tips, Exclude: exclude, Mode: mode})
	if err != nil {
		t.Fatalf("OpenGit = %v", err)
	}
	e := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: []byte("k")})
	fs, st, err := scanner.Run(t.Context(), e, src, scanner.Options{})
	if err != nil || len(st.Errors) > 0 {
		t.Fatalf("Run = %v, %v", err, st.Errors)
	}
	fs, err = KeepAdded(t.Context(), r.dir, fs)
	if err != nil {
		t.Fatalf("KeepAdded = %v", err)
	}
	var out []pushHit
	for _, f := range fs {
		out = append(out, pushHit{f.Location.Path, f.Location.Commit, f.Location.Line})
	}
	return out
}

func TestPushRangeAndKeepAdded(t *testing.T) {
	t.Parallel()
	pushed, merged, evil := stToken(10), stToken(11), stToken(12)
	r := newStRepo(t)
	r.write("a.env", lines("A="+stToken(13), "x"))
	root := r.commit("root: a token the remote has")
	r.write("a.env", lines("A="+stToken(13), "x", "B="+pushed))
	c2 := r.commit("adds a token next to the old one")
	r.git("checkout", "-q", "-b", "side", root)
	r.write("side.env", lines("S="+merged))
	side := r.commit("side")
	r.git("checkout", "-q", "main")
	r.git("merge", "-q", "--no-ff", "--no-commit", "side")
	r.write("merge.env", lines("M="+evil))
	r.git("add", "-A")
	r.git("commit", "-q", "-m", "merge with a token of its own")
	merge := r.git("rev-parse", "HEAD")

	tests := []struct {
		name          string
		tips, exclude []string
		want          []pushHit
	}{
		{"update: only what the remote lacks", []string{c2}, []string{root}, []pushHit{{"a.env", c2, 3}}},
		{"new branch: everything from the root", []string{root}, nil, []pushHit{{"a.env", root, 1}}},
		{"merge: the side and the merge's own line", []string{merge}, []string{c2}, []pushHit{{"merge.env", merge, 1}, {"side.env", side, 1}}},
		{"merge with the side on the remote", []string{merge}, []string{c2, side}, []pushHit{{"merge.env", merge, 1}}},
		{"nothing new", []string{root}, []string{c2}, nil},
	}
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				got := scanPushed(t, r, mode, tt.tips, tt.exclude)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("mode %d: pushed findings (-want +got):\n%s", mode, diff)
				}
			})
		}
	}
}

func TestExcludeErrors(t *testing.T) {
	t.Parallel()
	r := newStRepo(t)
	r.write("a", "a\n")
	r.commit("a")
	tests := []struct {
		name    string
		exclude string
		is      error
	}{
		{"option-like", "--output=x", ErrOptionLike},
		{"unknown", "no-such-ref", ErrNoSuchRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := OpenGit(t.Context(), GitOptions{Repo: r.dir, Exclude: []string{tt.exclude}})
			if err == nil {
				_, _, err = scanner.Run(t.Context(), scanner.NewEngine(nil, scanner.EngineOptions{}), src, scanner.Options{})
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("scan with Exclude %q = %v, want %v", tt.exclude, err, tt.is)
			}
		})
	}
}

// TestKeepAddedKeepsMessages: a token in the message of a pushed commit is kept (a message
// has no diff lines), and a token in the message of a commit the remote has is not scanned.
func TestKeepAddedKeepsMessages(t *testing.T) {
	t.Parallel()
	old, pushed := stToken(20), stToken(21)
	r := newStRepo(t)
	r.write("a.txt", lines("x"))
	base := r.commit("deploy with " + old)
	r.write("a.txt", lines("x", "y"))
	tip := r.commit("rotate to " + pushed)
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		got := scanPushed(t, r, mode, []string{tip}, []string{base})
		want := []pushHit{{Path: "", Commit: tip, Line: 1}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("mode %v: kept (-want +got):\n%s", mode, diff)
		}
	}
}
