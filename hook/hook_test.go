package hook

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
)

// repo is a real repository built with the git binary.
type repo struct {
	t   *testing.T
	dir string
	env []string
}

func newRepo(t *testing.T, args ...string) *repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	home := t.TempDir()
	r := &repo{t: t, dir: filepath.Join(t.TempDir(), "repo"), env: append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+home, "XDG_CONFIG_HOME="+home,
		"GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Cy", "GIT_COMMITTER_EMAIL=cy@example.com")}
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.git(append([]string{"init", "-q", "-b", "main"}, args...)...)
	return r
}

func (r *repo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *repo) commit(name, content string) string {
	r.t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.git("add", name)
	r.git("commit", "-q", "--no-verify", "-m", name)
	return r.git("rev-parse", "HEAD")
}

func TestScript(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, kind := range []Kind{PreCommit, PrePush} {
		s := Script(kind, "/opt/it's here/patrol")
		if !strings.HasPrefix(s, "#!/bin/sh\n"+Marker) {
			t.Errorf("Script(%s) does not start with the shebang and the marker:\n%s", kind, s)
		}
		if !strings.Contains(s, `patrol='/opt/it'\''s here/patrol'`) {
			t.Errorf("Script(%s) does not quote the patrol path:\n%s", kind, s)
		}
		if want := "hook " + string(kind); !strings.Contains(s, want) {
			t.Errorf("Script(%s) does not run %q", kind, want)
		}
		if with := Script(kind, "/p", "--verify", "-c", "my conf.yaml"); !strings.Contains(with, "hook "+string(kind)+" '--verify' '-c' 'my conf.yaml'") {
			t.Errorf("Script(%s) with args does not pass them quoted:\n%s", kind, with)
		}
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = strings.NewReader(s)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sh -n Script(%s) = %v\n%s", kind, err, out)
		}
	}
}

// TestScriptRuns runs the scripts with a stand-in patrol that logs its arguments and stdin.
func TestScriptRuns(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	tests := []struct {
		name    string
		kind    Kind
		chain   bool
		missing bool
		env     []string
		code    int
		log     string
		stderr  string
	}{
		{name: "pre-commit", kind: PreCommit, log: "patrol hook pre-commit\n"},
		{name: "pre-commit refused", kind: PreCommit, env: []string{"FAKE_EXIT=1"}, code: 1, log: "patrol hook pre-commit\n"},
		{name: "skip", kind: PreCommit, env: []string{SkipEnv + "=1", "FAKE_EXIT=1"}, stderr: "PATROL_SKIP=1: this commit is not checked"},
		{name: "chained runs first", kind: PreCommit, chain: true, log: "chained \npatrol hook pre-commit\n"},
		{name: "chained failure stops", kind: PreCommit, chain: true, env: []string{"CHAIN_EXIT=3"}, code: 3, log: "chained \n"},
		{name: "pre-push", kind: PrePush, log: "patrol hook pre-push origin /r\nupdates\n"},
		{name: "pre-push chained, both read stdin", kind: PrePush, chain: true, log: "chained origin /r\nupdates\npatrol hook pre-push origin /r\nupdates\n"},
		{name: "pre-push chained failure stops", kind: PrePush, chain: true, env: []string{"CHAIN_EXIT=1"}, code: 1, log: "chained origin /r\nupdates\n"},
		{name: "pre-push refused after chained", kind: PrePush, chain: true, env: []string{"FAKE_EXIT=1"}, code: 1, log: "chained origin /r\nupdates\npatrol hook pre-push origin /r\nupdates\n"},
		{name: "patrol missing", kind: PrePush, missing: true, code: 1, stderr: "is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			log := filepath.Join(dir, "log")
			fake := filepath.Join(dir, "bin", "patrol")
			os.MkdirAll(filepath.Dir(fake), 0o755)
			os.WriteFile(fake, []byte("#!/bin/sh\necho \"patrol $*\" >> '"+log+"'\ncat >> '"+log+"'\nexit ${FAKE_EXIT:-0}\n"), 0o755)
			if tt.missing {
				fake = filepath.Join(dir, "nope")
			}
			p := filepath.Join(dir, string(tt.kind))
			os.WriteFile(p, []byte(Script(tt.kind, fake)), 0o755)
			if tt.chain {
				os.WriteFile(p+ChainedSuffix, []byte("#!/bin/sh\necho \"chained $*\" >> '"+log+"'\n"+
					"[ $# = 0 ] || cat >> '"+log+"'\nexit ${CHAIN_EXIT:-0}\n"), 0o755)
			}
			var args []string
			if tt.kind == PrePush {
				args = []string{"origin", "/r"}
			}
			var stderr bytes.Buffer
			var err error
			// A file this process just wrote can be "text file busy" for an instant, while a
			// child forked by a parallel test still holds the write descriptor (golang/go#22315).
			for try := 0; ; try++ {
				cmd := exec.Command(p, args...)
				cmd.Env = append(os.Environ(), tt.env...)
				if tt.kind == PrePush {
					cmd.Stdin = strings.NewReader("updates\n")
				}
				stderr.Reset()
				cmd.Stderr = &stderr
				err = cmd.Run()
				if !errors.Is(err, syscall.ETXTBSY) || try == 20 {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			got, _ := os.ReadFile(log)
			if string(got) != tt.log {
				t.Errorf("log = %q, want %q", got, tt.log)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.stderr)
			}
		})
	}
}

func TestInstallUninstall(t *testing.T) {
	const patrol = "/usr/local/bin/patrol"
	foreign := "#!/bin/sh\necho mine\n"
	tests := []struct {
		name      string
		hooksPath string // core.hooksPath
		before    map[string]string
		opts      InstallOptions
		wantErr   error
		want      []Action
		uninstall []Action
		after     map[string]string // hook file → content prefix after uninstall
	}{
		{name: "fresh", opts: InstallOptions{Kinds: []Kind{PreCommit, PrePush}}, want: []Action{Installed, Installed}, uninstall: []Action{Removed, Removed}},
		{name: "update", before: map[string]string{"pre-commit": Script(PreCommit, "/old/patrol")}, want: []Action{Updated}, uninstall: []Action{Removed, Absent}},
		{name: "foreign refused", before: map[string]string{"pre-commit": foreign}, wantErr: ErrForeignHook},
		{name: "foreign pre-push refused, nothing written", before: map[string]string{"pre-push": foreign}, opts: InstallOptions{Kinds: []Kind{PreCommit, PrePush}}, wantErr: ErrForeignHook},
		{
			name: "force chains", before: map[string]string{"pre-commit": foreign}, opts: InstallOptions{Force: true},
			want: []Action{Chained}, uninstall: []Action{Restored, Absent}, after: map[string]string{"pre-commit": foreign},
		},
		{name: "force with a chained hook there already", before: map[string]string{"pre-commit": foreign, "pre-commit" + ChainedSuffix: foreign}, opts: InstallOptions{Force: true}, wantErr: ErrForeignHook},
		{name: "core.hooksPath relative", hooksPath: ".githooks", want: []Action{Installed}, uninstall: []Action{Removed, Absent}},
		{name: "core.hooksPath absolute", hooksPath: "ABS", want: []Action{Installed}, uninstall: []Action{Removed, Absent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRepo(t)
			hooks := filepath.Join(r.dir, ".git", "hooks")
			switch tt.hooksPath {
			case "":
			case "ABS":
				hooks = filepath.Join(t.TempDir(), "shared hooks")
				r.git("config", "core.hooksPath", hooks)
			default:
				hooks = filepath.Join(r.dir, tt.hooksPath)
				r.git("config", "core.hooksPath", tt.hooksPath)
			}
			os.MkdirAll(hooks, 0o755)
			for name, content := range tt.before {
				os.WriteFile(filepath.Join(hooks, name), []byte(content), 0o755)
			}
			opts := tt.opts
			opts.Dir, opts.Patrol = r.dir, patrol
			res, err := Install(t.Context(), opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Install = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), hooks) {
					t.Errorf("Install error %q does not name the hook in %s", err, hooks)
				}
				for name, content := range tt.before {
					if b, _ := os.ReadFile(filepath.Join(hooks, name)); string(b) != content {
						t.Errorf("after a refusal, %s = %q, want it unchanged", name, b)
					}
				}
				if _, err := os.Stat(filepath.Join(hooks, "pre-commit")); tt.before["pre-commit"] == "" && err == nil {
					t.Errorf("after a refusal, a pre-commit hook was written")
				}
				return
			}
			var actions []Action
			for _, x := range res {
				actions = append(actions, x.Action)
				b, err := os.ReadFile(x.Path)
				if err != nil || string(b) != Script(x.Kind, patrol) {
					t.Errorf("%s = %q, %v; want patrol's script", x.Path, b, err)
				}
				if filepath.Dir(x.Path) != hooks {
					t.Errorf("hook written to %s, want it in %s", x.Path, hooks)
				}
				if fi, err := os.Stat(x.Path); err != nil || fi.Mode()&0o111 == 0 {
					t.Errorf("%s is not executable", x.Path)
				}
			}
			if !cmp.Equal(actions, tt.want) {
				t.Errorf("Install actions = %v, want %v", actions, tt.want)
			}
			if tt.opts.Force {
				if b, _ := os.ReadFile(filepath.Join(hooks, "pre-commit"+ChainedSuffix)); string(b) != foreign {
					t.Errorf("chained hook = %q, want the foreign one", b)
				}
			}
			res, err = Uninstall(t.Context(), r.dir)
			if err != nil {
				t.Fatalf("Uninstall = %v", err)
			}
			actions = nil
			for _, x := range res {
				actions = append(actions, x.Action)
			}
			if !cmp.Equal(actions, tt.uninstall) {
				t.Errorf("Uninstall actions = %v, want %v", actions, tt.uninstall)
			}
			for _, k := range []Kind{PreCommit, PrePush} {
				b, err := os.ReadFile(filepath.Join(hooks, string(k)))
				if want, ok := tt.after[string(k)]; ok {
					if string(b) != want {
						t.Errorf("after uninstall, %s = %q, want %q", k, b, want)
					}
				} else if err == nil {
					t.Errorf("after uninstall, %s is still there: %q", k, b)
				}
			}
		})
	}
}

func TestUninstallLeavesForeign(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	p := filepath.Join(r.dir, ".git", "hooks", "pre-commit")
	os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755)
	res, err := Uninstall(t.Context(), r.dir)
	if err != nil || len(res) != 2 || res[0].Action != LeftAlone {
		t.Fatalf("Uninstall = %+v, %v; want pre-commit left alone", res, err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Errorf("foreign hook removed: %v", err)
	}
}

func TestHooksDirWorktreeAndErrors(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.commit("a", "a\n")
	wt := filepath.Join(t.TempDir(), "wt")
	r.git("worktree", "add", "-q", wt)
	got, err := HooksDir(t.Context(), wt)
	if want := filepath.Join(r.dir, ".git", "hooks"); err != nil || got != want {
		t.Errorf("HooksDir(worktree) = %q, %v; want %q (shared)", got, err, want)
	}
	sub := filepath.Join(r.dir, "sub")
	os.MkdirAll(sub, 0o755)
	if got, err := HooksDir(t.Context(), sub); err != nil || got != filepath.Join(r.dir, ".git", "hooks") {
		t.Errorf("HooksDir(subdirectory) = %q, %v", got, err)
	}
	if _, err := HooksDir(t.Context(), t.TempDir()); !errors.Is(err, ErrNotRepository) {
		t.Errorf("HooksDir(not a repository) = %v, want ErrNotRepository", err)
	}
	if _, err := Install(t.Context(), InstallOptions{Dir: r.dir, Patrol: "patrol"}); err == nil {
		t.Errorf("Install with a relative patrol path succeeded")
	}
}

func TestParseUpdates(t *testing.T) {
	t.Parallel()
	a, b, z := strings.Repeat("a", 40), strings.Repeat("b", 40), strings.Repeat("0", 40)
	tests := []struct {
		name    string
		in      string
		want    []Update
		wantErr bool
	}{
		{name: "empty", in: ""},
		{name: "blank lines", in: "\n\n"},
		{name: "update", in: "refs/heads/main " + a + " refs/heads/main " + b + "\n", want: []Update{{"refs/heads/main", a, "refs/heads/main", b}}},
		{name: "new and delete", in: "refs/heads/x " + a + " refs/heads/x " + z + "\n(delete) " + z + " refs/heads/y " + b + "\n",
			want: []Update{{"refs/heads/x", a, "refs/heads/x", z}, {"(delete)", z, "refs/heads/y", b}}},
		{name: "sha256", in: "HEAD " + strings.Repeat("c", 64) + " refs/heads/m " + strings.Repeat("0", 64), want: []Update{{"HEAD", strings.Repeat("c", 64), "refs/heads/m", strings.Repeat("0", 64)}}},
		{name: "three fields", in: "refs/heads/main " + a + " refs/heads/main\n", wantErr: true},
		{name: "short id", in: "r abc r " + b, wantErr: true},
		{name: "upper case", in: "r " + strings.ToUpper(a) + " r " + b, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseUpdates(strings.NewReader(tt.in))
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, ErrBadUpdate)) {
				t.Fatalf("ParseUpdates = %v, want error %v", err, tt.wantErr)
			}
			if !cmp.Equal(got, tt.want) {
				t.Errorf("ParseUpdates = %v, want %v", got, tt.want)
			}
		})
	}
	if u := (Update{LocalSHA: z, RemoteSHA: a}); !u.Deletes() || u.Creates() {
		t.Errorf("delete update: Deletes %v Creates %v", u.Deletes(), u.Creates())
	}
}

func FuzzParseUpdates(f *testing.F) {
	f.Add("refs/heads/main " + strings.Repeat("a", 40) + " refs/heads/main " + strings.Repeat("0", 40) + "\n")
	f.Add("(delete) 0 x y\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		us, err := ParseUpdates(strings.NewReader(in))
		for _, u := range us {
			if err != nil || !isObjectID(u.LocalSHA) || !isObjectID(u.RemoteSHA) || u.LocalRef == "" || u.RemoteRef == "" {
				t.Fatalf("ParseUpdates(%q) = %+v, %v", in, u, err)
			}
		}
	})
}

func TestRange(t *testing.T) {
	r := newRepo(t)
	remote := filepath.Join(t.TempDir(), "remote.git")
	r.git("init", "-q", "--bare", remote)
	r.git("remote", "add", "origin", remote)
	c1 := r.commit("a", "1\n")
	r.git("push", "-q", "--no-verify", "origin", "main")
	c2 := r.commit("b", "2\n")
	z := strings.Repeat("0", 40)
	unknown := strings.Repeat("e", 40)
	tests := []struct {
		name          string
		updates       []Update
		tips, exclude []string
	}{
		{"update", []Update{{"refs/heads/main", c2, "refs/heads/main", c1}}, []string{c2}, []string{c1}},
		{"new branch", []Update{{"refs/heads/x", c2, "refs/heads/x", z}}, []string{c2}, []string{c1}},
		{"old tip never fetched", []Update{{"refs/heads/main", c2, "refs/heads/main", unknown}}, []string{c2}, []string{c1}},
		{"delete", []Update{{"(delete)", z, "refs/heads/x", c1}}, nil, nil},
		{"two refs, one commit", []Update{{"refs/heads/main", c2, "refs/heads/main", c1}, {"refs/heads/y", c2, "refs/heads/y", z}}, []string{c2}, []string{c1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tips, exclude, err := Range(t.Context(), r.dir, tt.updates)
			if err != nil {
				t.Fatalf("Range = %v", err)
			}
			if !cmp.Equal(tips, tt.tips) || !cmp.Equal(exclude, tt.exclude) {
				t.Errorf("Range = %v, %v; want %v, %v", tips, exclude, tt.tips, tt.exclude)
			}
		})
	}
}

func TestWriteBlocked(t *testing.T) {
	t.Parallel()
	raw := "ghp_" + strings.Repeat("Zq9", 12)
	fp := strings.Repeat("ab", 32)
	f := func(path string, line int) Blocked {
		return Blocked{Finding: scanner.Finding{
			DetectorID: "github-classic-pat", Fingerprint: fp, Redacted: "ghp_Zq9Z…", Secret: secret.New(raw),
			Location: scanner.Location{Path: path, Line: line, Commit: strings.Repeat("c", 40)},
		}}
	}
	tests := []struct {
		kind Kind
		in   []Blocked
		has  []string
	}{
		{PreCommit, []Blocked{f("conf/app.yml", 3)}, []string{
			"patrol: commit refused: 1 token in the staged changes",
			"  conf/app.yml:3: github-classic-pat: ghp_Zq9Z…\n",
			"It is in your local files only, not committed yet",
			"patrol:allow",
			"       " + fp + "  # github-classic-pat conf/app.yml\n",
			"git commit --no-verify, or PATROL_SKIP=1 git commit",
		}},
		{PrePush, []Blocked{f("a b.env", 1), f("evil\x1b[2J.txt", 2)}, []string{
			"push refused: 2 tokens in the commits being pushed",
			"  a b.env:1: github-classic-pat: ghp_Zq9Z… (commit cccccccccccc)\n",
			`"evil\x1b[2J.txt":2:`,
			"They are in your local history only, not pushed yet",
			"git rebase -i <commit>^",
			"git push --no-verify",
		}},
		{Files, []Blocked{{Finding: f("x", 1).Finding, Status: "live"}}, []string{"1 token in the files checked", "(live)", "SKIP=patrol-files"}},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := WriteBlocked(&b, tt.kind, tt.in); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, h := range tt.has {
			if !strings.Contains(out, h) {
				t.Errorf("WriteBlocked(%s) lacks %q:\n%s", tt.kind, h, out)
			}
		}
		if strings.Contains(out, raw) {
			t.Errorf("WriteBlocked(%s) printed the raw token", tt.kind)
		}
		if n := strings.Count(out, fp); n != 1 {
			t.Errorf("WriteBlocked(%s) printed the fingerprint %d times, want once", tt.kind, n)
		}
	}
	// The printed line works in .patrolignore.
	p := filepath.Join(t.TempDir(), scanner.IgnoreFile)
	var b bytes.Buffer
	WriteBlocked(&b, PreCommit, []Blocked{f("p", 1)})
	for line := range strings.Lines(b.String()) {
		if strings.Contains(line, fp) {
			os.WriteFile(p, []byte(strings.TrimSpace(line)+"\n"), 0o644)
		}
	}
	var sup scanner.Suppressor
	if err := sup.LoadIgnoreFile(p); err != nil || !sup.Suppressed(f("p", 1).Finding) {
		t.Errorf("the printed .patrolignore line does not suppress the finding: %v", err)
	}
}
