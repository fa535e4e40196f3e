package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/service/targets"
)

// Alert is one secret-scanning alert, as patrol uses it.
type Alert struct {
	// FullName is the repository's owner/name; RepoURL its web page (html_url) and CloneURL
	// its https clone URL (GitHub's clone_url when the answer has one, else RepoURL + ".git",
	// which is what GitHub's clone_url is).
	FullName, RepoURL, CloneURL string
	// Number is the alert's number in its repository; URL its web page.
	Number int64
	URL    string
	// State is "open" or "resolved"; Resolution why it was resolved ("revoked",
	// "false_positive", …), empty while open.
	State, Resolution string
	// SecretType is GitHub's name of the kind of secret ("github_personal_access_token").
	SecretType string
	// Secret is the leaked value: set by Get and ListOpen (GitHub's single-alert and list
	// answers carry it), zero otherwise.
	Secret secret.Token
	// BypassedBy is who pushed the secret past push protection, if someone did; ResolvedBy
	// who resolved the alert.
	BypassedBy, ResolvedBy User
}

// User is a GitHub account as an alert names it. Email is set only when GitHub gives one
// (a user's public email).
type User struct {
	Login, Email string
}

// Location is where GitHub saw an alert's secret in a commit.
type Location struct {
	Path         string
	Line, Column int
	Commit, Blob string
}

// GitHubOptions say whose alerts a GitHub client reads.
type GitHubOptions struct {
	// Org names an organization: its alerts are listed in one call
	// (GET /orgs/{org}/secret-scanning/alerts). User names a user account instead, whose
	// repositories' alerts are listed one repository at a time. Exactly one is set.
	Org, User string
	// Token reads and resolves the alerts: a GitHub App installation or fine-grained PAT
	// with "Secret scanning alerts" read and write, or a classic PAT with repo (or
	// security_events).
	Token secret.Token
	// BaseURL is the API root: targets.DefaultGitHubURL when empty.
	BaseURL string
}

// GitHub reads and resolves the secret-scanning alerts of one GitHub organization or user.
type GitHub struct {
	owner string
	org   bool
	api   *targets.GitHubAPI
}

// perPage is the largest page GitHub serves.
const perPage = 100

// maxPages stops a host that keeps announcing a next page.
const maxPages = 10000

var (
	// login is a GitHub organization or user name; repoName a repository's name. Both keep
	// a name from changing the request path (go-github does not escape it).
	login    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)
	repoName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
)

// hint is what a 401 or 403 of the alert API means.
const hint = "reading and resolving secret-scanning alerts needs a GitHub App or fine-grained PAT with " +
	"\"Secret scanning alerts\" read and write, or a classic PAT with repo or security_events, held by a repository admin or security manager"

// NewGitHub returns the client of the alerts o names. It checks o and sends nothing.
func NewGitHub(o GitHubOptions, to targets.Options) (*GitHub, error) {
	owner, org := o.Org, true
	switch {
	case o.Org != "" && o.User != "", o.Org == "" && o.User == "":
		return nil, fmt.Errorf("github alerts: %w: set org or user", targets.ErrConfig)
	case o.User != "":
		owner, org = o.User, false
	}
	if !login.MatchString(owner) {
		return nil, fmt.Errorf("github alerts of %q: %w: not an organization or user name", owner, targets.ErrConfig)
	}
	if o.Token.IsZero() {
		return nil, fmt.Errorf("github alerts of %s: %w: a token is required", owner, targets.ErrConfig)
	}
	api, err := targets.NewGitHubAPI("github alerts of "+owner, o.Token, o.BaseURL, to)
	if err != nil {
		return nil, err
	}
	return &GitHub{owner: owner, org: org, api: api}, nil
}

// Owner returns the organization or user whose alerts g reads.
func (g *GitHub) Owner() string { return g.owner }

// String names the client for logs.
func (g *GitHub) String() string { return "github alerts of " + g.owner }

// ListOpen calls fn with every open alert, each with its secret, page after page: the
// organization's, or, for a user, those of each repository in repos (owner/name; the
// repositories the target lists), passing over a repository GitHub answers 404 for (secret
// scanning is off there). It returns the number of pages read. fn's error stops the listing
// and is returned.
//
// GitHub API docs: https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-an-organization
// and https://docs.github.com/rest/secret-scanning/secret-scanning#list-secret-scanning-alerts-for-a-repository
//
//meta:operation GET /orgs/{org}/secret-scanning/alerts
//meta:operation GET /repos/{owner}/{repo}/secret-scanning/alerts
func (g *GitHub) ListOpen(ctx context.Context, repos []string, fn func(Alert) error) (int, error) {
	if g.org {
		return g.list(ctx, "GET /orgs/{org}/secret-scanning/alerts", "orgs/"+g.owner+"/secret-scanning/alerts", "", fn)
	}
	pages := 0
	for _, full := range repos {
		if err := checkFullName(full); err != nil {
			return pages, fmt.Errorf("%s: %w", g, err)
		}
		n, err := g.list(ctx, "GET /repos/{owner}/{repo}/secret-scanning/alerts", "repos/"+full+"/secret-scanning/alerts", full, fn)
		pages += n
		if errors.Is(err, targets.ErrNotFound) {
			continue // GitHub's answer for a repository without secret scanning: it has no alerts
		}
		if err != nil {
			return pages, err
		}
	}
	return pages, nil
}

// list reads every page of one alert listing; repo is the repository's owner/name when the
// listing is a repository's (whose alerts do not name it).
func (g *GitHub) list(ctx context.Context, op, path, repo string, fn func(Alert) error) (int, error) {
	q := url.Values{"state": {"open"}, "per_page": {fmt.Sprint(perPage)}}
	for n := 0; ; n++ {
		if n >= maxPages {
			return n, fmt.Errorf("%s: %s: %w: more than %d pages", g, op, targets.ErrUnexpected, maxPages)
		}
		var page []wireAlert
		resp, err := g.do(ctx, targets.GitHubCall{Op: op, Want: "an alert list", Hint: hint}, http.MethodGet, path+"?"+q.Encode(), nil, &page)
		if err != nil {
			return n + 1, err
		}
		for _, w := range page {
			a, err := w.alert(repo)
			if err != nil {
				return n + 1, fmt.Errorf("%s: %s: %w", g, op, err)
			}
			if err := fn(a); err != nil {
				return n + 1, err
			}
		}
		switch {
		case resp.NextPage != 0:
			q.Set("page", fmt.Sprint(resp.NextPage))
		case resp.After != "":
			// GitHub Enterprise Cloud pages organization alerts by cursor.
			q.Del("page")
			q.Set("after", resp.After)
		default:
			return n + 1, nil
		}
	}
}

// Get returns one alert of the repository full (owner/name), with its secret.
//
// GitHub API docs: https://docs.github.com/rest/secret-scanning/secret-scanning#get-a-secret-scanning-alert
//
//meta:operation GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}
func (g *GitHub) Get(ctx context.Context, full string, number int64) (Alert, error) {
	return g.get(ctx, full, number, false)
}

// State returns one alert without its secret (hide_secret=true): for a look at its state.
//
//meta:operation GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}
func (g *GitHub) State(ctx context.Context, full string, number int64) (Alert, error) {
	return g.get(ctx, full, number, true)
}

func (g *GitHub) get(ctx context.Context, full string, number int64, hide bool) (Alert, error) {
	const op = "GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}"
	path, err := alertPath(full, number)
	if err != nil {
		return Alert{}, fmt.Errorf("%s: %w", g, err)
	}
	if hide {
		path += "?hide_secret=true"
	}
	var w wireAlert
	if _, err := g.do(ctx, targets.GitHubCall{Op: op, Want: "an alert", Hint: hint}, http.MethodGet, path, nil, &w); err != nil {
		return Alert{}, err
	}
	a, err := w.alert(full)
	if err != nil {
		return Alert{}, fmt.Errorf("%s: %s: %w", g, op, err)
	}
	if a.Number != number {
		return Alert{}, fmt.Errorf("%s: %s: %w: asked for alert %d, got %d", g, op, targets.ErrUnexpected, number, a.Number)
	}
	return a, nil
}

// FirstCommit returns the first location of an alert that is in a commit (GitHub also lists
// places such as issue comments, which patrol does not record), reading the location pages
// until it finds one; false when there is none.
//
// GitHub API docs: https://docs.github.com/rest/secret-scanning/secret-scanning#list-locations-for-a-secret-scanning-alert
//
//meta:operation GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}/locations
func (g *GitHub) FirstCommit(ctx context.Context, full string, number int64) (Location, bool, error) {
	const op = "GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}/locations"
	path, err := alertPath(full, number)
	if err != nil {
		return Location{}, false, fmt.Errorf("%s: %w", g, err)
	}
	for page := 1; page <= maxPages; {
		var locs []wireLocation
		resp, err := g.do(ctx, targets.GitHubCall{Op: op, Want: "a location list", Hint: hint}, http.MethodGet,
			fmt.Sprintf("%s/locations?per_page=%d&page=%d", path, perPage, page), nil, &locs)
		if err != nil {
			return Location{}, false, err
		}
		for _, l := range locs {
			if l.Type == "commit" {
				d := l.Details
				return Location{Path: d.Path, Line: d.StartLine, Column: d.StartColumn, Commit: d.CommitSHA, Blob: d.BlobSHA}, true, nil
			}
		}
		if resp.NextPage <= page {
			return Location{}, false, nil
		}
		page = resp.NextPage
	}
	return Location{}, false, fmt.Errorf("%s: %s: %w: more than %d pages", g, op, targets.ErrUnexpected, maxPages)
}

// Resolve sets an alert's state to resolved with resolution revoked and the comment (which
// must not hold the secret: GitHub shows it to everyone who sees the alert), and returns the
// alert as GitHub answers. GitHub takes a resolution_comment only with a change of state:
// there is no way to comment on an alert that stays open.
//
// GitHub API docs: https://docs.github.com/rest/secret-scanning/secret-scanning#update-a-secret-scanning-alert
//
//meta:operation PATCH /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}
func (g *GitHub) Resolve(ctx context.Context, full string, number int64, comment string) (Alert, error) {
	const op = "PATCH /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}"
	path, err := alertPath(full, number)
	if err != nil {
		return Alert{}, fmt.Errorf("%s: %w", g, err)
	}
	body := struct {
		State      string `json:"state"`
		Resolution string `json:"resolution"`
		Comment    string `json:"resolution_comment"`
	}{"resolved", "revoked", comment}
	var w wireAlert
	if _, err := g.do(ctx, targets.GitHubCall{Op: op, Want: "the updated alert", Hint: hint}, http.MethodPatch, path, body, &w); err != nil {
		return Alert{}, err
	}
	return w.alert(full)
}

// do sends one call (path relative to the API root, body JSON-encoded when not nil) through
// the target's API client and its retry policy, decoding the answer into v, which each
// attempt starts from zero.
func (g *GitHub) do(ctx context.Context, call targets.GitHubCall, method, path string, body, v any) (*github.Response, error) {
	var resp *github.Response
	err := g.api.Call(ctx, call, func(ctx context.Context, c *github.Client) error {
		req, err := c.NewRequest(method, path, body)
		if err != nil {
			return fmt.Errorf("%w: %s: cannot build the request", targets.ErrConfig, call.Op)
		}
		reflect.ValueOf(v).Elem().SetZero()
		resp, err = c.Do(ctx, req, v)
		return err
	})
	return resp, err
}

// FullName returns the owner/name of a GitHub repository from its clone or web URL
// (https://github.com/contoso/app.git → contoso/app).
func FullName(repoURL string) (string, error) {
	u, err := url.Parse(repoURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("repository %q is not a URL", repoURL)
	}
	full := strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git")
	if err := checkFullName(full); err != nil {
		return "", err
	}
	return full, nil
}

// checkFullName checks an owner/name.
func checkFullName(full string) error {
	owner, name, ok := strings.Cut(full, "/")
	if !ok || !login.MatchString(owner) || !repoName.MatchString(name) || name == "." || name == ".." {
		return fmt.Errorf("%w: %q is not a GitHub owner/name", targets.ErrConfig, full)
	}
	return nil
}

// alertPath is the API path of one alert.
func alertPath(full string, number int64) (string, error) {
	if err := checkFullName(full); err != nil {
		return "", err
	}
	if number <= 0 {
		return "", fmt.Errorf("%w: alert number %d", targets.ErrConfig, number)
	}
	return fmt.Sprintf("repos/%s/secret-scanning/alerts/%d", full, number), nil
}

// wireAlert is GitHub's secret-scanning alert (the fields patrol reads).
type wireAlert struct {
	Number     int64       `json:"number"`
	HTMLURL    string      `json:"html_url"`
	State      string      `json:"state"`
	Resolution *string     `json:"resolution"`
	SecretType string      `json:"secret_type"`
	Secret     secretField `json:"secret"`
	Repository *struct {
		FullName string `json:"full_name"`
		HTMLURL  string `json:"html_url"`
		CloneURL string `json:"clone_url"`
	} `json:"repository"`
	BypassedBy *wireUser `json:"push_protection_bypassed_by"`
	ResolvedBy *wireUser `json:"resolved_by"`
}

type wireUser struct {
	Login string  `json:"login"`
	Email *string `json:"email"`
}

func (u *wireUser) user() User {
	if u == nil {
		return User{}
	}
	out := User{Login: u.Login}
	if u.Email != nil {
		out.Email = *u.Email
	}
	return out
}

// alert converts w; repo is the owner/name of the repository asked about, when the answer
// does not name it.
func (w wireAlert) alert(repo string) (Alert, error) {
	a := Alert{Number: w.Number, URL: w.HTMLURL, State: w.State, SecretType: w.SecretType, Secret: w.Secret.tok,
		BypassedBy: w.BypassedBy.user(), ResolvedBy: w.ResolvedBy.user(), FullName: repo}
	if w.Resolution != nil {
		a.Resolution = *w.Resolution
	}
	if r := w.Repository; r != nil {
		a.FullName, a.RepoURL, a.CloneURL = r.FullName, r.HTMLURL, r.CloneURL
	}
	if a.RepoURL == "" && a.URL != "" {
		// A repository's own alert answers name no repository: its page is the alert's
		// page up to /security/.
		if i := strings.Index(a.URL, "/security/"); i > 0 {
			a.RepoURL = a.URL[:i]
		}
	}
	if a.CloneURL == "" && a.RepoURL != "" {
		a.CloneURL = a.RepoURL + ".git"
	}
	switch {
	case a.Number <= 0:
		return Alert{}, fmt.Errorf("%w: an alert without a number", targets.ErrUnexpected)
	case checkFullName(a.FullName) != nil:
		return Alert{}, fmt.Errorf("%w: alert %d: no repository owner/name", targets.ErrUnexpected, a.Number)
	case a.RepoURL == "":
		return Alert{}, fmt.Errorf("%w: alert %d: no repository web URL", targets.ErrUnexpected, a.Number)
	}
	return a, nil
}

// wireLocation is one location of an alert (the fields of a commit location).
type wireLocation struct {
	Type    string `json:"type"`
	Details struct {
		Path        string `json:"path"`
		StartLine   int    `json:"start_line"`
		StartColumn int    `json:"start_column"`
		BlobSHA     string `json:"blob_sha"`
		CommitSHA   string `json:"commit_sha"`
	} `json:"details"`
}

// secretField decodes an alert's secret straight into a secret.Token: the raw value is
// never held in a plain string field that could be printed.
type secretField struct{ tok secret.Token }

func (s *secretField) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		// Not the value: its JSON kind only.
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeFor[string](), Field: "secret"}
	}
	s.tok = secret.New(v)
	return nil
}

// errNoSecret is returned by callers that need the secret of an answer that has none.
var errNoSecret = errors.New("the alert answer has no secret")

// NeedSecret returns a's secret, or an error when GitHub gave none (hide_secret, or an
// answer outside the documented contract).
func NeedSecret(a Alert) (secret.Token, error) {
	if a.Secret.IsZero() {
		return secret.Token{}, fmt.Errorf("alert %d of %s: %w: %w", a.Number, a.FullName, targets.ErrUnexpected, errNoSecret)
	}
	return a.Secret, nil
}
