package targets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/patrolsec/patrol/internal/httpx"
	gitsrc "github.com/patrolsec/patrol/scanner/git"
)

type gitLister struct{ repo Repository }

// NewGit returns the Lister of one repository given by its clone URL: https (plain http only
// to a loopback address), where a user name is dropped (Azure DevOps puts the organization
// there) and a password refused (the token belongs in the target's token); or an ssh, scp-style
// or file URL, cloned with the git binary and the user's own SSH setup (a target token is never
// sent there).
func NewGit(rawURL string) (Lister, error) {
	if !strings.HasPrefix(strings.ToLower(rawURL), "http") && gitsrc.IsURL(rawURL) {
		if u, err := url.Parse(rawURL); err == nil {
			if _, ok := u.User.Password(); ok || u.RawQuery != "" || u.Fragment != "" {
				return nil, fmt.Errorf("git target: %w: clone URL %s holds a password, a query or a fragment", ErrConfig, httpx.RedactURL(rawURL))
			}
		}
		return gitLister{Repository{Key: rawURL, CloneURL: rawURL, Provider: ProviderGit, Name: rawURL}}, nil
	}
	key, err := cleanCloneURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("git target: %w: %w", ErrConfig, err)
	}
	u, err := url.Parse(key)
	if err != nil {
		return nil, fmt.Errorf("git target: %w: %w", ErrConfig, err)
	}
	name := u.Host + strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), ".git")
	return gitLister{Repository{Key: key, CloneURL: key, Provider: ProviderGit, Name: name}}, nil
}

func (l gitLister) String() string { return "git " + l.repo.Key }

// List returns the one repository.
func (l gitLister) List(ctx context.Context) ([]Repository, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return []Repository{l.repo}, nil
}

type pathLister struct{ dir string }

// NewPath returns the Lister of the git repository in dir, a working tree or a bare
// repository; a relative dir is taken from the current directory now. List checks that it
// is a repository, each time.
func NewPath(dir string) (Lister, error) {
	if dir == "" {
		return nil, fmt.Errorf("path target: %w: the path is empty", ErrConfig)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("path target %s: %w: %w", dir, ErrConfig, err)
	}
	return pathLister{dir: abs}, nil
}

func (l pathLister) String() string { return "path " + l.dir }

// List returns the one repository, or ErrConfig when the directory is gone or holds no git
// repository.
func (l pathLister) List(ctx context.Context) ([]Repository, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fi, err := os.Stat(l.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w: no such directory", l, ErrConfig)
	case err != nil:
		return nil, fmt.Errorf("%s: %w: %w", l, ErrConfig, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("%s: %w: not a directory", l, ErrConfig)
	}
	if !isGitDir(l.dir) {
		return nil, fmt.Errorf("%s: %w: not a git repository (no .git, and not a bare repository)", l, ErrConfig)
	}
	return []Repository{{Key: l.dir, Provider: ProviderPath, Name: l.dir}}, nil
}

// isGitDir reports whether dir holds a working tree (.git is a directory, or a file for a
// linked worktree or submodule) or is a bare repository (HEAD, objects/ and refs/).
func isGitDir(dir string) bool {
	if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
		return true
	}
	head, err := os.Stat(filepath.Join(dir, "HEAD"))
	if err != nil || !head.Mode().IsRegular() {
		return false
	}
	for _, d := range []string{"objects", "refs"} {
		if fi, err := os.Stat(filepath.Join(dir, d)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}
