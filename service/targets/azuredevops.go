package targets

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/patrolsec/patrol/secret"
)

// DefaultAzureDevOpsURL is the root of Azure DevOps Services.
const DefaultAzureDevOpsURL = "https://dev.azure.com/"

// adoAPIVersion is the REST version whose contract the lister follows.
const adoAPIVersion = "7.1"

// AzureDevOps is an Azure DevOps organization (or an Azure DevOps Server collection) whose Git
// repositories are scanned.
type AzureDevOps struct {
	// Org is the organization: requests go to {BaseURL}{Org}/_apis/…. With an on-prem
	// collection URL as BaseURL, leave it empty (or give the collection's name).
	Org string
	// Token is a PAT with Project and Team (read) and Code (read): vso.project, vso.code.
	Token secret.Token
	// BaseURL is DefaultAzureDevOpsURL when empty, or an Azure DevOps Server collection URL
	// (https://tfs.example/tfs/DefaultCollection/), or its server URL with Org the collection.
	BaseURL string
	// Projects, when set, limits the listing to these projects (names, case-insensitive); each
	// must exist. Empty means every project the token can see.
	Projects []string
}

type adoLister struct {
	cfg  AzureDevOps
	name string
	root string // {base}{org}/ or the collection URL, with a trailing slash
	auth http.Header
	c    *client
}

// NewAzureDevOps returns the Lister of an Azure DevOps organization or collection. It checks
// cfg and sends nothing.
func NewAzureDevOps(cfg AzureDevOps, o Options) (Lister, error) {
	name := "azuredevops org " + cfg.Org
	if cfg.Org == "" {
		name = "azuredevops collection" // the URL joins once checked: it may hold credentials
	}
	if strings.ContainsAny(cfg.Org, "/?#%\\") || cfg.Org == "." || cfg.Org == ".." || strings.TrimSpace(cfg.Org) != cfg.Org {
		return nil, fmt.Errorf("azuredevops target %q: %w: not an organization name", cfg.Org, ErrConfig)
	}
	base, err := checkBase(name, cfg.BaseURL, DefaultAzureDevOpsURL)
	if err != nil {
		return nil, err
	}
	root := base
	switch {
	case cfg.Org == "" && base == DefaultAzureDevOpsURL:
		return nil, fmt.Errorf("azuredevops target: %w: org is required (or an on-prem collection URL as base_url)", ErrConfig)
	case cfg.Org == "":
		// An on-prem collection URL: it is the organization.
		name += " " + base
	case base != DefaultAzureDevOpsURL && strings.EqualFold(path.Base(strings.TrimSuffix(base, "/")), cfg.Org):
		// The collection URL given as base, and its name as org: one collection, not nested.
	default:
		root = base + url.PathEscape(cfg.Org) + "/"
	}
	if cfg.Token.IsZero() {
		return nil, fmt.Errorf("%s: %w: a token is required (a PAT with vso.project and vso.code)", name, ErrConfig)
	}
	seen := map[string]bool{}
	var projects []string
	for _, p := range cfg.Projects {
		if strings.TrimSpace(p) == "" {
			return nil, fmt.Errorf("%s: %w: an empty project name in projects", name, ErrConfig)
		}
		if k := strings.ToLower(p); !seen[k] {
			seen[k] = true
			projects = append(projects, p)
		}
	}
	cfg.Projects = projects
	h := http.Header{}
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(":"+cfg.Token.Reveal())))
	// Without it a refused PAT is answered with a redirect to a sign-in page, not 401.
	h.Set("X-TFS-FedAuthRedirect", "Suppress")
	return &adoLister{cfg: cfg, name: name, root: root, auth: h, c: newClient(o)}, nil
}

func (l *adoLister) String() string { return l.name }

const adoHint = "it needs Project and Team (read) and Code (read): vso.project, vso.code"

// List lists the projects (every page of x-ms-continuationtoken), keeps the configured ones,
// and lists each one's Git repositories, leaving out disabled ones.
//
// API docs: https://learn.microsoft.com/rest/api/azure/devops/core/projects/list?view=azure-devops-rest-7.1
// and https://learn.microsoft.com/rest/api/azure/devops/git/repositories/list?view=azure-devops-rest-7.1
//
//meta:operation GET {organization}/_apis/projects
//meta:operation GET {organization}/{project}/_apis/git/repositories
func (l *adoLister) List(ctx context.Context) ([]Repository, error) {
	projects, err := l.projects(ctx)
	if err != nil {
		return nil, err
	}
	if len(l.cfg.Projects) > 0 {
		byName := map[string]adoProject{}
		for _, p := range projects {
			byName[strings.ToLower(p.Name)] = p
		}
		projects = projects[:0:0]
		for _, want := range l.cfg.Projects {
			p, ok := byName[strings.ToLower(want)]
			if !ok {
				return nil, fmt.Errorf("%s: %w: project %q is not among the %d projects the token can see", l.name, ErrConfig, want, len(byName))
			}
			projects = append(projects, p)
		}
	}
	const op = "GET {organization}/{project}/_apis/git/repositories"
	t := newTally(l.c.o.Logger, l.name)
	var repos []Repository
	for _, p := range projects {
		ref := p.ID
		if ref == "" {
			ref = p.Name
		}
		u := l.root + url.PathEscape(ref) + "/_apis/git/repositories?" + url.Values{"api-version": {adoAPIVersion}}.Encode()
		var got []Repository
		_, err := l.c.getJSON(ctx, l.name, op, adoHint, u, l.auth, func(body []byte) error {
			var err error
			got, err = adoRepositories(body, p.Name, func(repo string) { t.skip(ctx, repo, "disabled") })
			return err
		})
		if err != nil {
			return nil, err
		}
		repos = append(repos, got...)
	}
	return t.finish(ctx, repos), nil
}

// projects lists every project, following the x-ms-continuationtoken response header with
// the continuationToken query parameter until the header is absent.
func (l *adoLister) projects(ctx context.Context) ([]adoProject, error) {
	const op = "GET {organization}/_apis/projects"
	var all []adoProject
	seen := map[string]bool{}
	token := ""
	for n := 0; ; n++ {
		if n >= maxPages {
			return nil, fmt.Errorf("%s: %s: %w: more than %d pages", l.name, op, ErrUnexpected, maxPages)
		}
		q := url.Values{"api-version": {adoAPIVersion}}
		if token != "" {
			q.Set("continuationToken", token)
		}
		h, err := l.c.getJSON(ctx, l.name, op, adoHint, l.root+"_apis/projects?"+q.Encode(), l.auth, func(body []byte) error {
			ps, err := decodeADOList[adoProject](body)
			if err != nil {
				return err
			}
			for i, p := range ps {
				if p.Name == "" {
					return fmt.Errorf("%w: project %d of the page has no name", ErrUnexpected, i)
				}
			}
			all = append(all, ps...)
			return nil
		})
		if err != nil {
			return nil, err
		}
		token = h.Get("X-Ms-Continuationtoken")
		if token == "" {
			return all, nil
		}
		if seen[token] {
			return nil, fmt.Errorf("%s: %s: %w: a continuation token came back twice", l.name, op, ErrUnexpected)
		}
		seen[token] = true
	}
}

// adoProject is the part of a TeamProjectReference the lister reads.
type adoProject struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// adoRepo is the part of a GitRepository the lister reads.
type adoRepo struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	DefaultBranch string `json:"defaultBranch"`
	RemoteURL     string `json:"remoteUrl"`
	IsDisabled    bool   `json:"isDisabled"`
	IsFork        bool   `json:"isFork"`
}

// decodeADOList decodes Azure DevOps' list envelope {"count": n, "value": [...]}.
func decodeADOList[T any](body []byte) ([]T, error) {
	var env struct {
		Value *[]T `json:"value"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: not an Azure DevOps list: %w", ErrUnexpected, err)
	}
	if env.Value == nil {
		return nil, fmt.Errorf("%w: an Azure DevOps list without value", ErrUnexpected)
	}
	return *env.Value, nil
}

// adoRepositories decodes one project's repository list and converts it, calling skip with
// the name of each disabled repository (its clone fails) instead of keeping it.
func adoRepositories(body []byte, project string, skip func(repo string)) ([]Repository, error) {
	rs, err := decodeADOList[adoRepo](body)
	if err != nil {
		return nil, err
	}
	out := make([]Repository, 0, len(rs))
	for i, r := range rs {
		if r.Name == "" {
			return nil, fmt.Errorf("%w: repository %d of project %s has no name", ErrUnexpected, i, project)
		}
		name := project + "/" + r.Name
		if r.IsDisabled {
			skip(name)
			continue
		}
		key, err := cleanCloneURL(r.RemoteURL)
		if err != nil {
			return nil, fmt.Errorf("%w: repository %s: %w", ErrUnexpected, name, err)
		}
		out = append(out, Repository{
			Key:           key,
			CloneURL:      key,
			Provider:      ProviderAzureDevOps,
			Name:          name,
			DefaultBranch: strings.TrimPrefix(r.DefaultBranch, "refs/heads/"),
			Fork:          r.IsFork,
		})
	}
	return out, nil
}
