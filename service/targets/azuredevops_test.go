package targets

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/patrolsec/patrol/secret"
)

type adoProjectJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	State string `json:"state"`
}

type adoRepoJSON struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Project       adoProjectJSON `json:"project"`
	DefaultBranch string         `json:"defaultBranch,omitempty"`
	RemoteURL     string         `json:"remoteUrl"`
	IsDisabled    bool           `json:"isDisabled"`
	IsFork        bool           `json:"isFork"`
}

// adoFake serves, under prefix (/{organization}, or an on-prem collection path), the two
// documented calls of api-version 7.1: GET …/_apis/projects, paged by the
// x-ms-continuationtoken response header and the continuationToken query parameter, and
// GET …/{project}/_apis/git/repositories (no paging), with Basic auth of an empty user and
// the PAT (specification/core/7.1/core.json, specification/git/7.1/git.json).
//
// Script pages: 1..3 are the project pages, 10+i the repositories of project i.
type adoFake struct {
	*fake
	tok      secret.Token
	prefix   string
	projects [][]adoProjectJSON
	repos    map[string][]adoRepoJSON // by project ID
	s        *script
}

func newADOFake(t *testing.T, tok secret.Token, prefix string, s *script) *adoFake {
	f := &adoFake{fake: newFake(t), tok: tok, prefix: prefix, s: s}
	p := func(i int, name string) adoProjectJSON {
		return adoProjectJSON{ID: fmt.Sprintf("00000000-0000-0000-0000-00000000000%d", i), Name: name, State: "wellFormed"}
	}
	f.projects = [][]adoProjectJSON{
		{p(1, "app"), p(2, "Platform")},
		{p(3, "Legacy Tools")},
		{p(4, "empty")},
	}
	remote := func(project, repo string) string {
		u, _ := url.Parse(f.srv.URL)
		u.User = url.User("contoso") // Azure DevOps puts the organization there
		return u.String() + prefix + "/" + url.PathEscape(project) + "/_git/" + url.PathEscape(repo)
	}
	r := func(pr adoProjectJSON, name string) adoRepoJSON {
		return adoRepoJSON{ID: "r-" + name, Name: name, Project: pr, DefaultBranch: "refs/heads/main", RemoteURL: remote(pr.Name, name)}
	}
	app, platform, legacy := f.projects[0][0], f.projects[0][1], f.projects[1][0]
	disabled, fork := r(platform, "web"), r(platform, "api-fork")
	disabled.IsDisabled, fork.IsFork = true, true
	fresh := r(app, "new")
	fresh.DefaultBranch = "" // an empty repository has none
	f.repos = map[string][]adoRepoJSON{
		app.ID:              {r(app, "app"), fresh},
		platform.ID:         {r(platform, "api"), disabled, fork},
		legacy.ID:           {r(legacy, "old tool")},
		f.projects[2][0].ID: {},
	}
	f.mux.HandleFunc("GET "+prefix+"/_apis/projects", f.serveProjects)
	f.mux.HandleFunc("GET "+prefix+"/{project}/_apis/git/repositories", f.serveRepos)
	return f
}

func (f *adoFake) check(r *http.Request, q url.Values) bool {
	if got := r.Header.Get("X-TFS-FedAuthRedirect"); got != "Suppress" {
		f.t.Errorf("X-TFS-FedAuthRedirect = %q, want Suppress", got)
	}
	return checkRequest(f.t, r, "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(":"+f.tok.Reveal())), q)
}

func (f *adoFake) serveProjects(w http.ResponseWriter, r *http.Request) {
	tokens := []string{"", "c2", "c3"}
	ct := r.URL.Query().Get("continuationToken")
	page := -1
	for i, tk := range tokens {
		if tk == ct {
			page = i
		}
	}
	q := url.Values{"api-version": {"7.1"}}
	if ct != "" {
		q.Set("continuationToken", ct)
	}
	if page < 0 || !f.check(r, q) {
		http.NotFound(w, r)
		return
	}
	if rep, ok := f.s.next(page + 1); ok {
		rep.write(w)
		return
	}
	h := map[string]string{}
	if page+1 < len(tokens) {
		h["x-ms-continuationtoken"] = tokens[page+1]
	}
	writeJSON(f.t, w, h, map[string]any{"count": len(f.projects[page]), "value": f.projects[page]})
}

func (f *adoFake) serveRepos(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("project")
	repos, ok := f.repos[id]
	if !ok {
		f.t.Errorf("repositories of %q: not a project ID the listing gave", id)
		http.NotFound(w, r)
		return
	}
	if !f.check(r, url.Values{"api-version": {"7.1"}}) {
		http.NotFound(w, r)
		return
	}
	if rep, ok := f.s.next(10 + int(id[len(id)-1]-'0')); ok {
		rep.write(w)
		return
	}
	writeJSON(f.t, w, nil, map[string]any{"count": len(repos), "value": repos})
}

func (f *adoFake) key(project, repo string) string {
	return f.srv.URL + f.prefix + "/" + url.PathEscape(project) + "/_git/" + url.PathEscape(repo)
}

func TestAzureDevOps_List(t *testing.T) {
	t.Parallel()
	all := [][2]string{{"Legacy Tools", "old tool"}, {"Platform", "api"}, {"Platform", "api-fork"}, {"app", "app"}, {"app", "new"}}
	tests := []struct {
		name      string
		projects  []string
		replies   map[int][]reply
		want      [][2]string
		wantSleep []time.Duration
		wantHits  map[int]int
	}{
		{
			name:     "every project across continuation pages; disabled left out",
			want:     all,
			wantHits: map[int]int{1: 1, 2: 1, 3: 1, 11: 1, 12: 1, 13: 1, 14: 1},
		},
		{
			name:     "projects filter, case-insensitive",
			projects: []string{"platform", "LEGACY TOOLS", "Platform"},
			want:     [][2]string{{"Legacy Tools", "old tool"}, {"Platform", "api"}, {"Platform", "api-fork"}},
			wantHits: map[int]int{1: 1, 2: 1, 3: 1, 12: 1, 13: 1},
		},
		{
			name:      "429 with Retry-After on a project page",
			replies:   map[int][]reply{2: {{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "3"}}}},
			want:      all,
			wantSleep: []time.Duration{3 * time.Second},
			wantHits:  map[int]int{1: 1, 2: 2, 3: 1, 11: 1, 12: 1, 13: 1, 14: 1},
		},
		{
			name: "429 with an HTTP-date Retry-After, then 503, on a repository list",
			replies: map[int][]reply{12: {
				{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": newClock().Now().Add(20 * time.Second).Format(http.TimeFormat)}},
				{status: http.StatusServiceUnavailable},
			}},
			want:      all,
			wantSleep: []time.Duration{20 * time.Second, 2 * time.Second},
			wantHits:  map[int]int{1: 1, 2: 1, 3: 1, 11: 1, 12: 3, 13: 1, 14: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, tok := newEnv(), testToken()
			s := newScript(tt.replies)
			f := newADOFake(t, tok, "/contoso", s)
			l, err := NewAzureDevOps(AzureDevOps{Org: "contoso", Token: tok, BaseURL: f.srv.URL, Projects: tt.projects}, e.opts)
			var want []string
			for _, pr := range tt.want {
				want = append(want, f.key(pr[0], pr[1]))
			}
			listOK(t, e, s, tok, l, err, want, tt.wantSleep, tt.wantHits)
		})
	}
}

func TestAzureDevOps_ListRepository(t *testing.T) {
	t.Parallel()
	e, tok := newEnv(), testToken()
	f := newADOFake(t, tok, "/contoso", newScript(nil))
	l, err := NewAzureDevOps(AzureDevOps{Org: "contoso", Token: tok, BaseURL: f.srv.URL + "/", Projects: []string{"Platform", "app"}}, e.opts)
	if err != nil {
		t.Fatalf("NewAzureDevOps: %v", err)
	}
	got, err := l.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := []Repository{
		{Key: f.key("Platform", "api"), CloneURL: f.key("Platform", "api"), Provider: "azuredevops", Name: "Platform/api", DefaultBranch: "main"},
		{Key: f.key("Platform", "api-fork"), CloneURL: f.key("Platform", "api-fork"), Provider: "azuredevops", Name: "Platform/api-fork", DefaultBranch: "main", Fork: true},
		{Key: f.key("app", "app"), CloneURL: f.key("app", "app"), Provider: "azuredevops", Name: "app/app", DefaultBranch: "main"},
		{Key: f.key("app", "new"), CloneURL: f.key("app", "new"), Provider: "azuredevops", Name: "app/new"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if !strings.Contains(e.log.String(), `repo=Platform/web reason=disabled`) || !strings.Contains(e.log.String(), `repos=4 left_out_disabled=1`) {
		t.Errorf("the disabled repository is not logged:\n%s", e.log)
	}
}

func TestAzureDevOps_ListOnPremCollection(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, base, org string }{
		{name: "collection URL as base", base: "/tfs/DefaultCollection/"},
		{name: "collection URL and its name as org", base: "/tfs/DefaultCollection", org: "defaultcollection"},
		{name: "server URL and the collection as org", base: "/tfs/", org: "DefaultCollection"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok := testToken()
			f := newADOFake(t, tok, "/tfs/DefaultCollection", newScript(nil))
			e := newEnv()
			l, err := NewAzureDevOps(AzureDevOps{Org: tt.org, Token: tok, BaseURL: f.srv.URL + tt.base, Projects: []string{"Legacy Tools"}}, e.opts)
			listOK(t, e, nil, tok, l, err, []string{f.key("Legacy Tools", "old tool")}, nil, nil)
		})
	}
}

func TestAzureDevOps_ListErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		projects []string
		replies  map[int][]reply
		want     error
		wantText string
	}{
		{
			name:     "401",
			replies:  map[int][]reply{1: {{status: http.StatusUnauthorized}}},
			want:     ErrAccess,
			wantText: "azuredevops org contoso: GET {organization}/_apis/projects: 401 Unauthorized: the token lacks access (it needs Project and Team (read) and Code (read)",
		},
		{
			name:     "403 on a project's repositories",
			replies:  map[int][]reply{13: {{status: http.StatusForbidden, body: `{"message":"TF401019"}`}}},
			want:     ErrAccess,
			wantText: "azuredevops org contoso: GET {organization}/{project}/_apis/git/repositories: 403 Forbidden: the token lacks access",
		},
		{
			name:     "203 sign-in page",
			replies:  map[int][]reply{1: {{status: http.StatusNonAuthoritativeInfo, header: map[string]string{"Content-Type": "text/html"}, body: "<html>sign in</html>"}}},
			want:     ErrAccess,
			wantText: "203 Non-Authoritative Information (a sign-in page): the token lacks access",
		},
		{
			name:     "a configured project that does not exist",
			projects: []string{"app", "ghost"},
			want:     ErrConfig,
			wantText: `azuredevops org contoso: invalid target: project "ghost" is not among the 4 projects the token can see`,
		},
		{
			name:     "a continuation token that comes back",
			replies:  map[int][]reply{2: {{status: http.StatusOK, header: map[string]string{"x-ms-continuationtoken": "c2"}, body: `{"count":0,"value":[]}`}}},
			want:     ErrUnexpected,
			wantText: "a continuation token came back twice",
		},
		{
			name:     "a list without value",
			replies:  map[int][]reply{1: {{status: http.StatusOK, body: `{"count":0}`}}},
			want:     ErrUnexpected,
			wantText: "an Azure DevOps list without value",
		},
		{
			name:     "HTML with 200",
			replies:  map[int][]reply{1: {{status: http.StatusOK, header: map[string]string{"Content-Type": "text/html"}, body: "<html></html>"}}},
			want:     ErrUnexpected,
			wantText: `content type "text/html", not JSON`,
		},
		{
			name:     "a remote URL in plain http elsewhere",
			replies:  map[int][]reply{14: {{status: http.StatusOK, body: `{"count":1,"value":[{"name":"x","remoteUrl":"http://tfs.example/x/_git/x"}]}`}}},
			want:     ErrUnexpected,
			wantText: "repository empty/x: clone URL http://tfs.example/x/_git/x is not https",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, tok := newEnv(), testToken()
			f := newADOFake(t, tok, "/contoso", newScript(tt.replies))
			l, err := NewAzureDevOps(AzureDevOps{Org: "contoso", Token: tok, BaseURL: f.srv.URL, Projects: tt.projects}, e.opts)
			listFails(t, e, tok, l, err, tt.want, tt.wantText)
		})
	}
}

func TestNewAzureDevOps(t *testing.T) {
	t.Parallel()
	tok := testToken()
	tests := []struct {
		name     string
		cfg      AzureDevOps
		wantText string
	}{
		{name: "cloud", cfg: AzureDevOps{Org: "contoso", Token: tok}},
		{name: "on-prem collection", cfg: AzureDevOps{Token: tok, BaseURL: "https://tfs.example/tfs/DefaultCollection"}},
		{name: "no org on the cloud", cfg: AzureDevOps{Token: tok}, wantText: "org is required"},
		{name: "no token", cfg: AzureDevOps{Org: "contoso"}, wantText: "azuredevops org contoso: invalid target: a token is required"},
		{name: "a path in the org", cfg: AzureDevOps{Org: "contoso/x", Token: tok}, wantText: "not an organization name"},
		{name: "an empty project", cfg: AzureDevOps{Org: "contoso", Token: tok, Projects: []string{"app", " "}}, wantText: "an empty project name"},
		{name: "plain http", cfg: AzureDevOps{Token: tok, BaseURL: "http://tfs.example/tfs/DefaultCollection"}, wantText: "plain http is only allowed to a loopback address"},
		{name: "credentials in the base URL", cfg: AzureDevOps{Token: tok, BaseURL: "https://u:" + tok.Reveal() + "@tfs.example/tfs/DefaultCollection"}, wantText: "azuredevops collection: invalid target: base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewAzureDevOps(tt.cfg, Options{})
			checkConfig(t, err, tt.wantText, tok)
		})
	}
}
