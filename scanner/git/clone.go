package git

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/patrolsec/patrol/internal/httpx"
)

// remoteError is a clone or fetch failure. Its text names the operation and the URL without
// credentials, and never holds the token; errors.Is still sees ErrClone and the cause
// (transport.ErrAuthenticationRequired, …).
type remoteError struct {
	msg string
	err error
}

func (e *remoteError) Error() string   { return e.msg }
func (e *remoteError) Unwrap() []error { return []error{ErrClone, e.err} }

func newRemoteError(op, rawURL, token string, err error) error {
	msg := err.Error()
	if token != "" {
		msg = strings.ReplaceAll(msg, token, "REDACTED")
	}
	safe := httpx.RedactURL(rawURL)
	if safe != rawURL {
		msg = strings.ReplaceAll(msg, rawURL, safe)
	}
	return &remoteError{msg: fmt.Sprintf("%s %s: %s", op, safe, msg), err: err}
}

// cloneOrFetch makes a bare mirror of opts.Repo (every ref) in the clone cache, or brings an
// existing one up to date, and returns its directory. The token comes from GitTokenEnv only.
func cloneOrFetch(ctx context.Context, opts GitOptions, log *slog.Logger) (string, error) {
	base := opts.CloneDir
	if base == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("clone %s: no clone directory: %w", httpx.RedactURL(opts.Repo), err)
		}
		base = filepath.Join(c, "patrol", "repos")
	}
	dir := cloneDirFor(base, opts.Repo)
	token := opts.Token.Reveal()
	if token == "" {
		token = os.Getenv(GitTokenEnv)
	}
	// The token is an HTTP credential: it is used for http(s) URLs only, and only over
	// https (or to loopback). ssh, scp-style and file URLs never see it.
	isHTTP := strings.HasPrefix(opts.Repo, "https://") || strings.HasPrefix(opts.Repo, "http://")
	if !isHTTP {
		token = ""
	}
	if token != "" && !secureRemote(opts.Repo) {
		return "", fmt.Errorf("clone %s: %w", httpx.RedactURL(opts.Repo), ErrPlainHTTP)
	}
	if gitPath, err := exec.LookPath("git"); err == nil && token == "" && opts.Mode != GitGoGit {
		// Without a token, the git binary clones, so that the user's credential helper and
		// SSH setup apply (go-git knows neither). A token is never put on git's command
		// line, where process lists would show it: with one, go-git clones below, and sends
		// it only to the origin of the URL (go-git drops it on a redirect elsewhere).
		return cloneWithGit(ctx, gitPath, opts.Repo, base, dir, log)
	}
	var auth transport.AuthMethod
	if token != "" {
		auth = &githttp.BasicAuth{Username: "x-access-token", Password: token}
	}
	if r, err := gogit.PlainOpen(dir); err == nil {
		log.Debug("fetching", "repo", httpx.RedactURL(opts.Repo), "path", dir)
		err := r.FetchContext(ctx, &gogit.FetchOptions{
			RemoteName: gogit.DefaultRemoteName,
			RemoteURL:  opts.Repo,
			RefSpecs:   []config.RefSpec{"+refs/*:refs/*"},
			Auth:       auth,
			Force:      true,
			Prune:      true,
			Tags:       gogit.AllTags,
		})
		if err != nil && !errors.Is(err, gogit.NoErrAlreadyUpToDate) {
			return "", newRemoteError("fetch", opts.Repo, token, err)
		}
		return dir, nil
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("clone %s: %w", httpx.RedactURL(opts.Repo), err)
	}
	tmp, err := os.MkdirTemp(base, ".clone-*")
	if err != nil {
		return "", fmt.Errorf("clone %s: %w", httpx.RedactURL(opts.Repo), err)
	}
	log.Debug("cloning", "repo", httpx.RedactURL(opts.Repo), "path", dir)
	_, err = gogit.PlainCloneContext(ctx, tmp, true, &gogit.CloneOptions{
		URL:    opts.Repo,
		Auth:   auth,
		Mirror: true,
		Tags:   gogit.AllTags,
	})
	if err != nil {
		_ = os.RemoveAll(tmp)
		return "", newRemoteError("clone", opts.Repo, token, err)
	}
	if err := settle(tmp, dir); err != nil {
		return "", fmt.Errorf("clone %s: %w", httpx.RedactURL(opts.Repo), err)
	}
	return dir, nil
}

// settle moves a finished clone tmp to dir. When another clone of the same repository (a
// concurrent job of patrol serve) got there first, dir is kept and tmp removed: both were
// cloned just now.
func settle(tmp, dir string) error {
	err := os.Rename(tmp, dir)
	if err == nil {
		return nil
	}
	_ = os.RemoveAll(tmp)
	if _, serr := os.Stat(filepath.Join(dir, "HEAD")); serr == nil {
		return nil
	}
	return err
}

// cloneWithGit makes or updates the bare mirror with the git binary. Prompts are off (a scan
// must not hang on a password question); the URL is passed after "--" and was checked not to
// look like an option.
func cloneWithGit(ctx context.Context, gitPath, rawURL, base, dir string, log *slog.Logger) (string, error) {
	// The user's environment is kept whole (Inherit): credential settings may live in it.
	r := Runner{Git: gitPath, Dir: base, Inherit: true}
	run := func(op string, args ...string) error {
		if err := r.Run(ctx, args...); err != nil {
			return newRemoteError(op, rawURL, "", err)
		}
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
		log.Debug("fetching", "repo", httpx.RedactURL(rawURL), "path", dir)
		if err := run("fetch", "-C", dir, "fetch", "--quiet", "--prune", "--force", "--", rawURL, "+refs/*:refs/*"); err != nil {
			return "", err
		}
		return dir, nil
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("clone %s: %w", httpx.RedactURL(rawURL), err)
	}
	tmp, err := os.MkdirTemp(base, ".clone-*")
	if err != nil {
		return "", fmt.Errorf("clone %s: %w", httpx.RedactURL(rawURL), err)
	}
	log.Debug("cloning", "repo", httpx.RedactURL(rawURL), "path", dir)
	if err := run("clone", "clone", "--quiet", "--mirror", "--", rawURL, tmp); err != nil {
		_ = os.RemoveAll(tmp)
		return "", err
	}
	if err := settle(tmp, dir); err != nil {
		return "", fmt.Errorf("clone %s: %w", httpx.RedactURL(rawURL), err)
	}
	return dir, nil
}

// secureRemote reports whether a token may be sent to raw: https, or http to loopback.
func secureRemote(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && httpx.Secure(u)
}

// Mirror makes or refreshes the bare mirror of the remote opts.Repo in opts.CloneDir (as a
// scan does before reading it) and returns its directory; only Repo, CloneDir, Token, Mode
// and Logger are read. A replica of patrol serve that must read a token back from a
// repository another replica scanned calls it when its own clone cache has no mirror yet.
func Mirror(ctx context.Context, opts GitOptions) (string, error) {
	if !IsURL(opts.Repo) {
		return "", fmt.Errorf("mirror %s: not a remote URL", opts.Repo)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return cloneOrFetch(ctx, opts, log)
}
