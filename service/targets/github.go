package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"

	"github.com/google/go-github/v60/github"
	"github.com/patrolsec/patrol/secret"
)

// DefaultGitHubURL is the API root of github.com.
const DefaultGitHubURL = "https://api.github.com/"

// GitHub is a GitHub organization or user whose repositories are scanned.
type GitHub struct {
	// Org or User names the owner; exactly one is set. GitHub lists only the public
	// repositories of a user (GET /users/{username}/repos), whatever the token.
	Org, User string
	// Token authenticates the listing (a classic PAT with repo scope sees private
	// repositories; a fine-grained one needs Metadata: read). Empty lists public repositories
	// only.
	Token secret.Token
	// BaseURL is the API root: DefaultGitHubURL when empty, https://HOST/api/v3/ for GitHub
	// Enterprise Server.
	BaseURL string
	// IncludeForks and IncludeArchived keep forks and archived repositories, which are left
	// out otherwise.
	IncludeForks, IncludeArchived bool
}

// githubPerPage is the largest page GitHub serves.
const githubPerPage = 100

// githubLogin is what GitHub accepts as an organization or user name (GitHub Enterprise
// Server also allows underscores). It keeps the name from changing the request path: go-github
// puts it in the path unescaped.
var githubLogin = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)

type githubLister struct {
	cfg GitHub
	api *GitHubAPI
}

// GitHubAPI sends go-github calls to one GitHub REST API with the listers' HTTP discipline
// (https only, or http to loopback; no redirects; capped answers) and retry policy
// (Retry-After, rate-limit resets, secondary limits, backoff, all on Options' clock). It is
// the one GitHub client of the service: the lister of a GitHub target uses it, and so does
// the client of the target's secret-scanning alerts (service/alerts). It is safe for
// concurrent use.
type GitHubAPI struct {
	name  string
	token secret.Token
	base  *url.URL
	c     *client
}

// GitHubCall names one API call for errors and logs.
type GitHubCall struct {
	// Op is the operation as GitHub documents it: "GET /orgs/{org}/repos".
	Op string
	// Want is the answer expected, for an answer that is not it ("a repository list").
	Want string
	// Hint says what access the token needs, for a 401 or 403.
	Hint string
}

// NewGitHubAPI returns the client of the API at baseURL (DefaultGitHubURL when empty) that
// authenticates with token (none when zero); name says whose API it is in errors ("github
// org contoso"). It checks baseURL and sends nothing.
func NewGitHubAPI(name string, token secret.Token, baseURL string, o Options) (*GitHubAPI, error) {
	base, err := checkBase(name, baseURL, DefaultGitHubURL)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: base URL %s: %w", name, ErrConfig, base, err)
	}
	return &GitHubAPI{name: name, token: token, base: u, c: newClient(o)}, nil
}

// Call runs fn with a go-github client of the API until it succeeds, its failure is final,
// the attempts run out or ctx ends, waiting between attempts as GitHub asks (see Options).
// fn returns go-github's error as it is. The error Call returns names the API and call.Op and
// wraps ErrAccess (401, or a 403 that is not a rate limit), ErrNotFound (404),
// ErrRateLimited, ErrUnavailable (no answer, 5xx) or ErrUnexpected (any other answer, such as
// a 422); it never holds the token.
func (g *GitHubAPI) Call(ctx context.Context, call GitHubCall, fn func(ctx context.Context, c *github.Client) error) error {
	return g.c.run(ctx, g.name, call.Op, call.Hint, func(ctx context.Context) error {
		return githubFailure(fn(ctx, g.client()), call.Want)
	})
}

// client returns a go-github client for one attempt. A fresh one each time: go-github
// remembers a rate limit on the wall clock and then fails without asking, while the policy
// waits on its own (injected) clock and has already waited when it asks again.
func (g *GitHubAPI) client() *github.Client {
	c := github.NewClient(g.c.http)
	if !g.token.IsZero() {
		c = c.WithAuthToken(g.token.Reveal())
	}
	base := *g.base
	c.BaseURL = &base
	c.UserAgent = g.c.ua
	return c
}

// NewGitHub returns the Lister of a GitHub organization or user. It checks cfg and sends
// nothing.
func NewGitHub(cfg GitHub, o Options) (Lister, error) {
	var name, owner string
	switch {
	case cfg.Org != "" && cfg.User != "":
		return nil, fmt.Errorf("github target: %w: set org or user, not both", ErrConfig)
	case cfg.Org != "":
		name, owner = "github org "+cfg.Org, cfg.Org
	case cfg.User != "":
		name, owner = "github user "+cfg.User, cfg.User
	default:
		return nil, fmt.Errorf("github target: %w: org or user is required", ErrConfig)
	}
	if !githubLogin.MatchString(owner) {
		return nil, fmt.Errorf("github target %q: %w: not a GitHub organization or user name", owner, ErrConfig)
	}
	api, err := NewGitHubAPI(name, cfg.Token, cfg.BaseURL, o)
	if err != nil {
		return nil, err
	}
	return &githubLister{cfg: cfg, api: api}, nil
}

func (l *githubLister) String() string { return l.api.name }

// List lists the owner's repositories, every page, and leaves out forks and archived ones
// unless the target includes them.
//
// GitHub API docs: https://docs.github.com/rest/repos/repos#list-organization-repositories
// and https://docs.github.com/rest/repos/repos#list-repositories-for-a-user
//
//meta:operation GET /orgs/{org}/repos
//meta:operation GET /users/{username}/repos
func (l *githubLister) List(ctx context.Context) ([]Repository, error) {
	op, hint := "GET /orgs/{org}/repos", "a classic PAT needs repo scope for private repositories, and SSO authorization where the org enforces SAML; a fine-grained one Metadata: read"
	if l.cfg.User != "" {
		op = "GET /users/{username}/repos"
	}
	t := newTally(l.api.c.o.Logger, l.api.name)
	var repos []Repository
	for page, n := 1, 0; ; n++ {
		if n >= maxPages {
			return nil, fmt.Errorf("%s: %s: %w: more than %d pages", l.api.name, op, ErrUnexpected, maxPages)
		}
		var got []*github.Repository
		var resp *github.Response
		err := l.api.Call(ctx, GitHubCall{Op: op, Want: "a repository list", Hint: hint}, func(ctx context.Context, gh *github.Client) error {
			var err error
			lo := github.ListOptions{Page: page, PerPage: githubPerPage}
			if l.cfg.Org != "" {
				got, resp, err = gh.Repositories.ListByOrg(ctx, l.cfg.Org, &github.RepositoryListByOrgOptions{Type: "all", ListOptions: lo})
			} else {
				got, resp, err = gh.Repositories.ListByUser(ctx, l.cfg.User, &github.RepositoryListByUserOptions{Type: "owner", ListOptions: lo})
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range got {
			repo, err := githubRepository(r)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", l.api.name, op, err)
			}
			switch {
			case repo.Fork && !l.cfg.IncludeForks:
				t.skip(ctx, repo.Name, "fork")
			case repo.Archived && !l.cfg.IncludeArchived:
				t.skip(ctx, repo.Name, "archived")
			default:
				repos = append(repos, repo)
			}
		}
		if resp.NextPage == 0 {
			break
		}
		if resp.NextPage <= page {
			return nil, fmt.Errorf("%s: %s: %w: page %d links back to page %d", l.api.name, op, ErrUnexpected, page, resp.NextPage)
		}
		page = resp.NextPage
	}
	return t.finish(ctx, repos), nil
}

// githubFailure maps go-github's errors onto the policy's: its typed rate-limit and status
// errors become answers, a body that is not want is unexpected.
func githubFailure(err error, want string) error {
	if err == nil {
		return nil
	}
	var (
		rl  *github.RateLimitError
		ab  *github.AbuseRateLimitError
		er  *github.ErrorResponse
		acc *github.AcceptedError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &rl) && rl.Response != nil:
		return &answer{status: rl.Response.StatusCode, header: rl.Response.Header}
	case errors.As(err, &ab) && ab.Response != nil:
		return &answer{status: ab.Response.StatusCode, header: ab.Response.Header, secondary: true}
	case errors.As(err, &er) && er.Response != nil:
		return &answer{status: er.Response.StatusCode, header: er.Response.Header}
	case errors.As(err, &acc):
		return fmt.Errorf("%w: 202 Accepted instead of %s", ErrUnexpected, want)
	case errors.As(err, &se), errors.As(err, &te):
		return fmt.Errorf("%w: not %s: %w", ErrUnexpected, want, err)
	}
	return cause(err)
}

// githubRepository converts one entry of a GitHub repository list.
func githubRepository(r *github.Repository) (Repository, error) {
	name := r.GetFullName()
	if name == "" {
		return Repository{}, fmt.Errorf("%w: a repository without full_name", ErrUnexpected)
	}
	key, err := cleanCloneURL(r.GetCloneURL())
	if err != nil {
		return Repository{}, fmt.Errorf("%w: repository %s: %w", ErrUnexpected, name, err)
	}
	return Repository{
		Key:           key,
		CloneURL:      key,
		Provider:      ProviderGitHub,
		Name:          name,
		DefaultBranch: r.GetDefaultBranch(),
		Archived:      r.GetArchived(),
		Fork:          r.GetFork(),
	}, nil
}
