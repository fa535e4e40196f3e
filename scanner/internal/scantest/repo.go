package scantest

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Repo is a real repository built with the git binary, with fixed identities and dates, and
// no system or user git configuration.
type Repo struct {
	T   testing.TB
	Dir string
	// Env is the environment of its git commands (without the dates, which Git adds).
	Env   []string
	clock time.Time
}

// NewRepo runs `git init` of a new repository in a temporary directory, or git args when
// given (a clone into Dir). It skips the test when git is not installed.
func NewRepo(t testing.TB, args ...string) *Repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	home := t.TempDir()
	r := &Repo{
		T:   t,
		Dir: filepath.Join(t.TempDir(), "repo"),
		Env: append(os.Environ(),
			"GIT_CONFIG_NOSYSTEM=1", "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
			"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com",
			"GIT_COMMITTER_NAME=Cy Committer", "GIT_COMMITTER_EMAIL=cy@example.com",
			"GIT_TERMINAL_PROMPT=0"),
		clock: time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC),
	}
	if len(args) == 0 {
		r.Git("init", "-q", "-b", "main", r.Dir)
	} else {
		r.Git(args...)
	}
	return r
}

// Git runs git in the repository and returns its output, trimmed; a failure fails the test.
func (r *Repo) Git(args ...string) string {
	r.T.Helper()
	out, err := r.Try(args...)
	if err != nil {
		r.T.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Try runs git in the repository and returns its output (stdout and stderr), trimmed, and
// its failure.
func (r *Repo) Try(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	if _, err := os.Stat(r.Dir); err == nil {
		cmd.Dir = r.Dir
	}
	d := r.clock.Format(time.RFC3339)
	cmd.Env = append(slices.Clip(r.Env), "GIT_AUTHOR_DATE="+d, "GIT_COMMITTER_DATE="+d)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// Write writes a file of the work tree (slash path), making its directories.
func (r *Repo) Write(path, content string) {
	r.T.Helper()
	p := filepath.Join(r.Dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.T.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.T.Fatal(err)
	}
}

// Commit commits everything, one hour after the previous commit, and returns its id.
func (r *Repo) Commit(msg string) string {
	r.T.Helper()
	r.clock = r.clock.Add(time.Hour)
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	return r.Git("rev-parse", "HEAD")
}
