package git

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
)

// stRepo is a real repository built with the git binary for the staged and push tests.
type stRepo = testRepo

func newStRepo(t *testing.T) *stRepo { return newTestRepo(t) }

// stToken builds a synthetic, checksum-valid GitHub classic PAT at run time.
func stToken(seed uint64) string {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	rnd := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, 30)
	for i := range b {
		b[i] = alnum[rnd.IntN(len(alnum))]
	}
	return "ghp_" + string(b) + detectors.CRC32Base62(b)
}

// lines joins lines with newlines, ending with one.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

type stagedHit struct {
	Path string
	Line int
}

func scanStaged(t *testing.T, dir string, maxSize int64) (*StagedSource, []stagedHit, scanner.Stats) {
	t.Helper()
	src, err := OpenStaged(t.Context(), StagedOptions{Dir: dir, MaxSize: maxSize})
	if err != nil {
		t.Fatalf("OpenStaged(%s) = %v", dir, err)
	}
	e := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: []byte("test key")})
	fs, st, err := scanner.Run(t.Context(), e, src, scanner.Options{MaxSize: maxSize})
	if err != nil {
		t.Fatalf("scanner.Run(staged) = %v", err)
	}
	checkSpans(t, dir, fs)
	var hits []stagedHit
	for _, f := range fs {
		if f.Location.Source != SourceStaged {
			t.Errorf("finding source = %q, want %q", f.Location.Source, SourceStaged)
		}
		hits = append(hits, stagedHit{f.Location.Path, f.Location.Line})
	}
	return src, hits, st
}

func TestStagedInitialCommit(t *testing.T) {
	t.Parallel()
	r := newStRepo(t)
	r.write("app/config.yml", lines("name: app", "", "token: "+stToken(1)))
	r.write("README", lines("hello"))
	r.git("add", "-A")
	src, hits, st := scanStaged(t, r.dir, 0)
	if want := []stagedHit{{"app/config.yml", 3}}; !cmp.Equal(hits, want) {
		t.Errorf("staged findings = %v, want %v", hits, want)
	}
	if !src.Initial() {
		t.Errorf("Initial() = false before the first commit")
	}
	if st.Chunks != 2 {
		t.Errorf("chunks = %d, want 2", st.Chunks)
	}
}

func TestStaged(t *testing.T) {
	t.Parallel()
	old, tok := stToken(2), stToken(3)
	filler := make([]string, 40)
	for i := range filler {
		filler[i] = fmt.Sprintf("line %d", i+1)
	}
	tests := []struct {
		name    string
		base    map[string]string // committed first
		attrs   string
		stage   func(r *stRepo)
		maxSize int64
		want    []stagedHit
		skipped map[string]int64
	}{
		{
			name: "only added lines of a modified file",
			base: map[string]string{"a.env": lines(append([]string{"OLD=" + old}, filler...)...)},
			stage: func(r *stRepo) {
				ls := append([]string{"OLD=" + old}, filler...)
				ls = slices.Insert(ls, 20, "NEW="+tok)
				r.write("a.env", lines(ls...))
			},
			want: []stagedHit{{"a.env", 21}},
		},
		{
			name:  "rename of unchanged content",
			base:  map[string]string{"a.env": lines(append([]string{"OLD=" + old}, filler...)...)},
			stage: func(r *stRepo) { r.git("mv", "a.env", "b.env") },
		},
		{
			name: "rename with an added line",
			base: map[string]string{"a.env": lines(append([]string{"OLD=" + old}, filler...)...)},
			stage: func(r *stRepo) {
				r.git("mv", "a.env", "b.env")
				r.write("b.env", lines(append(append([]string{"OLD=" + old}, filler...), "NEW="+tok)...))
			},
			want: []stagedHit{{"b.env", 42}},
		},
		{
			name: "odd paths",
			stage: func(r *stRepo) {
				r.write("dir with space/é ü.txt", lines("x", tok))
				r.write("tab\there.txt", lines(tok))
				r.write(`quote"d\back.txt`, lines(tok))
				r.write("日本/設定.json", lines(`{"k": "`+tok+`"}`))
			},
			want: []stagedHit{{"dir with space/é ü.txt", 2}, {`quote"d\back.txt`, 1}, {"tab\there.txt", 1}, {"日本/設定.json", 1}},
		},
		{
			name:    "binary file is skipped and counted",
			stage:   func(r *stRepo) { r.write("blob.bin", "\x00\x01"+tok+"\n") },
			skipped: map[string]int64{scanner.SkipBinary: 1},
		},
		{
			name:    "oversize file is skipped and counted",
			stage:   func(r *stRepo) { r.write("big.txt", strings.Repeat("x", 3000)+"\n"+tok+"\n") },
			maxSize: 2048,
			skipped: map[string]int64{scanner.SkipOversize: 1},
		},
		{
			name:  "text marked -diff is read whole",
			attrs: "*.dat -diff\n",
			stage: func(r *stRepo) { r.write("secret.dat", lines("a", tok)) },
			want:  []stagedHit{{"secret.dat", 2}},
		},
		{
			name:  "deleted file",
			base:  map[string]string{"a.env": lines("OLD=" + old)},
			stage: func(r *stRepo) { r.git("rm", "-q", "a.env") },
		},
		{
			name: "no newline at end, CRLF",
			stage: func(r *stRepo) {
				r.write("win.ini", "[a]\r\nkey="+tok)
			},
			want: []stagedHit{{"win.ini", 2}},
		},
		{
			name: "allow marker",
			stage: func(r *stRepo) {
				r.write("a.go", lines(`var t = "`+tok+`" // patrol:allow`, `var u = "`+stToken(4)+`"`))
			},
			want: []stagedHit{{"a.go", 2}},
		},
		{
			name:  "symlink to a file with a token",
			base:  map[string]string{"a.env": lines("OLD=" + old)},
			stage: func(r *stRepo) { os.Symlink("a.env", filepath.Join(r.dir, "link")) },
		},
		{
			name: "mode change only",
			base: map[string]string{"run.sh": lines("echo " + old)},
			stage: func(r *stRepo) {
				r.git("update-index", "--chmod=+x", "run.sh")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newStRepo(t)
			r.write("seed.txt", "seed\n")
			if tt.attrs != "" {
				r.write(".gitattributes", tt.attrs)
			}
			for p, c := range tt.base {
				r.write(p, c)
			}
			r.commit("base")
			tt.stage(r)
			r.git("add", "-A")
			_, hits, st := scanStaged(t, r.dir, tt.maxSize)
			if !cmp.Equal(hits, tt.want) {
				t.Errorf("staged findings = %v, want %v", hits, tt.want)
			}
			want := tt.skipped
			if want == nil {
				want = map[string]int64{}
			}
			if !cmp.Equal(st.Skipped, want) {
				t.Errorf("skipped = %v, want %v", st.Skipped, want)
			}
			if len(st.Errors) > 0 {
				t.Errorf("errors = %v", st.Errors)
			}
		})
	}
}

func TestStagedSubdirectoryAndOversizeName(t *testing.T) {
	t.Parallel()
	r := newStRepo(t)
	r.write("seed.txt", "seed\n")
	r.commit("base")
	r.write("sub/deep/big.txt", strings.Repeat("y", 5000)+"\n")
	r.git("add", "-A")
	src, _, st := scanStaged(t, filepath.Join(r.dir, "sub", "deep"), 1024)
	if got, want := src.Root(), r.dir; !sameDir(got, want) {
		t.Errorf("Root() = %q, want %q", got, want)
	}
	if len(st.Skips) != 1 || st.Skips[0].Name != "sub/deep/big.txt" || st.Skips[0].Reason != scanner.SkipOversize {
		t.Errorf("skips = %+v, want sub/deep/big.txt oversize", st.Skips)
	}
}

func sameDir(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func TestStagedMerge(t *testing.T) {
	t.Parallel()
	theirs, resolution := stToken(5), stToken(6)
	r := newStRepo(t)
	r.write("a.txt", lines("base"))
	r.write("c.txt", lines("one", "two"))
	r.commit("base")
	r.git("checkout", "-q", "-b", "feature")
	r.write("b.txt", lines("from feature", "KEY="+theirs))
	r.write("c.txt", lines("one", "two", "feature"))
	r.commit("feature")
	r.git("checkout", "-q", "main")
	r.write("a.txt", lines("base", "main"))
	r.write("c.txt", lines("one", "two", "main"))
	r.commit("main")
	if _, err := r.try("merge", "-q", "--no-ff", "feature"); err == nil {
		t.Fatal("merge without a conflict; the test needs one")
	}
	// Unmerged entries cannot be committed; the scan goes over the rest.
	src, hits, st := scanStaged(t, r.dir, 0)
	if !src.Merging() {
		t.Errorf("Merging() = false during a merge")
	}
	if len(hits) != 0 || len(st.Errors) != 0 {
		t.Errorf("with a conflict: findings %v, errors %v; want none", hits, st.Errors)
	}
	// The resolution adds a token of its own: only that one is the merge's.
	r.write("c.txt", lines("one", "two", "main", "feature", "KEY2="+resolution))
	r.git("add", "c.txt")
	_, hits, _ = scanStaged(t, r.dir, 0)
	if want := []stagedHit{{"c.txt", 5}}; !cmp.Equal(hits, want) {
		t.Errorf("merge findings = %v, want %v (b.txt comes from feature)", hits, want)
	}
}

func TestStagedNotWorkTree(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	_, err := OpenStaged(t.Context(), StagedOptions{Dir: t.TempDir()})
	if !errors.Is(err, ErrNotWorkTree) {
		t.Errorf("OpenStaged(not a repo) = %v, want ErrNotWorkTree", err)
	}
}

func TestStagedWorktree(t *testing.T) {
	t.Parallel()
	r := newStRepo(t)
	r.write("a.txt", "a\n")
	r.commit("base")
	wt := filepath.Join(t.TempDir(), "wt")
	r.git("worktree", "add", "-q", "-b", "side", wt)
	if err := os.WriteFile(filepath.Join(wt, "s.env"), []byte(lines("T="+stToken(7))), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "add", "s.env")
	cmd.Dir, cmd.Env = wt, r.env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git add: %v\n%s", err, out)
	}
	src, hits, _ := scanStaged(t, wt, 0)
	if want := []stagedHit{{"s.env", 1}}; !cmp.Equal(hits, want) {
		t.Errorf("worktree findings = %v, want %v", hits, want)
	}
	if !sameDir(src.Root(), wt) {
		t.Errorf("Root() = %q, want %q", src.Root(), wt)
	}
}

func TestParsePatch(t *testing.T) {
	t.Parallel()
	type file struct {
		Path  string
		Text  string
		Added []lineRange
		All   bool
		Whole bool
	}
	tests := []struct {
		name  string
		patch string
		want  []file
	}{
		{
			name:  "whole file with added lines",
			patch: "diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n",
			want:  []file{{Path: "x", Text: "a\nB\nC\nc\n", Added: []lineRange{{2, 3}}, Whole: true}},
		},
		{
			name:  "no newline at end of the new side",
			patch: "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n",
			want:  []file{{Path: "x", Text: "b", Added: []lineRange{{1, 1}}, Whole: true}},
		},
		{
			name:  "empty context line under suppressBlankEmpty",
			patch: "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n a\n\n+c\n",
			want:  []file{{Path: "x", Text: "a\n\nc\n", Added: []lineRange{{3, 3}}, Whole: true}},
		},
		{
			name:  "quoted path and path with a space",
			patch: "diff --git \"a/t\\tx\" \"b/t\\tx\"\n--- /dev/null\n+++ \"b/t\\tx\"\n@@ -0,0 +1 @@\n+q\ndiff --git a/s p b/s p\n--- a/s p\t\n+++ b/s p\t\n@@ -0,0 +1 @@\n+r\n",
			want: []file{
				{Path: "t\tx", Text: "q\n", Added: []lineRange{{1, 1}}, Whole: true},
				{Path: "s p", Text: "r\n", Added: []lineRange{{1, 1}}, Whole: true},
			},
		},
		{
			name:  "deleted, binary and pure rename have no new text",
			patch: "diff --git a/d b/d\ndeleted file mode 100644\n--- a/d\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\ndiff --git a/b b/b\nBinary files a/b and b/b differ\ndiff --git a/r b/s\nsimilarity index 100%\nrename from r\nrename to s\n",
		},
		{
			name:  "a hunk line that looks like a header",
			patch: "diff --git a/x b/x\n--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+diff --git a/y b/y\n++++ b/z\n",
			want:  []file{{Path: "x", Text: "diff --git a/y b/y\n+++ b/z\n", Added: []lineRange{{1, 2}}, Whole: true}},
		},
		{
			name:  "several hunks are not whole",
			patch: "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -2,0 +3 @@\n+k\n@@ -9,0 +11,2 @@\n+l\n+m\n",
			want:  []file{{Path: "x", Text: "k\nl\nm\n", Added: []lineRange{{3, 3}, {11, 12}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []file
			err := parsePatch(bufio.NewReader(strings.NewReader(tt.patch)), true, func(path string, text []byte, added lineSet, whole bool) error {
				got = append(got, file{path, string(text), added.ranges, added.all, whole})
				return nil
			})
			if err != nil {
				t.Fatalf("parsePatch = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(lineRange{})); diff != "" {
				t.Errorf("parsePatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadRawEntries(t *testing.T) {
	t.Parallel()
	raw := ":000000 100644 0000 1111 A\x00new file\x00:100644 100644 2222 2222 R100\x00old\x00new\x00:160000 160000 3333 4444 M\x00sub\x00\x00diff --git"
	br := bufio.NewReader(strings.NewReader(raw))
	got, err := readRawEntries(br)
	if err != nil {
		t.Fatalf("readRawEntries = %v", err)
	}
	want := []stagedEntry{
		{status: 'A', srcMode: "000000", dstMode: "100644", srcSHA: "0000", dstSHA: "1111", path: "new file"},
		{status: 'R', srcMode: "100644", dstMode: "100644", srcSHA: "2222", dstSHA: "2222", path: "new"},
		{status: 'M', srcMode: "160000", dstMode: "160000", srcSHA: "3333", dstSHA: "4444", path: "sub"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(stagedEntry{})); diff != "" {
		t.Errorf("readRawEntries (-want +got):\n%s", diff)
	}
	if rest, _ := br.ReadString('\n'); rest != "diff --git" {
		t.Errorf("after the raw part: %q, want the patch", rest)
	}
	changes := []bool{true, false, false}
	for i, e := range got {
		if e.changesContent() != changes[i] {
			t.Errorf("%s changesContent() = %v, want %v", e.path, e.changesContent(), changes[i])
		}
	}
}

func TestUnquoteC(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{`"a\tb"`, "a\tb", true},
		{`"\303\251"`, "é", true},
		{`"\377x"`, "\xffx", true},
		{`"q\"b\\c"`, `q"b\c`, true},
		{`"bad\9"`, "", false},
		{`"trunc\`, "", false},
		{`noquote`, "", false},
	}
	for _, tt := range tests {
		got, ok := unquoteC(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("unquoteC(%s) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLineSet(t *testing.T) {
	t.Parallel()
	var a lineSet
	for _, n := range []int{1, 2, 3, 7, 9, 10} {
		a.add(n)
	}
	if want := []lineRange{{1, 3}, {7, 7}, {9, 10}}; !cmp.Equal(a.ranges, want, cmp.AllowUnexported(lineRange{})) {
		t.Errorf("ranges = %v, want %v", a.ranges, want)
	}
	b := lineSet{ranges: []lineRange{{2, 8}}}
	i := a.intersect(b)
	if want := []lineRange{{2, 3}, {7, 7}}; !cmp.Equal(i.ranges, want, cmp.AllowUnexported(lineRange{})) {
		t.Errorf("intersect = %v, want %v", i.ranges, want)
	}
	u := a.union(b)
	if want := []lineRange{{1, 10}}; !cmp.Equal(u.ranges, want, cmp.AllowUnexported(lineRange{})) {
		t.Errorf("union = %v, want %v", u.ranges, want)
	}
	for n, want := range map[int]bool{0: false, 1: true, 3: true, 4: false, 8: false, 10: true, 11: false} {
		if a.has(n) != want {
			t.Errorf("has(%d) = %v, want %v", n, a.has(n), want)
		}
	}
	if all := (lineSet{all: true}); !all.intersect(b).has(5) || all.intersect(b).has(9) || !all.has(1e9) {
		t.Errorf("all ∩ b is not b")
	}
}

func FuzzParsePatch(f *testing.F) {
	f.Add("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c\n")
	f.Add("diff --git a/x b/x\n--- /dev/null\n+++ \"b/t\\tx\"\n@@ -0,0 +1 @@\n+q\n\\ No newline at end of file\n")
	f.Add("@@ -1 +1 @@\n+\n@@ -x +y @@\n")
	f.Fuzz(func(t *testing.T, patch string) {
		_ = parsePatch(bufio.NewReaderSize(strings.NewReader(patch), 16), true, func(path string, text []byte, added lineSet, whole bool) error {
			if len(text) > len(patch) {
				t.Fatalf("text longer than the patch")
			}
			for k := 1; k < len(added.ranges); k++ {
				if added.ranges[k].first <= added.ranges[k-1].last {
					t.Fatalf("ranges out of order: %v", added.ranges)
				}
			}
			return nil
		})
	})
}
