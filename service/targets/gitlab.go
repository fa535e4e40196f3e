package targets

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/patrolsec/patrol/secret"
)

// DefaultGitLabURL is the root of gitlab.com.
const DefaultGitLabURL = "https://gitlab.com/"

// gitlabPerPage is the largest page GitLab serves.
const gitlabPerPage = 100

// GitLab is a GitLab group whose projects, subgroups' included, are scanned.
type GitLab struct {
	// Group is the group's full path (parent/child) or numeric ID.
	Group string
	// Token is a PAT (or group access token) with read_api. Empty lists public projects only.
	Token secret.Token
	// BaseURL is the instance root (not the API root): DefaultGitLabURL when empty.
	BaseURL string
	// IncludeArchived keeps archived projects, which are left out otherwise.
	IncludeArchived bool
}

type gitlabLister struct {
	cfg   GitLab
	name  string
	first string // the first page's URL
	auth  http.Header
	c     *client
}

// NewGitLab returns the Lister of a GitLab group. It checks cfg and sends nothing.
func NewGitLab(cfg GitLab, o Options) (Lister, error) {
	name := "gitlab group " + cfg.Group
	g := cfg.Group
	if g == "" || strings.HasPrefix(g, "/") || strings.HasSuffix(g, "/") || strings.ContainsAny(g, "?#%\\") || strings.TrimSpace(g) != g {
		return nil, fmt.Errorf("gitlab target %q: %w: not a group path or ID", g, ErrConfig)
	}
	for seg := range strings.SplitSeq(g, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return nil, fmt.Errorf("gitlab target %q: %w: not a group path or ID", g, ErrConfig)
		}
	}
	base, err := checkBase(name, cfg.BaseURL, DefaultGitLabURL)
	if err != nil {
		return nil, err
	}
	q := url.Values{
		"include_subgroups": {"true"},
		// Projects shared into the group belong to other namespaces, which are their own targets.
		"with_shared": {"false"},
		"per_page":    {strconv.Itoa(gitlabPerPage)},
		"page":        {"1"},
	}
	h := http.Header{}
	if !cfg.Token.IsZero() {
		h.Set("PRIVATE-TOKEN", cfg.Token.Reveal())
	}
	first := base + "api/v4/groups/" + url.PathEscape(g) + "/projects?" + q.Encode()
	return &gitlabLister{cfg: cfg, name: name, first: first, auth: h, c: newClient(o)}, nil
}

func (l *gitlabLister) String() string { return l.name }

// List lists the group's projects and its subgroups' (every page of X-Next-Page, or of the
// Link header when that is all the answer has), leaving out archived ones unless the target
// includes them.
//
// GitLab API docs: https://docs.gitlab.com/api/groups/#list-projects
//
//meta:operation GET /api/v4/groups/{id}/projects
func (l *gitlabLister) List(ctx context.Context) ([]Repository, error) {
	const op, hint = "GET /api/v4/groups/{id}/projects", "it needs read_api"
	t := newTally(l.c.o.Logger, l.name)
	var repos []Repository
	next := l.first
	for n := 0; ; n++ {
		if n >= maxPages {
			return nil, fmt.Errorf("%s: %s: %w: more than %d pages", l.name, op, ErrUnexpected, maxPages)
		}
		var got []Repository
		h, err := l.c.getJSON(ctx, l.name, op, hint, next, l.auth, func(body []byte) error {
			var err error
			got, err = gitlabRepositories(body)
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range got {
			if r.Archived && !l.cfg.IncludeArchived {
				t.skip(ctx, r.Name, "archived")
				continue
			}
			repos = append(repos, r)
		}
		next, err = gitlabNext(next, h)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", l.name, op, err)
		}
		if next == "" {
			return t.finish(ctx, repos), nil
		}
	}
}

// gitlabNext returns the URL of the page after cur: cur with page set to X-Next-Page, else
// the Link header's rel="next" when it points at the same endpoint (the token goes nowhere
// else), else "" on the last page.
func gitlabNext(cur string, h http.Header) (string, error) {
	u, err := url.Parse(cur)
	if err != nil {
		return "", fmt.Errorf("%w: page URL: %w", ErrUnexpected, err)
	}
	q := u.Query()
	if v := strings.TrimSpace(h.Get("X-Next-Page")); v != "" {
		next, err := strconv.Atoi(v)
		page, _ := strconv.Atoi(q.Get("page"))
		if err != nil || next <= page {
			return "", fmt.Errorf("%w: X-Next-Page %q after page %d", ErrUnexpected, v, page)
		}
		q.Set("page", strconv.Itoa(next))
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	link := nextLink(h.Values("Link"))
	if link == "" {
		return "", nil
	}
	n, err := url.Parse(link)
	if err != nil || !strings.EqualFold(n.Scheme, u.Scheme) || !strings.EqualFold(n.Host, u.Host) || n.EscapedPath() != u.EscapedPath() || n.User != nil {
		return "", fmt.Errorf("%w: the next-page link leaves %s%s", ErrUnexpected, u.Host, u.EscapedPath())
	}
	if n.String() == cur {
		return "", fmt.Errorf("%w: the next-page link points at the same page", ErrUnexpected)
	}
	return n.String(), nil
}

// nextLink returns the target of rel="next" in RFC 8288 Link header values, or "".
func nextLink(values []string) string {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for p := range strings.SplitSeq(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(k, "rel") && strings.EqualFold(strings.Trim(val, `"`), "next") {
					return target[1 : len(target)-1]
				}
			}
		}
	}
	return ""
}

// gitlabProject is the part of a GitLab project the lister reads.
type gitlabProject struct {
	ID                int64           `json:"id"`
	PathWithNamespace string          `json:"path_with_namespace"`
	HTTPURLToRepo     string          `json:"http_url_to_repo"`
	DefaultBranch     string          `json:"default_branch"`
	Archived          bool            `json:"archived"`
	ForkedFrom        json.RawMessage `json:"forked_from_project"`
}

// gitlabRepositories decodes one page of a group's project list.
func gitlabRepositories(body []byte) ([]Repository, error) {
	var ps *[]gitlabProject
	if err := json.Unmarshal(body, &ps); err != nil {
		return nil, fmt.Errorf("%w: not a GitLab project list: %w", ErrUnexpected, err)
	}
	if ps == nil {
		return nil, fmt.Errorf("%w: not a GitLab project list: null", ErrUnexpected)
	}
	out := make([]Repository, 0, len(*ps))
	for i, p := range *ps {
		if p.PathWithNamespace == "" {
			return nil, fmt.Errorf("%w: project %d of the page has no path_with_namespace", ErrUnexpected, i)
		}
		key, err := cleanCloneURL(p.HTTPURLToRepo)
		if err != nil {
			return nil, fmt.Errorf("%w: project %s: %w", ErrUnexpected, p.PathWithNamespace, err)
		}
		fork := len(p.ForkedFrom) > 0 && string(p.ForkedFrom) != "null"
		out = append(out, Repository{
			Key:           key,
			CloneURL:      key,
			Provider:      ProviderGitLab,
			Name:          p.PathWithNamespace,
			DefaultBranch: p.DefaultBranch,
			Archived:      p.Archived,
			Fork:          fork,
		})
	}
	return out, nil
}
