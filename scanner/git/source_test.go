package git

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/internal/httpx"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// testRepo is a real repository built with the git binary (scantest.Repo).
type testRepo struct {
	*scantest.Repo
	dir string
	env []string
}

func newTestRepo(t *testing.T, args ...string) *testRepo {
	t.Helper()
	r := scantest.NewRepo(t, args...)
	return &testRepo{r, r.Dir, r.Env}
}

func (r *testRepo) git(args ...string) string          { r.T.Helper(); return r.Git(args...) }
func (r *testRepo) write(path, content string)         { r.T.Helper(); r.Write(path, content) }
func (r *testRepo) commit(msg string) string           { r.T.Helper(); return r.Commit(msg) }
func (r *testRepo) try(args ...string) (string, error) { return r.Try(args...) }

// where is a finding reduced to what the tests check.
type where struct {
	Detector, Path, Commit string
	Line, Column           int
}

func wheres(fs []scanner.Finding) []where {
	var out []where
	for _, f := range fs {
		out = append(out, where{f.DetectorID, f.Location.Path, f.Location.Commit, f.Location.Line, f.Location.Column})
	}
	slices.SortFunc(out, func(a, b where) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

// span is where a finding's bytes are.
type span struct {
	Path, Commit, Blob, Encoding string
	Offset                       int64
	Length                       int
}

func spans(fs []scanner.Finding) []span {
	var out []span
	for _, f := range fs {
		l := f.Location
		out = append(out, span{l.Path, l.Commit, l.Blob, f.Encoding, l.Offset, l.Length})
	}
	slices.SortFunc(out, func(a, b span) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

// checkSpans checks that each finding's Blob, Offset and Length lead back to its token in the
// repository at dir (the token itself, or encoded text that decodes to hold it), and that
// Line and Column say the same place. It never prints a token.
func checkSpans(t *testing.T, dir string, fs []scanner.Finding) {
	t.Helper()
	blobs := map[string][]byte{}
	for _, f := range fs {
		l := f.Location
		data, ok := blobs[l.Blob]
		if !ok {
			out, err := exec.Command("git", "-C", dir, "cat-file", "blob", l.Blob).Output()
			if err != nil {
				t.Errorf("%s:%d: blob %q: %v", l.Path, l.Line, l.Blob, err)
				continue
			}
			data, blobs[l.Blob] = out, out
		}
		if l.Offset < 0 || l.Length <= 0 || l.Offset+int64(l.Length) > int64(len(data)) {
			t.Errorf("%s:%d: span %d+%d outside blob %s of %d bytes", l.Path, l.Line, l.Offset, l.Length, l.Blob, len(data))
			continue
		}
		text := data[l.Offset : l.Offset+int64(l.Length)]
		levels := strings.Split(f.Encoding, "+")
		switch {
		case f.Encoding == "":
		case levels[0] == "base64":
			text, _ = detectors.DecodeBase64Run(text)
			// Nested levels: the token is in what the runs inside decode to.
			for range levels[1:] {
				var inner []byte
				for _, r := range detectors.DecodeRuns(text) {
					inner = append(append(inner, r.Data...), '\n')
				}
				text = inner
			}
		default:
			t.Errorf("%s:%d: encoding %q not checked here", l.Path, l.Line, f.Encoding)
		}
		if !bytes.Contains(text, []byte(f.Secret.Reveal())) {
			t.Errorf("%s:%d: span %d+%d of blob %s does not hold the %s token", l.Path, l.Line, l.Offset, l.Length, l.Blob, f.DetectorID)
		}
		if line, col := lineCol(data, int(l.Offset)); line != l.Line || col != l.Column {
			t.Errorf("%s: offset %d is %d:%d, location says %d:%d", l.Path, l.Offset, line, col, l.Line, l.Column)
		}
	}
}

// Test modes for scanGit: gitSplit reads blobs with several goroutines even in small
// repositories; goGitWhole is go-git reading every blob whole (no pack reader), the reference
// that the delta path must agree with.
const (
	gitSplit   GitMode = -1
	goGitWhole GitMode = -2
)

func scanGit(t *testing.T, opts GitOptions) ([]scanner.Finding, scanner.Stats, error) {
	t.Helper()
	if opts.MaxBlobSize == 0 {
		opts.MaxBlobSize = 1024 // big.txt is skipped
	}
	mode := opts.Mode
	switch mode {
	case gitSplit:
		opts.Mode = GitBinary
	case goGitWhole:
		opts.Mode = GitGoGit
	}
	src, err := OpenGit(t.Context(), opts)
	if err != nil {
		return nil, scanner.Stats{}, err
	}
	switch mode {
	case gitSplit:
		src.b.(*execGit).splitMin = 0
	case goGitWhole:
		src.b.(*goGit).noPacks = true
	}
	e := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: []byte("test-key")})
	return scanner.Run(t.Context(), e, src, scanner.Options{Workers: 2})
}

// historyFixture is a repository with tokens planted at known commits.
type historyFixture struct {
	r                                   *testRepo
	c1, c2, c3, c4, c5, c6, cTag, cSide string
	want                                map[string]where // by name
}

func newHistoryFixture(t *testing.T) *historyFixture {
	r := newTestRepo(t)
	h := &historyFixture{r: r, want: map[string]where{}}
	t1, t2, t3, t4, t5 := scantest.GitHubToken(), scantest.GitHubToken(), scantest.ADOToken(), scantest.GitHubToken(), scantest.GitHubToken()

	r.write("README.md", "# demo\n")
	h.c1 = r.commit("c1: readme")
	r.write("config.env", "# settings\nDEBUG=1\nGITHUB_TOKEN="+t1+"\n")
	h.c2 = r.commit("c2: add config with a token")
	r.write("README.md", "# demo\n\nmore text\n")
	h.c3 = r.commit("c3: edit readme, keep the token")

	// A side branch from c3.
	r.git("checkout", "-q", "-b", "side")
	r.write("side.yaml", "azure:\n  pat: "+t3+"\n")
	h.cSide = r.commit("side: ado token")

	// A commit reachable only from a tag.
	r.git("checkout", "-q", "--detach", h.c3)
	r.write("tagged.txt", "x "+t2+"\n")
	h.cTag = r.commit("tag-only commit")
	r.git("tag", "-a", "-m", "secret release", "v-secret")

	r.git("checkout", "-q", "main")
	// The same blob at a second path.
	r.write("deploy/config.env", "# settings\nDEBUG=1\nGITHUB_TOKEN="+t1+"\n")
	h.c4 = r.commit("c4: copy config")
	r.write("old.txt", "\n\n    token: '"+t4+"'\n")
	big := strings.Repeat("filler line of text\n", 200) + "tok=" + scantest.GitHubToken() + "\n"
	r.write("big.txt", big)
	r.write("bin.dat", "\x00\x01\x02 binary "+t5+"\n")
	h.c5 = r.commit("c5: old token, big file, binary file")
	if err := os.Remove(filepath.Join(r.dir, "old.txt")); err != nil {
		t.Fatal(err)
	}
	h.c6 = r.commit("c6: remove old token")

	h.want["t1"] = where{"github-classic-pat", "config.env", h.c2, 3, 14}
	h.want["t1copy"] = where{"github-classic-pat", "deploy/config.env", h.c4, 3, 14}
	h.want["t2"] = where{"github-classic-pat", "tagged.txt", h.cTag, 1, 3}
	h.want["t3"] = where{"azure-devops-pat", "side.yaml", h.cSide, 2, 8}
	h.want["t4"] = where{"github-classic-pat", "old.txt", h.c5, 3, 13}
	return h
}

func (h *historyFixture) expect(names ...string) []where {
	var out []where
	for _, n := range names {
		out = append(out, h.want[n])
	}
	slices.SortFunc(out, func(a, b where) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

func TestGitHistory(t *testing.T) {
	t.Parallel()
	loose := newHistoryFixture(t)
	packed := newHistoryFixture(t)
	packed.r.git("repack", "-adq")
	packed.r.git("prune-packed")
	for _, tc := range []struct {
		name string
		h    *historyFixture
		mode GitMode
	}{
		{"loose/git", loose, GitBinary},
		{"loose/go-git", loose, GitGoGit},
		{"packed/git", packed, GitBinary},
		{"packed/git-split", packed, gitSplit},
		{"packed/go-git", packed, GitGoGit},
		{"packed/go-git-whole", packed, goGitWhole},
	} {
		h, mode := tc.h, tc.mode
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs, st, err := scanGit(t, GitOptions{Repo: h.r.dir, MaxBlobSize: 1024, Mode: mode})
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			want := h.expect("t1", "t1copy", "t2", "t3", "t4")
			if diff := cmp.Diff(want, wheres(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			checkSpans(t, h.r.dir, fs)
			if st.Skipped[scanner.SkipOversize] != 1 || st.Skipped[scanner.SkipBinary] != 1 {
				t.Errorf("Skipped = %v, want 1 oversize and 1 binary", st.Skipped)
			}
			if len(st.Errors) != 0 {
				t.Errorf("Errors = %v, want none", st.Errors)
			}
			for _, f := range fs {
				l := f.Location
				if l.Source != scanner.SourceGit || l.Repository != h.r.dir || l.AuthorName != "Ada Author" ||
					l.AuthorEmail != "ada@example.com" || l.Date == nil || l.Date.Location() != time.UTC {
					t.Errorf("location = %+v, want git, %s, Ada Author <ada@example.com>, a UTC date", l, h.r.dir)
				}
				if f.Location.Blob == "" {
					t.Errorf("finding at %s has no blob id", l.Path)
				}
			}
			// The date is the commit's author date.
			for _, f := range fs {
				if f.Location.Commit == h.c2 {
					want := h.r.git("show", "-s", "--format=%aI", h.c2)
					if got := f.Location.Date.Format(time.RFC3339); got != strings.Replace(want, "+00:00", "Z", 1) {
						t.Errorf("date of %s = %s, want %s", h.c2, got, want)
					}
				}
			}
		})
	}
}

func TestGitSelection(t *testing.T) {
	t.Parallel()
	h := newHistoryFixture(t)
	c4date := h.r.git("show", "-s", "--format=%cI", h.c4)
	tests := []struct {
		name     string
		branches []string
		since    string
		want     []string
	}{
		{name: "main", branches: []string{"main"}, want: []string{"t1", "t1copy", "t4"}},
		{name: "side", branches: []string{"side"}, want: []string{"t1", "t3"}},
		{name: "tag", branches: []string{"v-secret"}, want: []string{"t1", "t2"}},
		{name: "two refs", branches: []string{"refs/heads/side", "v-secret"}, want: []string{"t1", "t2", "t3"}},
		{name: "since rev", since: h.c3, want: []string{"t1copy", "t2", "t3", "t4"}},
		{name: "since rev on a branch", since: h.c4, branches: []string{"main"}, want: []string{"t4"}},
		{name: "since date", since: c4date, branches: []string{"main"}, want: []string{"t1copy", "t4"}},
		{name: "since day", since: "2024-01-01", branches: []string{"main"}, want: []string{"t1", "t1copy", "t4"}},
	}
	// A packed copy (same commits) exercises the pack reader.
	packed := filepath.Join(t.TempDir(), "packed")
	h.r.git("clone", "-q", "--mirror", h.r.dir, packed)
	for _, repo := range []string{h.r.dir, packed} {
		for _, mode := range []GitMode{GitBinary, GitGoGit, gitSplit} {
			for _, tt := range tests {
				t.Run(fmt.Sprint(tt.name, "/mode", mode, "/", filepath.Base(repo)), func(t *testing.T) {
					t.Parallel()
					selectionCase(t, h, repo, mode, tt.branches, tt.since, tt.want)
				})
			}
		}
	}
}

func selectionCase(t *testing.T, h *historyFixture, repo string, mode GitMode, branches []string, since string, want []string) {
	tt := struct {
		branches []string
		since    string
		want     []string
	}{branches, since, want}
	{
		{
			{
				fs, _, err := scanGit(t, GitOptions{Repo: repo, Branches: tt.branches, Since: tt.since, Mode: mode})
				if err != nil {
					t.Fatalf("scan: %v", err)
				}
				if diff := cmp.Diff(h.expect(tt.want...), wheres(fs)); diff != "" {
					t.Errorf("findings (-want +got):\n%s", diff)
				}
			}
		}
	}
}

func TestGitMergeIntroducesBlob(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	r.write("a.txt", "one\n")
	r.commit("base")
	r.git("checkout", "-q", "-b", "topic")
	r.write("a.txt", "topic\n")
	r.commit("topic")
	r.git("checkout", "-q", "main")
	r.write("a.txt", "main\n")
	r.commit("main")
	tok := scantest.GitHubToken()
	// A conflict resolved with new content: the token exists only in the merge commit.
	cmd := exec.Command("git", "merge", "-q", "topic")
	cmd.Dir, cmd.Env = r.dir, r.env
	_ = cmd.Run()
	r.write("a.txt", "resolved "+tok+"\n")
	merge := r.commit("merge topic")
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		fs, _, err := scanGit(t, GitOptions{Repo: r.dir, Mode: mode})
		if err != nil {
			t.Fatalf("mode %d: scan: %v", mode, err)
		}
		want := []where{{"github-classic-pat", "a.txt", merge, 1, 10}}
		if diff := cmp.Diff(want, wheres(fs)); diff != "" {
			t.Errorf("mode %d: findings (-want +got):\n%s", mode, diff)
		}
	}
}

func TestGitErrors(t *testing.T) {
	t.Parallel()
	notRepo := t.TempDir()
	h := newHistoryFixture(t)
	tests := []struct {
		name string
		opts GitOptions
		is   error
		text string
	}{
		{name: "missing path", opts: GitOptions{Repo: filepath.Join(notRepo, "nope")}, is: fs.ErrNotExist, text: "nope"},
		{name: "not a repository", opts: GitOptions{Repo: notRepo}, is: ErrNotRepository, text: notRepo},
		{name: "not a repository go-git", opts: GitOptions{Repo: notRepo, Mode: GitGoGit}, is: ErrNotRepository, text: notRepo},
		{name: "option-like URL", opts: GitOptions{Repo: "--upload-pack=touch /tmp/pwned"}, is: ErrOptionLike, text: "--upload-pack"},
		{name: "option-like branch", opts: GitOptions{Repo: h.r.dir, Branches: []string{"--output=/tmp/x"}}, is: ErrOptionLike, text: "--output"},
		{name: "option-like since", opts: GitOptions{Repo: h.r.dir, Since: "--all"}, is: ErrOptionLike, text: "--all"},
		{name: "unknown branch", opts: GitOptions{Repo: h.r.dir, Branches: []string{"nope"}}, is: ErrNoSuchRef, text: `"nope"`},
		{name: "bad since", opts: GitOptions{Repo: h.r.dir, Since: "not-a-rev"}, text: "not a revision"},
		{name: "bad URL", opts: GitOptions{Repo: "file://" + filepath.Join(notRepo, "absent"), CloneDir: t.TempDir()}, is: ErrClone, text: "absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := scanGit(t, tt.opts)
			if err == nil {
				t.Fatalf("scan(%+v) = nil error, want one", tt.opts)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("scan = %v, want errors.Is %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("scan = %q, want it to name %q", err, tt.text)
			}
		})
	}
	if _, err := os.Stat("/tmp/pwned"); err == nil {
		t.Errorf("an option-like URL ran a command")
	}
}

// looseObject returns the path of a loose object file.
func looseObject(dir, id string) string {
	return filepath.Join(dir, ".git", "objects", id[:2], id[2:])
}

func TestGitCorrupt(t *testing.T) {
	t.Parallel()
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		t.Run(fmt.Sprint("mode", mode), func(t *testing.T) {
			t.Parallel()
			h := newHistoryFixture(t)
			blob := h.r.git("rev-parse", h.c2+":config.env")
			if err := os.Remove(looseObject(h.r.dir, blob)); err != nil {
				t.Fatal(err)
			}
			fs, st, err := scanGit(t, GitOptions{Repo: h.r.dir, Mode: mode})
			if err != nil {
				t.Fatalf("scan: %v", err)
			}
			if len(st.Errors) != 1 || !errors.Is(st.Errors[0], ErrMissingObject) ||
				!strings.Contains(st.Errors[0].Error(), blob) || !strings.Contains(st.Errors[0].Error(), "config.env") {
				t.Errorf("Errors = %v, want one missing object naming blob %s and config.env", st.Errors, blob)
			}
			if diff := cmp.Diff(h.expect("t2", "t3", "t4"), wheres(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}

			// A missing commit stops the scan, naming it.
			if err := os.Remove(looseObject(h.r.dir, h.c3)); err != nil {
				t.Fatal(err)
			}
			_, _, err = scanGit(t, GitOptions{Repo: h.r.dir, Mode: mode})
			if err == nil || !strings.Contains(err.Error(), h.c3) || !strings.Contains(err.Error(), h.r.dir) {
				t.Errorf("scan with a missing commit = %v, want an error naming %s in %s", err, h.c3, h.r.dir)
			}
		})
	}
}

func TestGitShallow(t *testing.T) {
	t.Parallel()
	h := newHistoryFixture(t)
	clone := filepath.Join(t.TempDir(), "shallow")
	h.r.git("clone", "-q", "--depth", "1", "--branch", "main", "file://"+h.r.dir, clone)
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		fs, st, err := scanGit(t, GitOptions{Repo: clone, Mode: mode})
		if err != nil {
			t.Fatalf("mode %d: scan: %v", mode, err)
		}
		if len(st.Errors) != 1 || !errors.Is(st.Errors[0], ErrShallow) || !strings.Contains(st.Errors[0].Error(), clone) {
			t.Errorf("mode %d: Errors = %v, want one naming %s shallow", mode, st.Errors, clone)
		}
		// What the shallow clone holds is still found, attributed to the boundary commit.
		if len(fs) != 2 {
			t.Errorf("mode %d: %d findings, want 2 (the token at both paths): %v", mode, len(fs), wheres(fs))
		}
	}
}

func TestGitClone(t *testing.T) {
	t.Parallel()
	h := newHistoryFixture(t)
	cache := t.TempDir()
	url := "file://" + h.r.dir
	fs, _, err := scanGit(t, GitOptions{Repo: url, CloneDir: cache})
	if err != nil {
		t.Fatalf("scan %s: %v", url, err)
	}
	if diff := cmp.Diff(h.expect("t1", "t1copy", "t2", "t3", "t4"), wheres(fs)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if fs[0].Location.Repository != url {
		t.Errorf("Repository = %q, want %q", fs[0].Location.Repository, url)
	}
	// A new commit upstream is fetched into the same clone.
	tok := scantest.GitHubToken()
	h.r.write("new.txt", tok+"\n")
	c7 := h.r.commit("c7")
	fs, _, err = scanGit(t, GitOptions{Repo: url, CloneDir: cache, Since: h.c6, Branches: []string{"main"}})
	if err != nil {
		t.Fatalf("rescan %s: %v", url, err)
	}
	want := []where{{"github-classic-pat", "new.txt", c7, 1, 1}}
	if diff := cmp.Diff(want, wheres(fs)); diff != "" {
		t.Errorf("findings after fetch (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 {
		t.Errorf("clone dir holds %d entries, want 1 reused clone", len(entries))
	}
}

func TestGitCanceled(t *testing.T) {
	t.Parallel()
	h := newHistoryFixture(t)
	ctx, cancel := context.WithCancel(t.Context())
	src, err := OpenGit(ctx, GitOptions{Repo: h.r.dir})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	e := scanner.NewEngine(detectors.All(), scanner.EngineOptions{})
	if _, _, err := scanner.Run(ctx, e, src, scanner.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a canceled context = %v, want context.Canceled", err)
	}
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://github.com/o/r.git", "https://github.com/o/r.git"},
		{"https://user:s3cr3t@github.com/o/r.git", "https://github.com/o/r.git"},
		{"https://x-access-token:abc@host/r?token=zzz", "https://host/r"},
		{"https://tokenAsUserName@github.com/o/r.git", "https://github.com/o/r.git"},
		{"https://github.com/o/r.git?access_token=zzz#frag", "https://github.com/o/r.git"},
		{"https://us%zzer@host/r", "https://host/…"},
		{"git@github.com:o/r.git", "git@github.com:o/r.git"},
	}
	for _, tt := range tests {
		if got := httpx.RedactURL(tt.in); got != tt.want {
			t.Errorf("httpx.RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCloneURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, err string }{
		{"https://github.com/o/r.git", "https://github.com/o/r.git", ""},
		{"https://contoso@dev.azure.com/contoso/app/_git/app", "https://dev.azure.com/contoso/app/_git/app", ""},
		{"https://tokenAsUserName@github.com/o/r.git", "https://github.com/o/r.git", ""},
		{"https://user:pw-value@github.com/o/r.git", "", "holds a password"},
		{"ssh://git@host/r.git", "ssh://git@host/r.git", ""},
		{"git@github.com:o/r.git", "git@github.com:o/r.git", ""},
	}
	for _, tt := range tests {
		got, err := cloneURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "pw-value") {
				t.Errorf("cloneURL(%q) = %v, want an error saying %q without the password", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("cloneURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestGitDeltaEquivalence checks the delta path (packed repositories: only the bytes a delta
// inserts are scanned, and base findings are carried into deltas) against go-git, which reads
// and scans every blob whole: both must report the same findings.
func TestGitDeltaEquivalence(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			r := newTestRepo(t)
			rng := rand.New(rand.NewPCG(seed, 99))
			files := map[string][]string{}
			names := []string{"a.json", "b.txt", "dir/c.go"}
			for _, n := range names {
				var lines []string
				for i := range 400 {
					lines = append(lines, fmt.Sprintf(`  {"id": %d, "value": "%s"},`, i, scantest.Base62(20)))
				}
				files[n] = lines
			}
			var tokens []string
			for c := range 40 {
				for _, n := range names {
					if rng.IntN(3) == 0 && c > 0 {
						continue
					}
					lines := files[n]
					for range 1 + rng.IntN(3) {
						i := rng.IntN(len(lines))
						switch op := rng.IntN(10); {
						case op < 2 && len(tokens) > 0: // edit next to an existing token
							for j, l := range lines {
								if strings.Contains(l, "ghp_") || strings.Contains(l, "JQQJ") {
									lines[j] = l + " x"
									break
								}
							}
						case op < 4: // plant a token
							tok := scantest.GitHubToken()
							if rng.IntN(2) == 0 {
								tok = scantest.ADOToken()
							}
							tokens = append(tokens, tok)
							if rng.IntN(4) == 0 { // as a basic-auth header: found inside base64
								tok = base64.StdEncoding.EncodeToString([]byte("user:" + tok))
							}
							lines = slices.Insert(lines, i, fmt.Sprintf(`  {"token": "%s"},`, tok))
						case op < 6 && len(lines) > 10: // delete a line
							lines = slices.Delete(lines, i, i+1)
						default: // change a line
							lines[i] = fmt.Sprintf(`  {"id": %d, "value": "%s"},`, rng.IntN(1000), scantest.Base62(20))
						}
					}
					files[n] = lines
					r.write(n, strings.Join(lines, "\n")+"\n")
				}
				r.commit(fmt.Sprint("c", c))
			}
			r.git("repack", "-adfq", "--window=50", "--depth=50")

			src, err := OpenGit(t.Context(), GitOptions{Repo: r.dir, Mode: GitBinary})
			if err != nil {
				t.Fatal(err)
			}
			e := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: []byte("k")})
			got, st, err := scanner.Run(t.Context(), e, src, scanner.Options{})
			if err != nil || len(st.Errors) > 0 {
				t.Fatalf("scan: %v %v", err, st.Errors)
			}
			if len(src.pairs) == 0 {
				t.Errorf("no blob was scanned as a delta")
			}
			want, _, err := scanGit(t, GitOptions{Repo: r.dir, Mode: goGitWhole, MaxBlobSize: scanner.DefaultMaxSize})
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("no findings")
			}
			if diff := cmp.Diff(wheres(want), wheres(got)); diff != "" {
				t.Errorf("delta scan differs from whole-blob scan (-whole +delta):\n%s", diff)
			}
			// The spans are into the whole blob, the same whichever way the blob was read.
			if diff := cmp.Diff(spans(want), spans(got)); diff != "" {
				t.Errorf("delta scan spans differ from whole-blob scan (-whole +delta):\n%s", diff)
			}
			checkSpans(t, r.dir, got)
			gg, _, err := scanGit(t, GitOptions{Repo: r.dir, Mode: GitGoGit, MaxBlobSize: scanner.DefaultMaxSize})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wheres(want), wheres(gg)); diff != "" {
				t.Errorf("go-git delta scan differs from whole-blob scan (-whole +delta):\n%s", diff)
			}
			t.Logf("%d findings; scanned %d bytes in %d chunks", len(got), st.Bytes, st.Chunks)
		})
	}
}

// httpBackend serves a bare clone of the fixture as /r.git over smart HTTP (git
// http-backend), for an httptest server to wrap.
func (h *historyFixture) httpBackend(t *testing.T) *cgi.Handler {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git binary not installed")
	}
	root := t.TempDir()
	h.r.git("clone", "-q", "--bare", h.r.dir, filepath.Join(root, "r.git"))
	return &cgi.Handler{Path: gitPath, Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
}

// TestGitCloneHTTPToken clones over smart HTTP (git http-backend behind httptest) with the
// token from the environment, and checks that a wrong token fails without showing it.
func TestGitCloneHTTPToken(t *testing.T) {
	h := newHistoryFixture(t)
	backend := h.httpBackend(t)
	token := "tok-" + scantest.Base62(24)
	var sawAuth bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "x-access-token" || pass != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		sawAuth = true
		backend.ServeHTTP(w, r)
	}))
	defer srv.Close()
	url := srv.URL + "/r.git"

	t.Setenv(GitTokenEnv, token)
	fs, _, err := scanGit(t, GitOptions{Repo: url, CloneDir: t.TempDir()})
	if err != nil {
		t.Fatalf("scan %s: %v", url, err)
	}
	if !sawAuth || len(fs) != 5 {
		t.Errorf("scan %s: auth seen %v, %d findings, want true and 5", url, sawAuth, len(fs))
	}

	wrong := "wrong-" + scantest.Base62(24)
	t.Setenv(GitTokenEnv, wrong)
	_, _, err = scanGit(t, GitOptions{Repo: url, CloneDir: t.TempDir()})
	if err == nil || !errors.Is(err, ErrClone) {
		t.Fatalf("scan with a wrong token = %v, want ErrClone", err)
	}
	t.Logf("wrong token: %v", err)
	if strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("error %q: want the URL named and the token absent", err)
	}
}

func TestGitCorruptPack(t *testing.T) {
	t.Parallel()
	h := newHistoryFixture(t)
	h.r.git("repack", "-adq")
	h.r.git("prune-packed")
	blob := h.r.git("rev-parse", h.c2+":config.env")
	idxs, _ := filepath.Glob(filepath.Join(h.r.dir, ".git", "objects", "pack", "*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("%d pack indexes, want 1", len(idxs))
	}
	var off int64 = -1
	for _, l := range strings.Split(h.r.git("verify-pack", "-v", idxs[0]), "\n") {
		if f := strings.Fields(l); len(f) >= 5 && f[0] == blob {
			off, _ = strconv.ParseInt(f[4], 10, 64)
		}
	}
	if off < 0 {
		t.Fatalf("blob %s not in the pack", blob)
	}
	pack := strings.TrimSuffix(idxs[0], ".idx") + ".pack"
	f, err := os.OpenFile(pack, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("\xff\xfe\xfd\xfc\xfb\xfa"), off+4); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		fs, st, err := scanGit(t, GitOptions{Repo: h.r.dir, Mode: mode})
		if err != nil {
			t.Fatalf("mode %d: scan: %v", mode, err)
		}
		if len(st.Errors) != 1 || !strings.Contains(st.Errors[0].Error(), blob) || !strings.Contains(st.Errors[0].Error(), filepath.Base(pack)) {
			t.Errorf("mode %d: Errors = %v, want one naming blob %s and %s", mode, st.Errors, blob, filepath.Base(pack))
		}
		if diff := cmp.Diff(h.expect("t2", "t3", "t4"), wheres(fs)); diff != "" {
			t.Errorf("mode %d: findings (-want +got):\n%s", mode, diff)
		}
	}
}

// TestGitCanceledMidScan cancels while blobs are being read: Chunks returns promptly with the
// context's error and leaves no reader or git process behind.
func TestGitCanceledMidScan(t *testing.T) {
	h := newHistoryFixture(t)
	h.r.git("repack", "-adq")
	before := runtime.NumGoroutine()
	for _, mode := range []GitMode{GitBinary, GitGoGit} {
		ctx, cancel := context.WithCancel(t.Context())
		src, err := OpenGit(ctx, GitOptions{Repo: h.r.dir, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		if g, ok := src.b.(*execGit); ok {
			g.splitMin = 0
		}
		n := 0
		err = src.Chunks(ctx, func(c scanner.Chunk) error {
			if n++; n == 2 {
				cancel()
			}
			return ctx.Err()
		})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("mode %d: Chunks after cancel = %v, want context.Canceled", mode, err)
		}
		src.close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the scans, %d before", n, before)
	}
}

// TestGitCloneCredentialHelper: without PATROL_GIT_TOKEN the git binary clones, so the user's
// credential helper answers the server's challenge, and no prompt blocks the scan.
func TestGitCloneCredentialHelper(t *testing.T) {
	h := newHistoryFixture(t)
	backend := h.httpBackend(t)
	secretPW := "helper-" + scantest.Base62(24)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "ci-bot" || pass != secretPW {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "gitconfig")
	helper := "!f() { echo username=ci-bot; echo password=" + secretPW + "; }; f"
	if err := os.WriteFile(cfg, []byte("[credential]\n\thelper = \""+helper+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(GitTokenEnv, "")
	t.Setenv("GIT_CONFIG_GLOBAL", cfg)
	cache := t.TempDir()
	fs, _, err := scanGit(t, GitOptions{Repo: srv.URL + "/r.git", CloneDir: cache})
	if err != nil || len(fs) != 5 {
		t.Fatalf("scan through the credential helper: %d findings, %v; want 5", len(fs), err)
	}
	// A second scan fetches into the same mirror.
	if _, _, err := scanGit(t, GitOptions{Repo: srv.URL + "/r.git", CloneDir: cache}); err != nil {
		t.Fatalf("rescan: %v", err)
	}
	// Without credentials the scan fails at once (no prompt), naming the URL.
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(t.TempDir(), "none"))
	_, _, err = scanGit(t, GitOptions{Repo: srv.URL + "/r.git", CloneDir: t.TempDir()})
	if err == nil || !errors.Is(err, ErrClone) || !strings.Contains(err.Error(), srv.URL) || strings.Contains(err.Error(), secretPW) {
		t.Errorf("scan without credentials = %v, want ErrClone naming the URL", err)
	}
}

// TestDeltaEditsAtTheEdges: an older blob stored as a delta of a newer one that added a line
// before or after the token (so the older blob is its base minus its first or last line) is
// scanned around that seam, and its token is reported at the commit that introduced it.
func TestDeltaEditsAtTheEdges(t *testing.T) {
	t.Parallel()
	for _, atStart := range []bool{true, false} {
		t.Run(fmt.Sprint("start=", atStart), func(t *testing.T) {
			t.Parallel()
			r := newTestRepo(t)
			var body strings.Builder
			for i := range 60 {
				fmt.Fprintf(&body, "line %d %s\n", i, scantest.Base62(30))
			}
			tok := "token = " + scantest.GitHubToken() + "\n"
			first, second := tok+body.String(), "// a comment added later\n"+tok+body.String()
			if !atStart {
				first, second = body.String()+tok, body.String()+tok+"// a comment added later\n"
			}
			r.write("conf.txt", first)
			c1 := r.commit("one")
			r.write("conf.txt", second)
			r.commit("two")
			r.git("repack", "-adfq", "--window=50", "--depth=50")
			fs, _, err := scanGit(t, GitOptions{Repo: r.dir, Mode: GitBinary, MaxBlobSize: scanner.DefaultMaxSize})
			if err != nil {
				t.Fatal(err)
			}
			want := []where{{Detector: "github-classic-pat", Path: "conf.txt", Commit: c1, Line: 1, Column: 9}}
			if !atStart {
				want[0].Line = 61
			}
			if diff := cmp.Diff(want, wheres(fs)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
