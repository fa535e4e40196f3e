package targets

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewGit(t *testing.T) {
	t.Parallel()
	tok := testToken()
	tests := []struct {
		name     string
		url      string
		want     Repository
		wantText string // empty: valid
	}{
		{
			name: "https",
			url:  "https://dev.azure.com/contoso/app/_git/app",
			want: Repository{Key: "https://dev.azure.com/contoso/app/_git/app", CloneURL: "https://dev.azure.com/contoso/app/_git/app", Provider: "git", Name: "dev.azure.com/contoso/app/_git/app"},
		},
		{
			name: "user name dropped, host lower-cased",
			url:  "HTTPS://contoso@Dev.Azure.com/contoso/app/_git/app",
			want: Repository{Key: "https://dev.azure.com/contoso/app/_git/app", CloneURL: "https://dev.azure.com/contoso/app/_git/app", Provider: "git", Name: "dev.azure.com/contoso/app/_git/app"},
		},
		{
			name: "loopback http, .git dropped from the name",
			url:  "http://127.0.0.1:8080/org/app.git",
			want: Repository{Key: "http://127.0.0.1:8080/org/app.git", CloneURL: "http://127.0.0.1:8080/org/app.git", Provider: "git", Name: "127.0.0.1:8080/org/app"},
		},
		{name: "password", url: "https://x:" + tok.Reveal() + "@github.com/org/app.git", wantText: "clone URL https://github.com/org/app.git holds a password"},
		{name: "plain http", url: "http://git.example/org/app.git", wantText: "is not https"},
		{name: "ssh", url: "ssh://git@github.com/org/app.git",
			want: Repository{Key: "ssh://git@github.com/org/app.git", CloneURL: "ssh://git@github.com/org/app.git", Provider: "git", Name: "ssh://git@github.com/org/app.git"}},
		{name: "scp-like", url: "git@github.com:org/app.git",
			want: Repository{Key: "git@github.com:org/app.git", CloneURL: "git@github.com:org/app.git", Provider: "git", Name: "git@github.com:org/app.git"}},
		{name: "file", url: "file:///srv/app.git",
			want: Repository{Key: "file:///srv/app.git", CloneURL: "file:///srv/app.git", Provider: "git", Name: "file:///srv/app.git"}},
		{name: "ssh password", url: "ssh://git:" + tok.Reveal() + "@github.com/org/app.git", wantText: "holds a password"},
		{name: "relative", url: "org/app.git", wantText: "is not an absolute URL"},
		{name: "query", url: "https://github.com/org/app.git?access_token=" + tok.Reveal(), wantText: "clone URL https://github.com/org/app.git has a query"},
		{name: "no repository", url: "https://github.com/", wantText: "names no repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, err := NewGit(tt.url)
			if tt.wantText != "" {
				if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantText) {
					t.Fatalf("NewGit(%q) = %v, want ErrConfig with %q", tt.name, err, tt.wantText)
				}
				checkSecretFree(t, "the error", err.Error(), tok)
				return
			}
			if err != nil {
				t.Fatalf("NewGit: %v", err)
			}
			got, err := l.List(t.Context())
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if diff := cmp.Diff([]Repository{tt.want}, got); diff != "" {
				t.Errorf("List (-want +got):\n%s", diff)
			}
			if s := fmt.Sprint(l); s != "git "+tt.want.Key {
				t.Errorf("String() = %q", s)
			}
		})
	}
}

// git runs the git binary in dir.
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=patrol", "-c", "user.email=patrol@example.invalid", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestPath(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	git(t, root, "init", "-q", "work")
	git(t, filepath.Join(root, "work"), "commit", "-q", "--allow-empty", "-m", "first")
	git(t, filepath.Join(root, "work"), "worktree", "add", "-q", filepath.Join(root, "linked"))
	git(t, root, "init", "-q", "--bare", "bare.git")
	if err := os.Mkdir(filepath.Join(root, "plain"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir      string
		wantText string // empty: a repository
	}{
		{dir: "work"},
		{dir: "linked"},
		{dir: "bare.git"},
		{dir: "plain", wantText: "not a git repository"},
		{dir: "file", wantText: "not a directory"},
		{dir: "gone", wantText: "no such directory"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(root, tt.dir)
			l, err := NewPath(dir)
			if err != nil {
				t.Fatalf("NewPath: %v", err)
			}
			got, err := l.List(t.Context())
			if tt.wantText != "" {
				if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "path "+dir+": invalid target: "+tt.wantText) {
					t.Errorf("List() = %v, %v; want ErrConfig with %q", got, err, tt.wantText)
				}
				return
			}
			want := []Repository{{Key: dir, Provider: "path", Name: dir}}
			if err != nil || !cmp.Equal(want, got) {
				t.Errorf("List() = %+v, %v; want %+v", got, err, want)
			}
		})
	}
}

func TestNewPath(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewPath(".")
	if err != nil {
		t.Fatalf("NewPath(.): %v", err)
	}
	if s := fmt.Sprint(l); s != "path "+wd {
		t.Errorf("NewPath(.) = %s, want path %s", s, wd)
	}
	if _, err := NewPath(""); !errors.Is(err, ErrConfig) {
		t.Errorf("NewPath(\"\") = %v, want ErrConfig", err)
	}
}
