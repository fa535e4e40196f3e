package git

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/patrolsec/patrol/internal/httpx"
)

// IsURL reports whether s names a remote repository rather than a local path: a URL with a
// scheme (https://, ssh://, git://, file://, …) or git's scp-like form [user@]host:path, which
// includes GitHub's git@github.com:o/r.git and Azure DevOps' git@ssh.dev.azure.com:v3/o/p/r
// and contoso@vs-ssh.visualstudio.com:v3/contoso/project/repo. As git does, a colon after a
// slash (./a:b, /srv/a:b) and a drive letter (C:\x, C:/x) mean a local path.
func IsURL(s string) bool {
	if i := strings.Index(s, "://"); i > 0 {
		return urlScheme.MatchString(s[:i])
	}
	colon := strings.IndexByte(s, ':')
	if at := strings.Index(s, "@["); at >= 0 || strings.HasPrefix(s, "[") {
		if end := strings.Index(s, "]:"); end > at {
			colon = end + 1 // past a bracketed IPv6 address
		}
	}
	if colon <= 0 {
		return false
	}
	if slash := strings.IndexAny(s, `/\`); slash >= 0 && slash < colon {
		return false
	}
	return scpHost.MatchString(s[:colon])
}

var (
	// urlScheme is a URL scheme of two characters or more (one is a drive letter).
	urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+$`)
	// scpHost is the [user@]host part of an scp-like address: a host name of two characters or
	// more (one is a drive letter) or a bracketed IPv6 address.
	scpHost = regexp.MustCompile(`^(?:[A-Za-z0-9._~%+-]+@)?(?:[A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]|\[[0-9A-Fa-f:.]+\])$`)
)

// urlInText finds URLs with a scheme in free text (git's error messages quote them).
var urlInText = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]+://[^\s'"<>]+`)

// RedactText returns s with every URL in it passed through the URL redactor: no user
// information, query or fragment. Runner errors use it on git's stderr.
func RedactText(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlInText.ReplaceAllStringFunc(s, httpx.RedactURL)
}

// cloneURL returns the URL to clone: credentials come from GitTokenEnv only, never from the
// command line, so a password in the URL is refused and an HTTP user name (a token, or an
// Azure DevOps organization that git only uses as a prompt hint) is dropped. SSH user names are
// logins and stay.
func cloneURL(raw string) (string, error) {
	if !strings.Contains(raw, "://") {
		return raw, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("repository URL %s: not a valid URL", httpx.RedactURL(raw))
	}
	if u.User == nil {
		return raw, nil
	}
	if _, hasPw := u.User.Password(); hasPw {
		return "", fmt.Errorf("repository URL %s holds a password: remove it and put the token in %s", httpx.RedactURL(raw), GitTokenEnv)
	}
	if u.Scheme == "ssh" || u.Scheme == "git+ssh" {
		return raw, nil
	}
	u.User = nil
	return u.String(), nil
}

// CachePath returns the directory of the clone of rawURL under cloneDir (empty: the user's
// cache directory, <cache>/patrol/repos), as OpenGit makes it: readable host/path plus a short
// hash of the URL as findings report it (without credentials), so that the repository of a
// finding leads back to its clone, and two repositories never share a directory.
func CachePath(cloneDir, rawURL string) (string, error) {
	clean, err := cloneURL(rawURL)
	if err != nil {
		return "", err
	}
	if cloneDir == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("clone %s: no clone directory: %w", httpx.RedactURL(clean), err)
		}
		cloneDir = filepath.Join(c, "patrol", "repos")
	}
	return cloneDirFor(cloneDir, clean), nil
}

// cloneDirFor returns the cache directory for a URL (see CachePath).
func cloneDirFor(base, raw string) string {
	name := httpx.RedactURL(raw)
	sum := sha256.Sum256([]byte(name))
	if i := strings.Index(name, "://"); i >= 0 {
		name = name[i+3:]
	}
	if i := strings.LastIndex(name, "@"); i >= 0 {
		name = name[i+1:]
	}
	clean := make([]byte, 0, len(name))
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			clean = append(clean, c)
		default:
			clean = append(clean, '_')
		}
	}
	n := strings.Trim(string(clean), "._")
	if len(n) > 80 {
		n = n[len(n)-80:]
	}
	return filepath.Join(base, n+"-"+hex.EncodeToString(sum[:6])+".git")
}

// RemoteURL returns the URL of the origin remote of the repository at dir, without
// credentials, or "" when it has none. Providers that need the organization a repository
// belongs to (Azure DevOps) read it from there.
func RemoteURL(ctx context.Context, dir string) (string, error) {
	r := Runner{Dir: dir}
	out, err := r.Output(ctx, nil, "config", "--get", "remote.origin.url")
	if err != nil {
		if e := (*Error)(nil); errors.As(err, &e) && e.ExitCode() == 1 {
			return "", nil // no such key
		}
		return "", fmt.Errorf("remote of %s: %w", dir, err)
	}
	return httpx.RedactURL(strings.TrimSpace(string(out))), nil
}
