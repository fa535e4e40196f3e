package targets

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patrolsec/patrol/secret"
)

type glProjectJSON struct {
	ID                int            `json:"id"`
	PathWithNamespace string         `json:"path_with_namespace"`
	HTTPURLToRepo     string         `json:"http_url_to_repo"`
	SSHURLToRepo      string         `json:"ssh_url_to_repo"`
	DefaultBranch     string         `json:"default_branch,omitempty"`
	Archived          bool           `json:"archived"`
	ForkedFrom        map[string]any `json:"forked_from_project,omitempty"`
}

// gitlabFake serves GET /api/v4/groups/{id}/projects (doc/api/groups.md): the group's
// projects, and with include_subgroups=true its subgroups' too; offset pagination with the
// X-Next-Page and Link headers (linkOnly: the Link header alone, as keyset pagination
// answers), authenticated by PRIVATE-TOKEN. Script pages are the page numbers.
type gitlabFake struct {
	*fake
	tok      secret.Token
	projects []glProjectJSON
	perPage  int
	linkOnly bool
	s        *script
}

func newGitLabFake(t *testing.T, tok secret.Token, s *script) *gitlabFake {
	f := &gitlabFake{fake: newFake(t), tok: tok, perPage: 2, s: s}
	p := func(id int, path string) glProjectJSON {
		return glProjectJSON{ID: id, PathWithNamespace: path, HTTPURLToRepo: f.srv.URL + "/" + path + ".git", SSHURLToRepo: "git@gitlab.example:" + path + ".git", DefaultBranch: "main"}
	}
	old, fork := p(2, "parent/old"), p(4, "parent/sub/lib-fork")
	old.Archived = true
	fork.ForkedFrom = map[string]any{"id": 3, "path_with_namespace": "parent/sub/lib"}
	f.projects = []glProjectJSON{p(1, "parent/app"), old, p(3, "parent/sub/lib"), fork, p(5, "parent/sub/deeper/tool")}
	f.mux.HandleFunc("GET /api/v4/groups/{id}/projects", f.serve)
	return f
}

func (f *gitlabFake) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	group := r.PathValue("id")
	if want := "/api/v4/groups/" + url.PathEscape(group) + "/projects"; r.URL.EscapedPath() != want {
		t.Errorf("path %s, want the group's path URL-encoded: %s", r.URL.EscapedPath(), want)
	}
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		t.Errorf("page %q", r.URL.Query().Get("page"))
		http.NotFound(w, r)
		return
	}
	q := url.Values{"include_subgroups": {"true"}, "with_shared": {"false"}, "per_page": {"100"}, "page": {strconv.Itoa(page)}}
	if !checkRequest(t, r, "PRIVATE-TOKEN", f.tok.Reveal(), q) {
		reply{status: http.StatusUnauthorized, body: `{"message":"401 Unauthorized"}`}.write(w)
		return
	}
	var in []glProjectJSON
	for _, p := range f.projects {
		if strings.HasPrefix(p.PathWithNamespace, group+"/") {
			in = append(in, p)
		}
	}
	if len(in) == 0 {
		reply{status: http.StatusNotFound, body: `{"message":"404 Group Not Found"}`}.write(w)
		return
	}
	if rep, ok := f.s.next(page); ok {
		rep.write(w)
		return
	}
	pages := (len(in) + f.perPage - 1) / f.perPage
	lo, hi := (page-1)*f.perPage, min(page*f.perPage, len(in))
	if lo >= len(in) {
		lo, hi = 0, 0
	}
	h := map[string]string{"X-Page": strconv.Itoa(page), "X-Per-Page": "100"}
	if page < pages {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		v := u.Query()
		v.Set("page", strconv.Itoa(page+1))
		u.RawQuery = v.Encode()
		h["Link"] = `<` + u.String() + `>; rel="next"`
		if !f.linkOnly {
			h["X-Next-Page"] = strconv.Itoa(page + 1)
		}
	} else if !f.linkOnly {
		h["X-Next-Page"] = ""
	}
	writeJSON(t, w, h, in[lo:hi])
}

func (f *gitlabFake) keys(paths ...string) []string { return f.urls("/%s.git", paths...) }

func TestGitLab_List(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cfg       GitLab
		linkOnly  bool
		replies   map[int][]reply
		want      []string
		wantSleep []time.Duration
		wantHits  map[int]int
	}{
		{
			name:     "group and subgroups over X-Next-Page; archived left out",
			cfg:      GitLab{Group: "parent"},
			want:     []string{"parent/app", "parent/sub/deeper/tool", "parent/sub/lib-fork", "parent/sub/lib"},
			wantHits: map[int]int{1: 1, 2: 1, 3: 1},
		},
		{
			name: "archived included",
			cfg:  GitLab{Group: "parent", IncludeArchived: true},
			want: []string{"parent/app", "parent/old", "parent/sub/deeper/tool", "parent/sub/lib-fork", "parent/sub/lib"},
		},
		{
			name:     "a subgroup by its full path",
			cfg:      GitLab{Group: "parent/sub"},
			want:     []string{"parent/sub/deeper/tool", "parent/sub/lib-fork", "parent/sub/lib"},
			wantHits: map[int]int{1: 1, 2: 1},
		},
		{
			name:     "Link header only",
			cfg:      GitLab{Group: "parent"},
			linkOnly: true,
			want:     []string{"parent/app", "parent/sub/deeper/tool", "parent/sub/lib-fork", "parent/sub/lib"},
			wantHits: map[int]int{1: 1, 2: 1, 3: 1},
		},
		{
			name:      "429 with Retry-After",
			cfg:       GitLab{Group: "parent"},
			replies:   map[int][]reply{2: {{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "5", "RateLimit-Remaining": "0"}}}},
			want:      []string{"parent/app", "parent/sub/deeper/tool", "parent/sub/lib-fork", "parent/sub/lib"},
			wantSleep: []time.Duration{5 * time.Second},
			wantHits:  map[int]int{1: 1, 2: 2, 3: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, tok := newEnv(), testToken()
			s := newScript(tt.replies)
			f := newGitLabFake(t, tok, s)
			f.linkOnly = tt.linkOnly
			cfg := tt.cfg
			cfg.Token, cfg.BaseURL = tok, f.srv.URL
			l, err := NewGitLab(cfg, e.opts)
			listOK(t, e, s, tok, l, err, f.keys(tt.want...), tt.wantSleep, tt.wantHits)
		})
	}
}

func TestGitLab_ListRepository(t *testing.T) {
	t.Parallel()
	e, tok := newEnv(), testToken()
	f := newGitLabFake(t, tok, newScript(nil))
	l, err := NewGitLab(GitLab{Group: "parent/sub", Token: tok, BaseURL: f.srv.URL}, e.opts)
	if err != nil {
		t.Fatalf("NewGitLab: %v", err)
	}
	got, err := l.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	k := f.keys("parent/sub/lib-fork")[0]
	want := Repository{Key: k, CloneURL: k, Provider: "gitlab", Name: "parent/sub/lib-fork", DefaultBranch: "main", Fork: true}
	if len(got) != 3 || got[1] != want {
		t.Errorf("List()[1] = %+v, want %+v", got, want)
	}
}

func TestGitLab_ListErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		group    string
		replies  map[int][]reply
		want     error
		wantText string
	}{
		{
			name:     "401",
			replies:  map[int][]reply{1: {{status: http.StatusUnauthorized, body: `{"message":"401 Unauthorized"}`}}},
			want:     ErrAccess,
			wantText: "gitlab group parent: GET /api/v4/groups/{id}/projects: 401 Unauthorized: the token lacks access (it needs read_api)",
		},
		{
			name:     "no such group",
			group:    "nobody",
			want:     ErrNotFound,
			wantText: "gitlab group nobody: GET /api/v4/groups/{id}/projects: 404 Not Found",
		},
		{
			name:     "X-Next-Page going back",
			replies:  map[int][]reply{2: {{status: http.StatusOK, header: map[string]string{"X-Next-Page": "1"}, body: `[]`}}},
			want:     ErrUnexpected,
			wantText: `X-Next-Page "1" after page 2`,
		},
		{
			name:     "a next-page link to another host",
			replies:  map[int][]reply{1: {{status: http.StatusOK, header: map[string]string{"Link": `<https://evil.example/api/v4/groups/parent/projects?page=2>; rel="next"`}, body: `[]`}}},
			want:     ErrUnexpected,
			wantText: "the next-page link leaves",
		},
		{
			name:     "null",
			replies:  map[int][]reply{1: {{status: http.StatusOK, body: `null`}}},
			want:     ErrUnexpected,
			wantText: "not a GitLab project list: null",
		},
		{
			name:     "a project without a clone URL",
			replies:  map[int][]reply{1: {{status: http.StatusOK, body: `[{"id":9,"path_with_namespace":"parent/x"}]`}}},
			want:     ErrUnexpected,
			wantText: "project parent/x: clone URL  is not an absolute URL",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, tok := newEnv(), testToken()
			f := newGitLabFake(t, tok, newScript(tt.replies))
			group := tt.group
			if group == "" {
				group = "parent"
			}
			l, err := NewGitLab(GitLab{Group: group, Token: tok, BaseURL: f.srv.URL}, e.opts)
			listFails(t, e, tok, l, err, tt.want, tt.wantText)
		})
	}
}

func TestNewGitLab(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      GitLab
		wantText string
	}{
		{name: "path", cfg: GitLab{Group: "parent/sub"}},
		{name: "numeric ID", cfg: GitLab{Group: "42", BaseURL: "https://gitlab.example/"}},
		{name: "empty", cfg: GitLab{}, wantText: "not a group path or ID"},
		{name: "leading slash", cfg: GitLab{Group: "/parent"}, wantText: "not a group path or ID"},
		{name: "empty segment", cfg: GitLab{Group: "parent//sub"}, wantText: "not a group path or ID"},
		{name: "dot-dot", cfg: GitLab{Group: "parent/../admin"}, wantText: "not a group path or ID"},
		{name: "query", cfg: GitLab{Group: "parent?x=1"}, wantText: "not a group path or ID"},
		{name: "plain http", cfg: GitLab{Group: "parent", BaseURL: "http://gitlab.example/"}, wantText: "plain http is only allowed to a loopback address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewGitLab(tt.cfg, Options{})
			checkConfig(t, err, tt.wantText, testToken())
		})
	}
}
