package scan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func engine() *scanner.Engine {
	return scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: testKey})
}

// hit is a finding reduced to what the tests check.
type hit struct {
	Path   string
	Line   int
	Source string
}

func hits(fs []scanner.Finding) []hit {
	var out []hit
	for _, f := range fs {
		out = append(out, hit{f.Location.Path, f.Location.Line, f.Location.Source})
	}
	return out
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"staged and dir", Request{Mode: Staged | Dir}, "--staged and --dir cannot be combined"},
		{"staged with since", Request{Mode: Staged, Since: "HEAD~1"}, "--staged scans the index: --since and --branch do not apply"},
		{"staged with branch", Request{Mode: Staged, Branches: []string{"main"}}, "--staged scans the index: --since and --branch do not apply"},
		{"staged stdin", Request{Mode: Staged, Target: "-"}, `--staged needs a git work tree, not "-"`},
		{"staged URL", Request{Mode: Staged, Target: "https://host/r.git"}, `--staged needs a git work tree, not "https://host/r.git"`},
		{"option-like target", Request{Target: "--upload-pack=x"}, `scan target "--upload-pack=x" looks like an option; use ./--upload-pack=x for a path`},
		{"missing path", Request{Target: filepath.Join(dir, "nope")}, "scan " + filepath.Join(dir, "nope") + ": "},
		{"since on a directory", Request{Target: dir, Since: "2024-01-01"}, "scan " + dir + ": --since and --branch need a git repository"},
		{"push and staged", Request{Mode: Push | Staged}, "scan: modes staged+push cannot be combined"},
		{"git and files", Request{Mode: Git | Files}, "scan: modes git+files cannot be combined"},
		{"bad baseline", Request{Target: dir, Baseline: filepath.Join(dir, "none.json")}, "baseline: "},
		{"not a repository", Request{Target: dir, Mode: Git}, "not a git repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.req.Engine = engine()
			_, err := Run(t.Context(), tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run(%+v) = %v, want an error saying %q", tt.req.Mode, err, tt.want)
			}
		})
	}
	if _, err := Run(t.Context(), Request{Target: dir}); err == nil {
		t.Errorf("Run without an engine = nil error")
	}
}

// fixture is a repository with a token in its history and one in a file it ignores.
func fixture(t *testing.T) (*scantest.Repo, string) {
	r := scantest.NewRepo(t)
	r.Write("a.txt", "hello\n")
	r.Commit("c1")
	r.Write("app/config.env", "DEBUG=1\nGITHUB_TOKEN="+scantest.GitHubToken()+"\n")
	c2 := r.Commit("c2")
	r.Git("remote", "add", "origin", "https://contoso@dev.azure.com/contoso/app/_git/app")
	return r, c2
}

func TestRunSources(t *testing.T) {
	t.Parallel()
	r, c2 := fixture(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.env"), []byte("a\nT="+scantest.GitHubToken()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  Request
		want []hit
		git  bool
		root string
	}{
		{"git history", Request{Target: r.Dir}, []hit{{"app/config.env", 2, scanner.SourceGit}}, true, r.Dir},
		{"dir in a repository", Request{Target: r.Dir, Mode: Dir}, []hit{{"app/config.env", 2, scanner.SourceDir}}, false, r.Dir},
		{"directory", Request{Target: dir}, []hit{{"x.env", 2, scanner.SourceDir}}, false, dir},
		{"files", Request{Target: dir, Mode: Files, Paths: []string{"x.env"}}, []hit{{"x.env", 2, scanner.SourceDir}}, false, dir},
		{"stdin", Request{Target: "-", Stdin: strings.NewReader("x\n" + scantest.GitHubToken())}, []hit{{"", 2, scanner.SourceStdin}}, false, ""},
		{"URL", Request{Target: "file://" + r.Dir, CloneDir: t.TempDir()}, []hit{{"app/config.env", 2, scanner.SourceGit}}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.req.Engine = engine()
			res, err := Run(t.Context(), tt.req)
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if diff := cmp.Diff(tt.want, hits(res.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if res.Git != tt.git || res.Root != tt.root {
				t.Errorf("Git, Root = %v, %q; want %v, %q", res.Git, res.Root, tt.git, tt.root)
			}
			if tt.git {
				if res.Findings[0].Location.Commit != c2 || res.Tips["refs/heads/main"] != c2 || len(res.Blobs) != 2 {
					t.Errorf("commit %s, tips %v, %d blobs; want %s, main at it, 2 blobs", res.Findings[0].Location.Commit, res.Tips, len(res.Blobs), c2)
				}
			}
		})
	}
}

func TestRunRemoteAndSuppress(t *testing.T) {
	t.Parallel()
	r, _ := fixture(t)
	res, err := Run(t.Context(), Request{Target: r.Dir, Engine: engine()})
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("Run = %d findings, %v", len(res.Findings), err)
	}
	if res.Remote != "https://dev.azure.com/contoso/app/_git/app" || res.Repository != r.Dir {
		t.Errorf("Remote, Repository = %q, %q; want the origin without its user, and the path", res.Remote, res.Repository)
	}
	fp := res.Findings[0].Fingerprint
	// By the caller's suppressor, by a baseline, and by .patrolignore at the root.
	base := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.WriteFile(base, []byte(`[{"fingerprint":"`+fp+`"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	sup := &scanner.Suppressor{Fingerprints: map[string]bool{fp: true}}
	for _, req := range []Request{{Suppress: sup}, {Baseline: base}} {
		req.Target, req.Engine = r.Dir, engine()
		res, err := Run(t.Context(), req)
		if err != nil || len(res.Findings) != 0 || res.Suppressed != 1 {
			t.Errorf("Run with a suppression = %d findings, %d suppressed, %v; want 0 and 1", len(res.Findings), res.Suppressed, err)
		}
	}
	if len(sup.Fingerprints) != 1 || sup.Globs != nil {
		t.Errorf("Run changed the caller's suppressor: %+v", sup)
	}
	r.Write(scanner.IgnoreFile, "app/**\n")
	res, err = Run(t.Context(), Request{Target: r.Dir, Engine: engine()})
	if err != nil || len(res.Findings) != 0 || res.Suppressed != 1 {
		t.Errorf("Run with .patrolignore = %d findings, %d suppressed, %v; want 0 and 1", len(res.Findings), res.Suppressed, err)
	}
}

func TestRunIncremental(t *testing.T) {
	t.Parallel()
	r, _ := fixture(t)
	res, err := Run(t.Context(), Request{Target: r.Dir, Engine: engine()})
	if err != nil {
		t.Fatal(err)
	}
	res, err = Run(t.Context(), Request{Target: r.Dir, Engine: engine(), Cursor: res.Tips})
	if err != nil || res.Stats.Chunks != 0 || len(res.Findings) != 0 {
		t.Errorf("unchanged: %d blobs, %d findings, %v; want none", res.Stats.Chunks, len(res.Findings), err)
	}
	r.Write("b.env", "T="+scantest.GitHubToken()+"\n")
	c3 := r.Commit("c3")
	res, err = Run(t.Context(), Request{Target: r.Dir, Engine: engine(), Cursor: res.Tips})
	if err != nil || res.Stats.Chunks != 1 || len(res.Findings) != 1 || res.Findings[0].Location.Commit != c3 {
		t.Errorf("after a commit: %d blobs, %v, %v; want the one new blob and its token", res.Stats.Chunks, hits(res.Findings), err)
	}
}

func TestRunStaged(t *testing.T) {
	t.Parallel()
	r, _ := fixture(t)
	r.Write("app/config.env", "DEBUG=1\nGITHUB_TOKEN=x\nNEW="+scantest.GitHubToken()+"\n")
	r.Git("add", "-A")
	res, err := Run(t.Context(), Request{Target: r.Dir, Mode: Staged, Engine: engine()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]hit{{"app/config.env", 3, git.SourceStaged}}, hits(res.Findings)); diff != "" {
		t.Errorf("staged findings (-want +got):\n%s", diff)
	}
	if !res.Git || res.Root != r.Dir || res.Remote == "" || res.Findings[0].Location.Blob == "" {
		t.Errorf("Git %v, Root %q, Remote %q, blob %q; want git, the work tree, its remote, the index blob", res.Git, res.Root, res.Remote, res.Findings[0].Location.Blob)
	}
}

func TestRunPush(t *testing.T) {
	t.Parallel()
	r, c2 := fixture(t)
	remote := filepath.Join(t.TempDir(), "remote.git")
	r.Git("init", "-q", "--bare", remote)
	r.Git("remote", "set-url", "origin", remote)
	r.Git("push", "-q", "origin", "main")
	r.Write("app/config.env", "DEBUG=1\nGITHUB_TOKEN=x\nNEW="+scantest.GitHubToken()+"\n")
	c3 := r.Commit("c3")
	z := strings.Repeat("0", 40)
	tests := []struct {
		name    string
		updates string
		want    []hit
	}{
		{"update", fmt.Sprintf("refs/heads/main %s refs/heads/main %s\n", c3, c2), []hit{{"app/config.env", 3, scanner.SourceGit}}},
		{"nothing sent", fmt.Sprintf("(delete) %s refs/heads/x %s\n", z, c2), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Run(t.Context(), Request{Target: r.Dir, Mode: Push, Stdin: strings.NewReader(tt.updates), Engine: engine()})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, hits(res.Findings)); diff != "" {
				t.Errorf("pushed findings (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := Run(t.Context(), Request{Target: r.Dir, Mode: Push, Stdin: strings.NewReader("bad line\n"), Engine: engine()}); err == nil {
		t.Errorf("Run(push, bad input) = nil error")
	}
}
