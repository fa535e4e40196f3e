package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

// Runner runs the git binary. Every git process patrol starts goes through one, so that each
// gets the same environment (no prompt, no lock taken for reading, no variable pointing git at
// another repository than the one asked for), keeps the start of its stderr, honours ctx, and
// fails with an [*Error] that names the subcommand and the directory and holds no credential.
// The zero Runner runs "git" from PATH in the current directory. A Runner is not changed by
// its methods and is safe for concurrent use.
type Runner struct {
	// Git is the path of the git binary; empty means "git", looked up on PATH.
	Git string
	// Dir is the directory git runs in; empty means the current directory.
	Dir string
	// GitDir, when set, is passed as GIT_DIR: the repository to read, whatever Dir is.
	GitDir string
	// Inherit keeps the variables that name a repository, work tree or index (GIT_DIR,
	// GIT_INDEX_FILE, GIT_WORK_TREE, …) from the environment. Inside a hook git sets them to
	// what it is committing or pushing, and the hook's git commands must see the same. Without
	// Inherit they are dropped, with the variables that change git's output formats.
	Inherit bool
	// Config are "key=value" settings passed with -c before the subcommand.
	Config []string
	// Env are more "KEY=value" entries for the environment.
	Env []string
	// Secrets are strings that never appear in an error (a token given to this process).
	Secrets []string
}

// repoEnv are the environment variables that make git read another repository, object store
// or index than the one asked for; outputEnv those that change what git prints or runs.
var (
	repoEnv = []string{
		"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_QUARANTINE_PATH", "GIT_REPLACE_REF_BASE",
	}
	outputEnv = []string{
		"GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_EXTERNAL_DIFF", "GIT_PAGER", "PAGER",
		"LC_ALL", "LANG", "GIT_TRACE", "GIT_TRACE2",
	}
)

// environ returns the environment of a git process.
func (r *Runner) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == GitTokenEnv {
			continue // patrol's own credential: git does not read it, and ssh or a hook must not see it
		}
		if !r.Inherit && (slices.Contains(repoEnv, k) || slices.Contains(outputEnv, k)) {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never", "GIT_OPTIONAL_LOCKS=0")
	if !r.Inherit {
		env = append(env, "GIT_NO_REPLACE_OBJECTS=1", "LC_ALL=C")
	}
	if r.GitDir != "" {
		env = append(env, "GIT_DIR="+r.GitDir)
	}
	return append(env, r.Env...)
}

// Command returns the command for git args, ready to start; Output, Run and Start are built
// on it. Prefer them: they capture stderr for the error.
func (r *Runner) Command(ctx context.Context, args ...string) *exec.Cmd {
	full := make([]string, 0, 2*len(r.Config)+len(args))
	for _, c := range r.Config {
		full = append(full, "-c", c)
	}
	full = append(full, args...)
	git := r.Git
	if git == "" {
		git = "git"
	}
	cmd := exec.CommandContext(ctx, git, full...)
	cmd.Dir = r.Dir
	cmd.Env = r.environ()
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Output runs git with stdin (nil for none) and returns its stdout.
func (r *Runner) Output(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := r.Command(ctx, args...)
	cmd.Stdin = stdin
	var stderr tailBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, r.fail(ctx, args, err, &stderr)
	}
	return out, nil
}

// Run runs git and discards its output.
func (r *Runner) Run(ctx context.Context, args ...string) error {
	cmd := r.Command(ctx, args...)
	var stderr tailBuffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return r.fail(ctx, args, err, &stderr)
	}
	return nil
}

// Process is a running git whose stdout is read as it comes.
type Process struct {
	// Stdout is git's standard output.
	Stdout io.ReadCloser
	cmd    *exec.Cmd
	ctx    context.Context
	run    *Runner
	args   []string
	stderr tailBuffer
}

// Start starts git with stdin (nil for none). The caller reads Stdout and then calls Wait, or
// Abort when it stops reading early.
func (r *Runner) Start(ctx context.Context, stdin io.Reader, args ...string) (*Process, error) {
	p := &Process{cmd: r.Command(ctx, args...), ctx: ctx, run: r, args: args}
	p.cmd.Stdin = stdin
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, r.fail(ctx, args, err, &p.stderr)
	}
	if err := p.cmd.Start(); err != nil {
		return nil, r.fail(ctx, args, err, &p.stderr)
	}
	p.Stdout = out
	return p, nil
}

// Wait reads what is left of stdout, reaps git and returns its failure, if any.
func (p *Process) Wait() error {
	_, _ = io.Copy(io.Discard, p.Stdout)
	if err := p.cmd.Wait(); err != nil {
		return p.run.fail(p.ctx, p.args, err, &p.stderr)
	}
	return nil
}

// Abort kills git and reaps it.
func (p *Process) Abort() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
}

// Error is a git command that failed. Its text names the subcommand and the directory, and
// carries the first lines of git's stderr with credentials removed.
type Error struct {
	// Sub is the subcommand ("log", "cat-file", "clone").
	Sub string
	// Dir is where it ran (Runner.GitDir, else Runner.Dir, else ".").
	Dir string
	// Stderr is the start of git's stderr, at most three lines joined by "; ", with
	// "fatal: " and "error: " dropped and credentials redacted.
	Stderr string
	// Err is the cause: an *exec.ExitError, a start failure or the context's error.
	Err error
}

func (e *Error) Error() string {
	if e.Stderr != "" {
		return fmt.Sprintf("git %s in %s: %s (%v)", e.Sub, e.Dir, e.Stderr, e.Err)
	}
	return fmt.Sprintf("git %s in %s: %v", e.Sub, e.Dir, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ExitCode returns git's exit status, or -1 when it did not exit (not started, killed).
func (e *Error) ExitCode() int {
	var ee *exec.ExitError
	if errors.As(e.Err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

func (r *Runner) fail(ctx context.Context, args []string, err error, stderr *tailBuffer) error {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	dir := r.GitDir
	if dir == "" {
		dir = r.Dir
	}
	if dir == "" {
		dir = "."
	}
	msg := stderr.message()
	for _, s := range r.Secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "REDACTED")
		}
	}
	return &Error{Sub: subcommand(args), Dir: dir, Stderr: RedactText(msg), Err: err}
}

// subcommand returns the first argument that is not an option (after -C DIR and -c K=V).
func subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-c", "-C":
			i++
			continue
		}
		if !strings.HasPrefix(args[i], "-") {
			return args[i]
		}
	}
	return ""
}

// tailBuffer keeps the first 4 KiB written to it (git's first error line is the useful one).
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := 4096 - len(t.buf); room > 0 {
		t.buf = append(t.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// message returns the first three error lines of stderr, joined.
func (t *tailBuffer) message() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var lines []string
	for l := range bytes.Lines(bytes.TrimSpace(t.buf)) {
		s := strings.TrimSpace(string(l))
		s = strings.TrimPrefix(strings.TrimPrefix(s, "fatal: "), "error: ")
		if s != "" && len(lines) < 3 {
			lines = append(lines, s)
		}
	}
	return strings.Join(lines, "; ")
}
