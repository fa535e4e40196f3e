package git

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsec/patrol/internal/httpx"
)

func TestIsURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"https://github.com/o/r.git", true},
		{"http://host:8080/r.git", true},
		{"ssh://git@host:2222/r.git", true},
		{"git://host/r.git", true},
		{"file:///srv/repos/r.git", true},
		{"git+ssh://host/r", true},
		{"git@github.com:o/r.git", true},
		{"git@ssh.dev.azure.com:v3/contoso/project/repo", true},
		{"contoso@vs-ssh.visualstudio.com:v3/contoso/project/repo", true},
		{"host.example.com:r.git", true},
		{"user@[::1]:r.git", true},
		{"", false},
		{".", false},
		{"-", false},
		{"repo", false},
		{"./a:b", false},
		{"/srv/a:b/c", false},
		{"dir/with:colon", false},
		{`C:\x`, false},
		{`C:\Users\me\repo`, false},
		{"C:/x", false},
		{"c:repo", false},
		{"C://x", false},
		{":path", false},
		{"user@:path", false},
		{"user name@host:path", false},
		{`..\a:b`, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := IsURL(tt.in); got != tt.want {
				t.Errorf("IsURL(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactText(t *testing.T) {
	t.Parallel()
	pw := "pw-" + strings.Repeat("z", 12)
	tests := []struct{ in, want string }{
		{"no url here", "no url here"},
		{"unable to access 'https://user:" + pw + "@host/r.git/': 403", "unable to access 'https://host/r.git/': 403"},
		{"repository https://" + pw + "@github.com/o/r?token=" + pw + " not found", "repository https://github.com/o/r not found"},
		{"ssh://git@host/r and git@host:r", "ssh://host/r and git@host:r"},
	}
	for _, tt := range tests {
		if got := RedactText(tt.in); got != tt.want {
			t.Errorf("RedactText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCachePath(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	a, err := CachePath(base, "https://tok@dev.azure.com/contoso/app/_git/app")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := CachePath(base, "https://dev.azure.com/contoso/app/_git/app")
	if a != b || filepath.Dir(a) != base || !strings.Contains(filepath.Base(a), "dev.azure.com_contoso_app__git_app-") {
		t.Errorf("CachePath = %q and %q, want one directory under %s for both spellings", a, b, base)
	}
	// The repository as findings report it leads back to the same clone.
	c, _ := CachePath(base, httpx.RedactURL("ssh://git@host/o/r.git"))
	d, _ := CachePath(base, "ssh://git@host/o/r.git")
	if c != d {
		t.Errorf("CachePath(reported) = %q, CachePath(URL) = %q; want the same", c, d)
	}
	if _, err := CachePath(base, "https://u:pw@host/r"); err == nil {
		t.Errorf("CachePath(URL with a password) = nil error")
	}
}

func TestRunnerErrors(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	dir := t.TempDir()
	secretPW := "pw-" + strings.Repeat("q", 16)
	r := Runner{Dir: dir, Secrets: []string{"q-secret-value"}}
	_, err := r.Output(t.Context(), nil, "ls-remote", "--", "file:///nonexistent/"+secretPW+"/q-secret-value")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Output(bad ls-remote) = %v, want an *Error", err)
	}
	if e.Sub != "ls-remote" || e.Dir != dir || e.ExitCode() <= 0 {
		t.Errorf("Error = %+v, want sub ls-remote, dir %s and an exit code", e, dir)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "git ls-remote in "+dir+": ") || strings.Contains(msg, "q-secret-value") {
		t.Errorf("error %q: want it to name the subcommand and directory, without the secret", msg)
	}
	// Credentials in a URL that git prints are dropped.
	_, err = r.Output(t.Context(), nil, "ls-remote", "--", "https://user:"+secretPW+"@127.0.0.1:1/r.git")
	if err == nil || strings.Contains(err.Error(), secretPW) {
		t.Errorf("ls-remote with a password = %v, want an error without it", err)
	}
	// A canceled context is the cause.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := r.Run(ctx, "version"); !errors.Is(err, context.Canceled) {
		t.Errorf("Run(canceled) = %v, want context.Canceled", err)
	}
}

func TestRemoteURL(t *testing.T) {
	t.Parallel()
	r := newTestRepo(t)
	if got, err := RemoteURL(t.Context(), r.dir); err != nil || got != "" {
		t.Errorf("RemoteURL(no origin) = %q, %v; want empty", got, err)
	}
	r.git("remote", "add", "origin", "https://contoso@dev.azure.com/contoso/app/_git/app")
	if got, err := RemoteURL(t.Context(), r.dir); err != nil || got != "https://dev.azure.com/contoso/app/_git/app" {
		t.Errorf("RemoteURL = %q, %v; want the URL without its user", got, err)
	}
	if _, err := RemoteURL(t.Context(), filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Errorf("RemoteURL(missing directory) = nil error")
	}
}

// TestSettleConcurrentClone: a clone that finishes second keeps the first one's mirror and
// removes its own; with no mirror there, a failed move is an error.
func TestSettleConcurrentClone(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dir, tmp := filepath.Join(base, "repo.git"), filepath.Join(base, ".clone-1")
	for _, d := range []string{dir, tmp} {
		if err := os.MkdirAll(filepath.Join(d, "objects"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "HEAD"), []byte("ref: refs/heads/main\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := settle(tmp, dir); err != nil {
		t.Fatalf("settle over a concurrent clone: %v", err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("the second clone was left behind: %v", err)
	}
	if err := settle(filepath.Join(base, "missing"), filepath.Join(base, "none", "x.git")); err == nil {
		t.Error("settle of a missing clone into a missing directory: no error")
	}
}
