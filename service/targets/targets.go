package targets

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/patrolsec/patrol/internal/httpx"
)

// Provider names, as Repository.Provider holds them.
const (
	ProviderGitHub      = "github"
	ProviderAzureDevOps = "azuredevops"
	ProviderGitLab      = "gitlab"
	ProviderGit         = "git"
	ProviderPath        = "path"
)

// Repository is one repository a target lists.
type Repository struct {
	// Key is the repository's stable identity: its clone URL without credentials, or the
	// absolute path of a path target. Two targets that name the same repository give the same
	// Key.
	Key string
	// CloneURL is the https clone URL (plain http only to a loopback address), never with a
	// user name or password in it; empty for a path target.
	CloneURL string
	// Provider is one of the Provider* constants.
	Provider string
	// Name is owner/name (GitHub), project/name (Azure DevOps), group/…/name (GitLab), for logs.
	Name string
	// DefaultBranch is the short branch name ("main") when the host says; empty otherwise.
	DefaultBranch string
	// Archived and Fork are what the host says of the repository.
	Archived, Fork bool
}

// Lister lists the repositories of one target. Every Lister of this package also implements
// fmt.Stringer ("github org contoso"), for logs.
type Lister interface {
	// List returns every repository of the target, sorted by Key, or an error; never part
	// of the list.
	List(ctx context.Context) ([]Repository, error)
}

// Defaults used where Options leaves a field zero.
const (
	// DefaultTimeout bounds one HTTP request, from sending to the last body byte.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxAttempts is how many times one request is sent at most.
	DefaultMaxAttempts = 5
	// DefaultMaxWait is the longest single wait a host may ask for: GitHub's primary rate
	// limit resets within the hour.
	DefaultMaxWait = 65 * time.Minute
)

// Options are what the HTTP listers share. The zero value of every field has a useful default.
type Options struct {
	// Transport sends the requests; nil means a clone of http.DefaultTransport. Whatever it
	// is, redirects are not followed and plain http is refused except to loopback addresses.
	Transport http.RoundTripper
	// Logger receives what is left out (info) and the retries (debug); nil discards.
	Logger *slog.Logger
	// Version goes into the User-Agent "patrol/<version>"; empty means "dev".
	Version string
	// Timeout bounds one request (DefaultTimeout).
	Timeout time.Duration
	// MaxAttempts is how many times one request is sent at most, counting the first
	// (DefaultMaxAttempts).
	MaxAttempts int
	// MaxWait is the longest single wait accepted from a host's Retry-After or rate-limit
	// reset; past it List fails with ErrRateLimited at once (DefaultMaxWait).
	MaxWait time.Duration
	// Now and Sleep are the clock that rate limits and backoff are waited on; tests inject
	// them. Sleep must return ctx.Err() when ctx ends first. Nil means the real clock.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

func (o Options) withDefaults() Options {
	if o.Transport == nil {
		o.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.Version = cmp.Or(o.Version, "dev")
	o.Timeout = cmp.Or(max(o.Timeout, 0), DefaultTimeout)
	o.MaxAttempts = cmp.Or(max(o.MaxAttempts, 0), DefaultMaxAttempts)
	o.MaxWait = cmp.Or(max(o.MaxWait, 0), DefaultMaxWait)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = httpx.Sleep
	}
	return o
}

// checkBase checks a configured API root (def when raw is empty): absolute, https or plain
// http to a loopback address, without credentials, query or fragment. It returns it with a
// trailing slash.
func checkBase(target, raw, def string) (string, error) {
	base, err := httpx.BaseURL(raw, def)
	if err != nil {
		return "", fmt.Errorf("%s: %w: %w", target, ErrConfig, err)
	}
	u, err := url.Parse(base)
	if err != nil || !httpx.Secure(u) {
		return "", fmt.Errorf("%s: %w: base URL %s: plain http is only allowed to a loopback address; use https", target, ErrConfig, base)
	}
	return base, nil
}

// cleanCloneURL checks a clone URL (from a host's answer or the configuration) and returns it
// as a Key: https (or http to a loopback address), lower-case scheme and host, no user name,
// no query or fragment. A password in it is refused rather than dropped: it is a credential in
// the wrong place. Errors quote the URL without its user information or query.
func cleanCloneURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("clone URL %s is not a valid URL", httpx.RedactURL(raw))
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			return "", fmt.Errorf("clone URL %s holds a password; give the token as the target's token instead", httpx.RedactURL(raw))
		}
	}
	u.User = nil
	switch {
	case !u.IsAbs():
		return "", fmt.Errorf("clone URL %s is not an absolute URL", httpx.RedactURL(raw))
	case !httpx.Secure(u):
		return "", fmt.Errorf("clone URL %s is not https (plain http only to a loopback address)", httpx.RedactURL(raw))
	case u.Opaque != "":
		return "", fmt.Errorf("clone URL %s is not a hierarchical URL", httpx.RedactURL(raw))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("clone URL %s has a query or fragment", httpx.RedactURL(raw))
	case strings.Trim(u.Path, "/") == "":
		return "", fmt.Errorf("clone URL %s names no repository", httpx.RedactURL(raw))
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return u.String(), nil
}

// tally counts what a List left out, for one summary log line; each repository left out is
// also logged at debug level.
type tally struct {
	log    *slog.Logger
	target string
	counts map[string]int
}

func newTally(log *slog.Logger, target string) *tally {
	return &tally{log: log, target: target, counts: map[string]int{}}
}

func (t *tally) skip(ctx context.Context, repo, reason string) {
	t.counts[reason]++
	t.log.DebugContext(ctx, "leaving out repository", "target", t.target, "repo", repo, "reason", reason)
}

// finish sorts repos by Key, drops repeats (offset pagination can repeat an entry when
// repositories are created while listing) and logs the summary.
func (t *tally) finish(ctx context.Context, repos []Repository) []Repository {
	slices.SortStableFunc(repos, func(a, b Repository) int { return cmp.Compare(a.Key, b.Key) })
	repos = slices.CompactFunc(repos, func(a, b Repository) bool { return a.Key == b.Key })
	attrs := []any{"target", t.target, "repos", len(repos)}
	for _, reason := range slices.Sorted(maps.Keys(t.counts)) {
		attrs = append(attrs, "left_out_"+reason, t.counts[reason])
	}
	t.log.InfoContext(ctx, "listed repositories", attrs...)
	return repos
}
