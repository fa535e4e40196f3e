package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/patrolsec/patrol/hook"
)

// patrolBin is the patrol binary TestMain builds, for hooks to run by absolute path.
var patrolBin string

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "patrol-test-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		// Commands run in-process keep their default store and fingerprint key here, never in
		// the user's own data and config directories.
		os.Setenv("XDG_DATA_HOME", filepath.Join(dir, "data"))
		os.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
		if goBin, err := exec.LookPath("go"); err == nil {
			bin := filepath.Join(dir, "patrol")
			if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "build patrol: %v\n%s", err, out)
				return 1
			}
			patrolBin = bin
		}
		return m.Run()
	}()
	os.Exit(code)
}

// hookRepo is a real repository in a temporary directory, with its own HOME and git config,
// where git commit and git push run patrol's installed hooks.
type hookRepo struct {
	t   *testing.T
	dir string
	env []string
}

func newHookRepo(t *testing.T) *hookRepo {
	t.Helper()
	if patrolBin == "" {
		t.Skip("go toolchain not found: cannot build patrol")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	home := t.TempDir()
	r := &hookRepo{t: t, dir: filepath.Join(t.TempDir(), "repo"), env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Cy", "GIT_COMMITTER_EMAIL=cy@example.com", "GIT_TERMINAL_PROMPT=0",
	}}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("init", "-q", "-b", "main")
	return r
}

// run runs a program in the repository and returns its combined output and exit code.
func (r *hookRepo) run(env []string, name string, args ...string) (string, int) {
	r.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = r.dir
	cmd.Env = append(append([]string(nil), r.env...), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	case err != nil:
		r.t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return string(out), 0
}

func (r *hookRepo) git(args ...string) string {
	r.t.Helper()
	out, code := r.run(nil, "git", args...)
	if code != 0 {
		r.t.Fatalf("git %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return strings.TrimSpace(out)
}

func (r *hookRepo) patrol(args ...string) (string, int) {
	r.t.Helper()
	return r.run(nil, patrolBin, args...)
}

func (r *hookRepo) write(path, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit stages everything and commits, with the hooks; it returns git's output and code.
func (r *hookRepo) commit(env ...string) (string, int) {
	r.t.Helper()
	r.git("add", "-A")
	return r.run(env, "git", "commit", "-q", "-m", "change")
}

// baseCommit commits everything without the hooks.
func (r *hookRepo) baseCommit() {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--no-verify", "--allow-empty", "-m", "base")
}

func (r *hookRepo) install(args ...string) {
	r.t.Helper()
	if out, code := r.patrol(append([]string{"hook", "install"}, args...)...); code != 0 {
		r.t.Fatalf("patrol hook install: exit %d\n%s", code, out)
	}
}

func (r *hookRepo) commits() int {
	r.t.Helper()
	out, code := r.run(nil, "git", "rev-list", "--count", "--all")
	if code != 0 {
		return 0 // no commit yet
	}
	var n int
	fmt.Sscan(out, &n)
	return n
}

// preview is how patrol shows tok: its prefix and first four characters.
func preview(tok string) string { return tok[:8] + "…" }

// refused checks that a hook refused: non-zero exit, each want in the output, never a raw token.
func refused(t *testing.T, out string, code int, toks []string, want ...string) {
	t.Helper()
	if code == 0 {
		t.Errorf("exit 0, want a refusal; output:\n%s", out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	for _, tok := range toks {
		if strings.Contains(out, tok) {
			t.Errorf("output holds a raw token:\n%s", out)
		}
	}
}

// passed checks that a hook let a commit or push through silently.
func passed(t *testing.T, out string, code int) {
	t.Helper()
	if code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("exit %d with output %q; want a silent pass", code, out)
	}
}

func TestHookCommit(t *testing.T) {
	t.Parallel()
	tok, tok2 := ghp(101), ghp(102)
	toks := []string{tok, tok2}
	tests := []struct {
		name string
		run  func(t *testing.T, r *hookRepo)
	}{
		{"initial commit refused", func(t *testing.T, r *hookRepo) {
			r.write("app.env", "A=1\nGH="+tok+"\n")
			out, code := r.commit()
			refused(t, out, code, toks, "app.env:2: github-classic-pat: "+preview(tok), "patrol:allow", ".patrolignore", "git commit --no-verify")
			if n := r.commits(); n != 0 {
				t.Errorf("%d commits after a refusal, want 0", n)
			}
		}},
		{"initial commit clean", func(t *testing.T, r *hookRepo) {
			r.write("README", "hello\n")
			out, code := r.commit()
			passed(t, out, code)
			if n := r.commits(); n != 1 {
				t.Errorf("%d commits, want 1", n)
			}
		}},
		{"clean commit", func(t *testing.T, r *hookRepo) {
			r.write("a.txt", "a\n")
			r.baseCommit()
			r.write("a.txt", "a\nb\n")
			out, code := r.commit()
			passed(t, out, code)
		}},
		{"token refused, only the added line", func(t *testing.T, r *hookRepo) {
			r.write("ci/deploy.yml", "old: "+tok2+"\n")
			r.baseCommit()
			r.write("ci/deploy.yml", "old: "+tok2+"\nnew: "+tok+"\n")
			out, code := r.commit()
			refused(t, out, code, toks, "ci/deploy.yml:2: github-classic-pat: "+preview(tok), "1 token in the staged changes")
			if strings.Contains(out, preview(tok2)) {
				t.Errorf("the committed token is reported:\n%s", out)
			}
		}},
		{"allowed line", func(t *testing.T, r *hookRepo) {
			r.write("test.go", "var fixture = \""+tok+"\" // patrol:allow\n")
			out, code := r.commit()
			passed(t, out, code)
		}},
		{"patrolignore line from the refusal", func(t *testing.T, r *hookRepo) {
			r.write("fixture.json", `{"token": "`+tok+`"}`+"\n")
			out, code := r.commit()
			refused(t, out, code, toks, "fixture.json:1:")
			line := regexp.MustCompile(`(?m)^\s+([0-9a-f]{64}  # github-classic-pat fixture.json)$`).FindStringSubmatch(out)
			if line == nil {
				t.Fatalf("no .patrolignore line in:\n%s", out)
			}
			r.write(".patrolignore", line[1]+"\n")
			out, code = r.commit()
			passed(t, out, code)
		}},
		{"rename of unchanged content", func(t *testing.T, r *hookRepo) {
			r.write("old/name.env", "GH="+tok+"\n")
			r.baseCommit()
			r.git("mv", "old/name.env", "new name.env")
			out, code := r.commit()
			passed(t, out, code)
		}},
		{"spaces and non-ASCII in the path", func(t *testing.T, r *hookRepo) {
			r.write("conf dir/clé ü.yml", "k: "+tok+"\n")
			out, code := r.commit()
			refused(t, out, code, toks, "conf dir/clé ü.yml:1: github-classic-pat")
		}},
		{"binary file", func(t *testing.T, r *hookRepo) {
			r.write("blob.bin", "\x00\x01\x02"+tok)
			out, code := r.commit()
			passed(t, out, code)
		}},
		{"partial commit checks only what it commits", func(t *testing.T, r *hookRepo) {
			r.write("a.txt", "a\n")
			r.baseCommit()
			r.write("leak.env", "GH="+tok+"\n")
			r.git("add", "leak.env")
			r.write("a.txt", "a\nb\n")
			out, code := r.run(nil, "git", "commit", "-q", "-m", "only a", "a.txt")
			passed(t, out, code)
			r.write("a.txt", "a\nb\nGH="+tok2+"\n")
			out, code = r.run(nil, "git", "commit", "-q", "-m", "only a", "a.txt")
			refused(t, out, code, toks, "a.txt:3:")
			if strings.Contains(out, "leak.env") {
				t.Errorf("a staged file outside the partial commit is reported:\n%s", out)
			}
		}},
		{"commit -a", func(t *testing.T, r *hookRepo) {
			r.write("a.txt", "a\n")
			r.baseCommit()
			r.write("a.txt", "a\nGH="+tok+"\n")
			out, code := r.run(nil, "git", "commit", "-q", "-a", "-m", "all")
			refused(t, out, code, toks, "a.txt:2:")
		}},
		{"PATROL_SKIP", func(t *testing.T, r *hookRepo) {
			r.write("a.env", "GH="+tok+"\n")
			out, code := r.commit("PATROL_SKIP=1")
			if code != 0 || !strings.Contains(out, "warning: PATROL_SKIP=1") {
				t.Errorf("PATROL_SKIP=1: exit %d, output %q; want 0 and a warning", code, out)
			}
		}},
		{"no-verify", func(t *testing.T, r *hookRepo) {
			r.write("a.env", "GH="+tok+"\n")
			r.git("add", "-A")
			out, code := r.run(nil, "git", "commit", "-q", "--no-verify", "-m", "x")
			passed(t, out, code)
		}},
		{"GUI client: no PATH", func(t *testing.T, r *hookRepo) {
			gitPath, _ := exec.LookPath("git")
			r.write("a.env", "GH="+tok+"\n")
			r.git("add", "-A")
			out, code := r.run([]string{"PATH="}, gitPath, "commit", "-q", "-m", "x")
			refused(t, out, code, toks, "a.env:1:")
			r.write("a.env", "clean\n")
			r.git("add", "-A")
			out, code = r.run([]string{"PATH="}, gitPath, "commit", "-q", "-m", "x")
			passed(t, out, code)
		}},
		{"merge conclusion", func(t *testing.T, r *hookRepo) {
			r.write("c.txt", "one\n")
			r.baseCommit()
			r.git("checkout", "-q", "-b", "feature")
			r.write("feature.env", "GH="+tok+"\n") // committed on its branch, knowingly
			r.write("c.txt", "one\nfeature\n")
			r.baseCommit()
			r.git("checkout", "-q", "main")
			r.write("c.txt", "one\nmain\n")
			r.baseCommit()
			if out, code := r.run(nil, "git", "merge", "-q", "feature"); code == 0 {
				t.Fatalf("merge without conflict:\n%s", out)
			}
			r.write("c.txt", "one\nmain\nfeature\n")
			r.git("add", "c.txt")
			out, code := r.run(nil, "git", "commit", "-q", "--no-edit")
			passed(t, out, code)
			r.git("checkout", "-q", "-b", "feature2")
			r.write("d.txt", "d\nfeature2\n")
			r.baseCommit()
			r.git("checkout", "-q", "main")
			r.write("d.txt", "d\nmain\n")
			r.baseCommit()
			if out, code := r.run(nil, "git", "merge", "-q", "feature2"); code == 0 {
				t.Fatalf("merge without conflict:\n%s", out)
			}
			r.write("d.txt", "d\nmain\nfeature2\nGH2="+tok2+"\n")
			r.git("add", "d.txt")
			out, code = r.run(nil, "git", "commit", "-q", "--no-edit")
			refused(t, out, code, toks, "d.txt:4:")
			if strings.Contains(out, "feature.env") {
				t.Errorf("a file merged from the branch is reported:\n%s", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newHookRepo(t)
			r.install()
			tt.run(t, r)
		})
	}
}

func TestHookInstallPlaces(t *testing.T) {
	t.Parallel()
	tok := ghp(103)
	t.Run("core.hooksPath", func(t *testing.T) {
		t.Parallel()
		r := newHookRepo(t)
		r.git("config", "core.hooksPath", ".githooks")
		r.install()
		if _, err := os.Stat(filepath.Join(r.dir, ".githooks", "pre-commit")); err != nil {
			t.Fatalf("hook not in core.hooksPath: %v", err)
		}
		if _, err := os.Stat(filepath.Join(r.dir, ".git", "hooks", "pre-commit")); err == nil {
			t.Errorf("hook also written to .git/hooks")
		}
		r.write("a.env", "GH="+tok+"\n")
		out, code := r.commit()
		refused(t, out, code, []string{tok}, "a.env:1:")
	})
	t.Run("worktree", func(t *testing.T) {
		t.Parallel()
		r := newHookRepo(t)
		r.write("a.txt", "a\n")
		r.baseCommit()
		r.install()
		wt := filepath.Join(t.TempDir(), "linked wt")
		r.git("worktree", "add", "-q", "-b", "side", wt)
		w := &hookRepo{t: t, dir: wt, env: r.env}
		w.write("s.env", "GH="+tok+"\n")
		out, code := w.commit()
		refused(t, out, code, []string{tok}, "s.env:1:")
		w.write("s.env", "clean\n")
		out, code = w.commit()
		passed(t, out, code)
	})
	t.Run("check flags after --", func(t *testing.T) {
		t.Parallel()
		r := newHookRepo(t)
		if out, code := r.patrol("hook", "install", "stray"); code != exitError {
			t.Errorf("install with a stray argument: exit %d, output %q; want 2", code, out)
		}
		r.install("--", "--max-blob-size", "1KiB")
		r.write("big.env", strings.Repeat("#\n", 1024)+"GH="+tok+"\n")
		out, code := r.commit()
		if code != 0 || !strings.Contains(out, "big.env") || !strings.Contains(out, "size limit") {
			t.Errorf("commit of an oversize file with --max-blob-size 1KiB: exit %d, output %q; want a warning", code, out)
		}
	})
	t.Run("subdirectory", func(t *testing.T) {
		t.Parallel()
		r := newHookRepo(t)
		sub := &hookRepo{t: t, dir: filepath.Join(r.dir, "deep", "er"), env: r.env}
		os.MkdirAll(sub.dir, 0o755)
		sub.install()
		sub.write("x.env", "GH="+tok+"\n")
		out, code := sub.commit()
		refused(t, out, code, []string{tok}, "deep/er/x.env:1:")
	})
}

func TestHookForeign(t *testing.T) {
	t.Parallel()
	tok := ghp(104)
	r := newHookRepo(t)
	hooks := filepath.Join(r.dir, ".git", "hooks")
	marker := filepath.Join(t.TempDir(), "ran")
	foreign := "#!/bin/sh\necho ran >> '" + marker + "'\nexit ${FOREIGN_EXIT:-0}\n"
	os.WriteFile(filepath.Join(hooks, "pre-commit"), []byte(foreign), 0o755)

	out, code := r.patrol("hook", "install")
	if code != exitError || !strings.Contains(out, filepath.Join(hooks, "pre-commit")) || !strings.Contains(out, "--force") {
		t.Fatalf("install over a foreign hook: exit %d, output %q; want 2, naming the file and --force", code, out)
	}
	if b, _ := os.ReadFile(filepath.Join(hooks, "pre-commit")); string(b) != foreign {
		t.Fatalf("foreign hook changed by a refused install")
	}

	out, code = r.patrol("hook", "install", "--force")
	if code != 0 || !strings.Contains(out, "pre-commit"+hook.ChainedSuffix) {
		t.Fatalf("install --force: exit %d, output %q", code, out)
	}
	r.write("a.env", "GH="+tok+"\n")
	out, code = r.commit()
	refused(t, out, code, []string{tok}, "a.env:1:")
	if b, _ := os.ReadFile(marker); string(b) != "ran\n" {
		t.Errorf("chained hook ran %q times, want once", b)
	}
	r.write("a.env", "clean\n")
	out, code = r.commit("FOREIGN_EXIT=1")
	if code == 0 {
		t.Errorf("a failing chained hook did not stop the commit:\n%s", out)
	}
	out, code = r.commit()
	passed(t, out, code)

	out, code = r.patrol("hook", "uninstall")
	if code != 0 || !strings.Contains(out, "back in") {
		t.Errorf("uninstall: exit %d, output %q", code, out)
	}
	if b, _ := os.ReadFile(filepath.Join(hooks, "pre-commit")); string(b) != foreign {
		t.Errorf("uninstall did not restore the foreign hook: %q", b)
	}
	if _, err := os.Stat(filepath.Join(hooks, "pre-commit"+hook.ChainedSuffix)); err == nil {
		t.Errorf("chained copy left behind")
	}
}

func TestHookPrePush(t *testing.T) {
	t.Parallel()
	tok, old := ghp(105), ghp(106)
	toks := []string{tok, old}
	r := newHookRepo(t)
	remote := filepath.Join(t.TempDir(), "remote.git")
	r.git("init", "-q", "--bare", remote)
	r.git("remote", "add", "origin", remote)
	r.install("--pre-push")
	if _, err := os.Stat(filepath.Join(r.dir, ".git", "hooks", "pre-push")); err != nil {
		t.Fatalf("no pre-push hook: %v", err)
	}
	// The remote already has a token (pushed knowingly, before patrol).
	r.write("legacy.env", "OLD="+old+"\n")
	r.baseCommit()
	r.git("push", "-q", "--no-verify", "origin", "main")

	r.write("a.txt", "clean\n")
	r.baseCommit()
	out, code := r.run(nil, "git", "push", "-q", "origin", "main")
	passed(t, out, code)

	r.write("legacy.env", "OLD="+old+"\nNEW="+tok+"\n")
	r.baseCommit() // committed past the pre-commit hook
	leak := r.git("rev-parse", "HEAD")
	out, code = r.run(nil, "git", "push", "-q", "origin", "main")
	refused(t, out, code, toks, "push refused: 1 token", "legacy.env:2: github-classic-pat: "+preview(tok)+" (commit "+leak[:12]+")", "git push --no-verify")
	if r.git("ls-remote", "origin", "refs/heads/main") == leak {
		t.Errorf("the refused commit reached the remote")
	}
	r.git("reset", "-q", "--hard", "HEAD~1")

	// A new branch: only the commits the remote lacks are checked (legacy.env is on origin/main).
	r.git("checkout", "-q", "-b", "topic")
	r.write("b.txt", "b\n")
	r.baseCommit()
	out, code = r.run(nil, "git", "push", "-q", "origin", "topic")
	passed(t, out, code)
	r.write("c.env", "X="+tok+"\n")
	r.baseCommit()
	out, code = r.run(nil, "git", "push", "-q", "origin", "HEAD:refs/heads/topic2")
	refused(t, out, code, toks, "c.env:1:")
	if strings.Contains(out, "legacy.env") {
		t.Errorf("a token the remote has is reported:\n%s", out)
	}
	out, code = r.run([]string{"PATROL_SKIP=1"}, "git", "push", "-q", "origin", "HEAD:refs/heads/topic2")
	if code != 0 || !strings.Contains(out, "PATROL_SKIP=1") {
		t.Errorf("PATROL_SKIP=1 push: exit %d, output %q", code, out)
	}
	out, code = r.run(nil, "git", "push", "-q", "origin", ":refs/heads/topic2")
	passed(t, out, code)
}

func TestHookOversizeAndFiles(t *testing.T) {
	t.Parallel()
	tok := ghp(107)
	r := newHookRepo(t)
	r.write("big.txt", strings.Repeat("x", 4096)+"\n"+tok+"\n")
	r.write("ok.txt", "fine\n")
	r.git("add", "-A")
	out, code := r.patrol("hook", "pre-commit", "--max-blob-size", "1KiB")
	if code != 0 || !strings.Contains(out, "warning: big.txt (") || !strings.Contains(out, "not checked") {
		t.Errorf("oversize staged file: exit %d, output %q; want 0 and a warning naming it", code, out)
	}
	out, code = r.patrol("scan", "--staged")
	refused(t, out, code, []string{tok}, "big.txt:2:")

	r.write("blob.bin", "\x00"+tok)
	r.git("add", "-A")
	out, _ = r.patrol("scan", "--staged")
	if !strings.Contains(out, "skipped 1 binary") {
		t.Errorf("scan --staged summary does not count the binary file:\n%s", out)
	}

	out, code = r.patrol("hook", "files", "ok.txt", "big.txt")
	refused(t, out, code, []string{tok}, "1 token in the files checked", "big.txt:2:", "SKIP=patrol-files")
	out, code = r.patrol("hook", "files", "ok.txt")
	passed(t, out, code)
}

// TestPreCommitManifest checks .pre-commit-hooks.yaml: it parses, every hook has the keys
// pre-commit requires, and each entry names a patrol subcommand that exists.
func TestPreCommitManifest(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []map[string]any
	if err := yaml.UnmarshalWithOptions(b, &hooks, yaml.Strict()); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	ids := map[string]map[string]any{}
	for i, h := range hooks {
		for _, k := range []string{"id", "name", "entry", "language"} {
			if s, _ := h[k].(string); s == "" {
				t.Errorf("hook %d: %q missing or not a string", i, k)
			}
		}
		ids[fmt.Sprint(h["id"])] = h
		entry := strings.Fields(fmt.Sprint(h["entry"]))
		if len(entry) == 0 || entry[0] != "patrol" {
			t.Errorf("hook %v: entry %q does not run patrol", h["id"], h["entry"])
			continue
		}
		c, rest, err := newRootCmd(streams{}).Find(entry[1:])
		if err != nil || len(rest) > 0 || c.Runnable() == false {
			t.Errorf("hook %v: entry %q: no such patrol command (%v, left %v)", h["id"], h["entry"], err, rest)
		}
	}
	for id, pass := range map[string]bool{"patrol": false, "patrol-files": true} {
		h, ok := ids[id]
		if !ok {
			t.Errorf("no hook id %q", id)
			continue
		}
		if got, _ := h["pass_filenames"].(bool); got != pass {
			t.Errorf("hook %s: pass_filenames = %v, want %v", id, h["pass_filenames"], pass)
		}
		if h["language"] != "golang" {
			t.Errorf("hook %s: language = %v, want golang", id, h["language"])
		}
	}
}

func TestHookPrePushShallowClone(t *testing.T) {
	t.Parallel()
	tok := ghp(108)
	r := newHookRepo(t)
	remote := filepath.Join(t.TempDir(), "remote.git")
	r.git("init", "-q", "--bare", "-b", "main", remote)
	for i := range 3 {
		r.write("a.txt", strings.Repeat("x\n", i+1))
		r.baseCommit()
	}
	r.git("push", "-q", "--no-verify", remote, "main")
	c := &hookRepo{t: t, dir: filepath.Join(t.TempDir(), "shallow"), env: r.env}
	r.git("clone", "-q", "--depth", "1", "file://"+remote, c.dir)
	c.install("--pre-push")
	c.write("b.txt", "clean\n")
	c.baseCommit()
	out, code := c.run(nil, "git", "push", "-q", "origin", "main")
	if code != 0 || strings.Contains(out, "refused") || !strings.Contains(out, "shallow") {
		t.Errorf("clean push from a shallow clone: exit %d, output %q; want 0 and a warning", code, out)
	}
	c.write("b.txt", "GH="+tok+"\n")
	c.baseCommit()
	out, code = c.run(nil, "git", "push", "-q", "origin", "main")
	refused(t, out, code, []string{tok}, "b.txt:1:")
}
