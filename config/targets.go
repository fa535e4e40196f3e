package config

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/patrolsec/patrol/internal/httpx"
)

// Target is one item of the targets list: exactly one of its fields is set. Enumerating
// targets (GitHub organizations, Azure DevOps projects, GitLab groups) is the service's work;
// this package only reads and checks them.
type Target struct {
	// GitHub is every repository of a GitHub organization or user.
	GitHub *GitHubTarget `yaml:"github"`
	// AzureDevOps is every Git repository of an Azure DevOps organization (or collection).
	AzureDevOps *AzureDevOpsTarget `yaml:"azuredevops"`
	// GitLab is every project of a GitLab group and its subgroups.
	GitLab *GitLabTarget `yaml:"gitlab"`
	// Git is one repository by clone URL.
	Git *GitTarget `yaml:"git"`
	// Path is one repository on this host, scanned in place (no clone).
	Path *PathTarget `yaml:"path"`
}

// Target kinds, as [Target.Kind] returns them; each is the YAML key of its kind.
const (
	KindGitHub      = "github"
	KindAzureDevOps = "azuredevops"
	KindGitLab      = "gitlab"
	KindGit         = "git"
	KindPath        = "path"
)

// GitHubTarget is `github: {org|user, token, base_url, include_forks, include_archived, …}`.
type GitHubTarget struct {
	// Org is the organization whose repositories are watched; exactly one of Org and User.
	Org string `yaml:"org"`
	// User is the user account whose repositories are watched; exactly one of Org and User.
	User string `yaml:"user"`
	// Token lists and clones private repositories (a fine-grained PAT with Contents: read, or
	// a classic PAT with repo). Optional: without it only public repositories are seen, at
	// GitHub's unauthenticated rate limit. Load fills it from TokenFile when that is set.
	Token Secret `yaml:"token"`
	// TokenFile is a file holding Token; set at most one of the two.
	TokenFile string `yaml:"token_file"`
	// BaseURL is the API root: empty for https://api.github.com/, https://HOST/api/v3/ for
	// GitHub Enterprise Server. https only (http for loopback).
	BaseURL string `yaml:"base_url"`
	// IncludeForks also watches forks (skipped by default).
	IncludeForks bool `yaml:"include_forks"`
	// IncludeArchived also watches archived repositories (skipped by default).
	IncludeArchived bool `yaml:"include_archived"`
	// Schedule overrides serve.schedule for this target; Load fills in serve.schedule.
	Schedule string `yaml:"schedule"`
	// Alerts also acts on the owner's GitHub secret-scanning alerts: patrol serve takes each
	// open alert's token through the pipeline and resolves the alert once the token is dead.
	// The token must read and write them (README, "Act on GitHub's secret-scanning alerts").
	Alerts bool `yaml:"alerts"`
}

// AzureDevOpsTarget is `azuredevops: {org, token, projects, base_url}`.
type AzureDevOpsTarget struct {
	// Org is the organization (dev.azure.com/{org}); with an on-prem BaseURL naming the
	// collection it may be empty.
	Org string `yaml:"org"`
	// Token is a PAT with Code (read), required: projects and repositories are listed and
	// cloned with it. Load fills it from TokenFile when that is set.
	Token Secret `yaml:"token"`
	// TokenFile is a file holding Token; set exactly one of the two.
	TokenFile string `yaml:"token_file"`
	// Projects limits the target to these projects; empty means every project.
	Projects []string `yaml:"projects"`
	// BaseURL is empty for https://dev.azure.com/, or an Azure DevOps Server collection URL
	// (https://tfs.contoso.com/tfs/DefaultCollection/). https only (http for loopback).
	BaseURL string `yaml:"base_url"`
	// Schedule overrides serve.schedule for this target; Load fills in serve.schedule.
	Schedule string `yaml:"schedule"`
}

// GitLabTarget is `gitlab: {group, token, base_url}`.
type GitLabTarget struct {
	// Group is the group's full path ("contoso" or "contoso/platform") or numeric id;
	// subgroups are included.
	Group string `yaml:"group"`
	// Token lists and clones private projects (read_api and read_repository). Optional:
	// without it only public projects are seen. Load fills it from TokenFile when set.
	Token Secret `yaml:"token"`
	// TokenFile is a file holding Token; set at most one of the two.
	TokenFile string `yaml:"token_file"`
	// BaseURL is empty for https://gitlab.com/, or a self-managed instance's root.
	// https only (http for loopback).
	BaseURL string `yaml:"base_url"`
	// Schedule overrides serve.schedule for this target; Load fills in serve.schedule.
	Schedule string `yaml:"schedule"`
}

// GitTarget is `git: {url}`: one repository, mirrored into the clone cache.
type GitTarget struct {
	// URL is an https, ssh (ssh://… or git@host:path) or file URL, or an absolute path to a
	// repository on this host. Credentials never go in it: git's credential helpers, SSH keys
	// or PATROL_GIT_TOKEN supply them.
	URL string `yaml:"url"`
	// Schedule overrides serve.schedule for this target; Load fills in serve.schedule.
	Schedule string `yaml:"schedule"`
}

// PathTarget is `path: DIR` or `path: {dir, schedule}`: a repository on this host, scanned
// where it is.
type PathTarget struct {
	// Dir is the repository's directory (a work tree or a bare repository); a relative path
	// is relative to patrol's working directory.
	Dir string `yaml:"dir"`
	// Schedule overrides serve.schedule for this target; Load fills in serve.schedule.
	Schedule string `yaml:"schedule"`
}

// UnmarshalYAML reads both `path: DIR` and `path: {dir, schedule}`. It decodes into typed
// values only: decoding into an interface would expand an alias bomb.
func (p *PathTarget) UnmarshalYAML(unmarshal func(any) error) error {
	var dir string
	if err := unmarshal(&dir); err == nil {
		*p = PathTarget{Dir: dir}
		return nil
	}
	type plain PathTarget // without this method, so the decoder reads the mapping strictly
	return unmarshal((*plain)(p))
}

// Kind returns the kind of target t is ([KindGitHub] …), or "" when no kind is set.
func (t Target) Kind() string {
	if k := t.kinds(); len(k) == 1 {
		return k[0]
	}
	return ""
}

// Schedule returns the target's schedule spec.
func (t Target) Schedule() string {
	if s := t.schedule(); s != nil {
		return *s
	}
	return ""
}

// kinds lists the kinds set in t, in declaration order.
func (t Target) kinds() []string {
	var ks []string
	for _, k := range []struct {
		set  bool
		name string
	}{
		{t.GitHub != nil, KindGitHub},
		{t.AzureDevOps != nil, KindAzureDevOps},
		{t.GitLab != nil, KindGitLab},
		{t.Git != nil, KindGit},
		{t.Path != nil, KindPath},
	} {
		if k.set {
			ks = append(ks, k.name)
		}
	}
	return ks
}

// schedule points at the schedule of the one kind set in t, or is nil.
func (t *Target) schedule() *string {
	switch t.Kind() {
	case KindGitHub:
		return &t.GitHub.Schedule
	case KindAzureDevOps:
		return &t.AzureDevOps.Schedule
	case KindGitLab:
		return &t.GitLab.Schedule
	case KindGit:
		return &t.Git.Schedule
	case KindPath:
		return &t.Path.Schedule
	}
	return nil
}

// secretRefs lists the target's token and its token_file; key is the target's key path.
func (t *Target) secretRefs(key string) []secretRef {
	switch t.Kind() {
	case KindGitHub:
		return []secretRef{{key: key + ".github", name: "token", value: &t.GitHub.Token, file: t.GitHub.TokenFile}}
	case KindAzureDevOps:
		return []secretRef{{key: key + ".azuredevops", name: "token", value: &t.AzureDevOps.Token, file: t.AzureDevOps.TokenFile,
			required: true, why: "Azure DevOps lists projects and repositories only with a PAT with Code (read)"}}
	case KindGitLab:
		return []secretRef{{key: key + ".gitlab", name: "token", value: &t.GitLab.Token, file: t.GitLab.TokenFile}}
	}
	return nil
}

// inheritSchedules gives every target without a schedule serve.schedule.
func (c *Config) inheritSchedules() {
	for i := range c.Targets {
		if s := c.Targets[i].schedule(); s != nil && *s == "" {
			*s = c.Serve.Schedule
		}
	}
}

var (
	// login is what GitHub accepts as a user or organization name (GitHub Enterprise Server
	// also allows "_" from its identity provider).
	login = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38})$`)
	// adoOrg is an Azure DevOps organization name.
	adoOrg = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$`)
	// gitlabGroup is a group's full path (segments of letters, digits, "_", "-", ".") or id.
	gitlabGroup = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.][A-Za-z0-9_.-]*)*$`)
)

// targetProblems validates the targets list.
func (c *Config) targetProblems() problems {
	var ps problems
	for i, t := range c.Targets {
		key := fmt.Sprintf("targets[%d]", i)
		switch ks := t.kinds(); len(ks) {
		case 0:
			ps = append(ps, c.at(key, "empty: write one of github, azuredevops, gitlab, git or path"))
			continue
		case 1:
		default:
			ps = append(ps, c.at(key, "%s are set together; write one kind per list item", strings.Join(ks, " and ")))
			continue
		}
		key += "." + t.Kind()
		switch {
		case t.GitHub != nil:
			ps = append(ps, c.gitHubProblems(key, t.GitHub)...)
		case t.AzureDevOps != nil:
			ps = append(ps, c.azureDevOpsProblems(key, t.AzureDevOps)...)
		case t.GitLab != nil:
			g := t.GitLab
			if g.Group == "" {
				ps = append(ps, c.at(key, "group is required"))
			} else if !gitlabGroup.MatchString(g.Group) {
				ps = append(ps, c.at(key+".group", "%q is not a group path (contoso/platform) or id", g.Group))
			}
			ps = append(ps, c.baseURLProblems(key+".base_url", g.BaseURL)...)
		case t.Git != nil:
			if msg := gitURLProblem(t.Git.URL); msg != "" {
				ps = append(ps, c.at(key+".url", "%s", msg))
			}
		case t.Path != nil:
			if strings.TrimSpace(t.Path.Dir) == "" {
				ps = append(ps, c.at(key, "dir is required"))
			}
		}
		if s := t.Schedule(); s != "" && s != c.Serve.Schedule {
			ps = append(ps, c.scheduleProblem(key+".schedule", s)...)
		}
	}
	return ps
}

func (c *Config) gitHubProblems(key string, g *GitHubTarget) problems {
	var ps problems
	switch {
	case g.Org == "" && g.User == "":
		ps = append(ps, c.at(key, "org or user is required"))
	case g.Org != "" && g.User != "":
		ps = append(ps, c.at(key, "org and user are both set; write one target for each"))
	case g.Org != "" && !login.MatchString(g.Org):
		ps = append(ps, c.at(key+".org", "%q is not an organization name (the name, not a URL)", g.Org))
	case g.User != "" && !login.MatchString(g.User):
		ps = append(ps, c.at(key+".user", "%q is not a user name (the login, not a URL)", g.User))
	}
	if g.Alerts && g.Token.IsZero() && g.TokenFile == "" {
		ps = append(ps, c.at(key+".alerts", "reading secret-scanning alerts needs token or token_file"))
	}
	return append(ps, c.baseURLProblems(key+".base_url", g.BaseURL)...)
}

func (c *Config) azureDevOpsProblems(key string, a *AzureDevOpsTarget) problems {
	var ps problems
	switch {
	case a.Org == "" && a.BaseURL == "":
		ps = append(ps, c.at(key, "org is required (or base_url, an Azure DevOps Server collection URL)"))
	case a.Org != "" && !adoOrg.MatchString(a.Org):
		ps = append(ps, c.at(key+".org", "%q is not an organization name (the name, not a URL)", a.Org))
	}
	seen := map[string]bool{}
	for j, p := range a.Projects {
		pk := fmt.Sprintf("%s.projects[%d]", key, j)
		switch {
		case strings.TrimSpace(p) == "":
			ps = append(ps, c.at(pk, "empty project name"))
		case seen[strings.ToLower(p)]:
			ps = append(ps, c.at(pk, "%q is listed twice", p))
		}
		seen[strings.ToLower(p)] = true
	}
	return append(ps, c.baseURLProblems(key+".base_url", a.BaseURL)...)
}

// baseURLProblems checks an API root that patrol sends a token to: an absolute https URL
// without credentials, query or fragment; plain http only to loopback (127.0.0.1, ::1,
// localhost), where nothing travels over a network. Empty means the provider's default.
func (c *Config) baseURLProblems(key, raw string) problems {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	var msg string
	switch {
	case err != nil || u.Host == "":
		msg = fmt.Sprintf("%s is not an absolute URL", quoteURL(raw))
	case u.User != nil:
		msg = "credentials do not belong in the URL (value withheld); use token or token_file"
	case u.RawQuery != "" || u.Fragment != "":
		msg = "no query or fragment allowed (value withheld)"
	case u.Scheme == "https", u.Scheme == "http" && httpx.Loopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		msg = fmt.Sprintf("%q: http would send the token unencrypted; use https (http is for loopback only)", raw)
	default:
		msg = fmt.Sprintf("%q: the scheme must be https", raw)
	}
	return problems{c.at(key, "%s", msg)}
}

// gitURLProblem checks a clone URL, or returns "".
func gitURLProblem(raw string) string {
	switch {
	case strings.TrimSpace(raw) == "":
		return "required"
	case strings.Contains(raw, "://"):
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			return quoteURL(raw) + " is not a URL"
		case u.User != nil && u.Scheme != "ssh":
			return "user information does not belong in the URL (value withheld: it may be a token); git credential helpers or PATROL_GIT_TOKEN supply credentials"
		case u.User != nil:
			if _, hasPassword := u.User.Password(); hasPassword {
				return "a password does not belong in the URL (value withheld); use an SSH key"
			}
		case u.RawQuery != "" || u.Fragment != "":
			return "no query or fragment allowed (value withheld)"
		}
		switch {
		case u.Scheme == "https" || u.Scheme == "ssh":
			if u.Host == "" {
				return fmt.Sprintf("%q has no host", raw)
			}
		case u.Scheme == "file":
			if u.Path == "" {
				return fmt.Sprintf("%q has no path", raw)
			}
		case u.Scheme == "http" && httpx.Loopback(u.Hostname()):
		case u.Scheme == "http":
			return fmt.Sprintf("%q: http would send credentials unencrypted; use https or ssh (http is for loopback only)", raw)
		case u.Scheme == "git":
			return fmt.Sprintf("%q: git:// is neither encrypted nor authenticated; use https or ssh", raw)
		default:
			return fmt.Sprintf("%q: the scheme must be https, ssh or file", raw)
		}
		return ""
	case filepath.IsAbs(raw):
		return ""
	}
	// scp-like SSH: [user@]host:path, where the host has no slash.
	if host, path, ok := strings.Cut(raw, ":"); ok && path != "" && host != "" && !strings.ContainsAny(host, "/ ") {
		return ""
	}
	return fmt.Sprintf("%q is not a git URL (https://…, ssh://…, git@host:path, file:///… or an absolute path)", raw)
}

// quoteURL quotes a URL for a message, unless it may carry a credential.
func quoteURL(raw string) string {
	if strings.ContainsAny(raw, "@?#") {
		return "the value (withheld: it may hold a credential)"
	}
	return fmt.Sprintf("%q", raw)
}
