package targets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/patrolsec/patrol/secret"
)

type ghRepo struct {
	FullName      string `json:"full_name"`
	CloneURL      string `json:"clone_url"`
	DefaultBranch string `json:"default_branch"`
	Fork          bool   `json:"fork"`
	Archived      bool   `json:"archived"`
}

// githubFake serves GET /orgs/{org}/repos (type=all) and GET /users/{username}/repos
// (type=owner) under /api/v3/ as GitHub Enterprise Server does, paged by the Link header
// (https://docs.github.com/rest/repos/repos#list-organization-repositories,
// https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api).
type githubFake struct {
	*fake
	tok   secret.Token
	pages [][]ghRepo
	s     *script
}

func newGitHubFake(t *testing.T, tok secret.Token, s *script) *githubFake {
	f := &githubFake{fake: newFake(t), tok: tok, s: s}
	repo := func(name string, fork, archived bool) ghRepo {
		return ghRepo{FullName: "contoso/" + name, CloneURL: f.srv.URL + "/contoso/" + name + ".git", DefaultBranch: "main", Fork: fork, Archived: archived}
	}
	f.pages = [][]ghRepo{
		{repo("app-a", false, false), repo("app-b", true, false)},
		{repo("app-c", false, true), repo("app-d", false, false)},
		{repo("app-e", true, true), repo("app-f", false, false)},
	}
	f.mux.HandleFunc("GET /api/v3/orgs/{org}/repos", func(w http.ResponseWriter, r *http.Request) {
		f.serve(w, r, "contoso", "all")
	})
	f.mux.HandleFunc("GET /api/v3/users/{username}/repos", func(w http.ResponseWriter, r *http.Request) {
		f.serve(w, r, "contoso", "owner")
	})
	return f
}

func (f *githubFake) serve(w http.ResponseWriter, r *http.Request, owner, typ string) {
	t := f.t
	name := r.PathValue("org") + r.PathValue("username")
	if name != owner {
		t.Errorf("listing %q, want %q", name, owner)
		http.NotFound(w, r)
		return
	}
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 || page > len(f.pages) {
		t.Errorf("page %q outside 1..%d", r.URL.Query().Get("page"), len(f.pages))
		http.NotFound(w, r)
		return
	}
	q := url.Values{"type": {typ}, "page": {strconv.Itoa(page)}, "per_page": {"100"}}
	if !checkRequest(t, r, "Authorization", "Bearer "+f.tok.Reveal(), q) {
		reply{status: http.StatusUnauthorized, body: `{"message":"Bad credentials"}`}.write(w)
		return
	}
	if got := r.Header.Get("X-GitHub-Api-Version"); got == "" {
		t.Errorf("no X-GitHub-Api-Version header")
	}
	if rep, ok := f.s.next(page); ok {
		rep.write(w)
		return
	}
	h := map[string]string{}
	if page < len(f.pages) {
		link := func(p int, rel string) string {
			u := *r.URL
			u.Scheme, u.Host = "http", r.Host
			v := u.Query()
			v.Set("page", strconv.Itoa(p))
			u.RawQuery = v.Encode()
			return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
		}
		h["Link"] = link(page+1, "next") + ", " + link(len(f.pages), "last")
	}
	writeJSON(t, w, h, f.pages[page-1])
}

func (f *githubFake) baseURL() string { return f.srv.URL + "/api/v3/" }

func (f *githubFake) keys(names ...string) []string { return f.urls("/contoso/%s.git", names...) }

func TestGitHub_List(t *testing.T) {
	t.Parallel()
	reset := func(e *env, after time.Duration) string {
		return strconv.FormatInt(e.clock.Now().Add(after).Unix(), 10)
	}
	tests := []struct {
		name      string
		cfg       GitHub
		script    func(e *env) map[int][]reply
		want      []string
		wantSleep []time.Duration
		wantHits  map[int]int
	}{
		{
			name:     "org, every page, forks and archived left out",
			cfg:      GitHub{Org: "contoso"},
			want:     []string{"app-a", "app-d", "app-f"},
			wantHits: map[int]int{1: 1, 2: 1, 3: 1},
		},
		{
			name: "forks included",
			cfg:  GitHub{Org: "contoso", IncludeForks: true},
			want: []string{"app-a", "app-b", "app-d", "app-f"},
		},
		{
			name: "archived included",
			cfg:  GitHub{Org: "contoso", IncludeArchived: true},
			want: []string{"app-a", "app-c", "app-d", "app-f"},
		},
		{
			name: "forks and archived included",
			cfg:  GitHub{Org: "contoso", IncludeForks: true, IncludeArchived: true},
			want: []string{"app-a", "app-b", "app-c", "app-d", "app-e", "app-f"},
		},
		{
			name: "user",
			cfg:  GitHub{User: "contoso"},
			want: []string{"app-a", "app-d", "app-f"},
		},
		{
			name: "primary rate limit: 403, X-RateLimit-Remaining 0, waits until X-RateLimit-Reset",
			cfg:  GitHub{Org: "contoso"},
			script: func(e *env) map[int][]reply {
				return map[int][]reply{2: {{
					status: http.StatusForbidden,
					header: map[string]string{"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset(e, 90*time.Second)},
					body:   `{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"}`,
				}}}
			},
			want:      []string{"app-a", "app-d", "app-f"},
			wantSleep: []time.Duration{90 * time.Second},
			wantHits:  map[int]int{1: 1, 2: 2, 3: 1},
		},
		{
			name: "primary rate limit answered 429",
			cfg:  GitHub{Org: "contoso"},
			script: func(e *env) map[int][]reply {
				return map[int][]reply{1: {{
					status: http.StatusTooManyRequests,
					header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset(e, 30*time.Minute)},
					body:   `{"message":"API rate limit exceeded"}`,
				}}}
			},
			want:      []string{"app-a", "app-d", "app-f"},
			wantSleep: []time.Duration{30 * time.Minute},
		},
		{
			name: "429 with Retry-After",
			cfg:  GitHub{Org: "contoso"},
			script: func(*env) map[int][]reply {
				return map[int][]reply{3: {{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "7"}, body: `{"message":"slow down"}`}}}
			},
			want:      []string{"app-a", "app-d", "app-f"},
			wantSleep: []time.Duration{7 * time.Second},
			wantHits:  map[int]int{1: 1, 2: 1, 3: 2},
		},
		{
			name: "secondary rate limit with Retry-After",
			cfg:  GitHub{Org: "contoso"},
			script: func(*env) map[int][]reply {
				return map[int][]reply{2: {{
					status: http.StatusForbidden,
					header: map[string]string{"Retry-After": "60"},
					body:   `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`,
				}}}
			},
			want:      []string{"app-a", "app-d", "app-f"},
			wantSleep: []time.Duration{time.Minute},
		},
		{
			name: "secondary rate limit without Retry-After waits a minute, then longer",
			cfg:  GitHub{Org: "contoso"},
			script: func(*env) map[int][]reply {
				secondary := reply{
					status: http.StatusForbidden,
					body:   `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`,
				}
				return map[int][]reply{1: {secondary, secondary}}
			},
			want:      []string{"app-a", "app-d", "app-f"},
			wantSleep: []time.Duration{time.Minute, time.Minute},
		},
		{
			name: "5xx retried with backoff",
			cfg:  GitHub{Org: "contoso"},
			script: func(*env) map[int][]reply {
				return map[int][]reply{2: {{status: http.StatusBadGateway, body: `{}`}, {status: http.StatusServiceUnavailable, body: `{}`}}}
			},
			want:      []string{"app-a", "app-d", "app-f"},
			wantSleep: []time.Duration{time.Second, 2 * time.Second},
			wantHits:  map[int]int{1: 1, 2: 3, 3: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, tok := newEnv(), testToken()
			var replies map[int][]reply
			if tt.script != nil {
				replies = tt.script(e)
			}
			s := newScript(replies)
			f := newGitHubFake(t, tok, s)
			cfg := tt.cfg
			cfg.Token, cfg.BaseURL = tok, f.baseURL()
			l, err := NewGitHub(cfg, e.opts)
			listOK(t, e, s, tok, l, err, f.keys(tt.want...), tt.wantSleep, tt.wantHits)
		})
	}
}

func TestGitHub_ListRepository(t *testing.T) {
	t.Parallel()
	e, tok := newEnv(), testToken()
	f := newGitHubFake(t, tok, newScript(nil))
	l, err := NewGitHub(GitHub{Org: "contoso", Token: tok, BaseURL: f.baseURL(), IncludeForks: true, IncludeArchived: true}, e.opts)
	if err != nil {
		t.Fatalf("NewGitHub: %v", err)
	}
	got, err := l.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	want := Repository{Key: f.keys("app-e")[0], CloneURL: f.keys("app-e")[0], Provider: "github", Name: "contoso/app-e", DefaultBranch: "main", Archived: true, Fork: true}
	if len(got) != 6 || got[4] != want {
		t.Errorf("List()[4] = %+v, want %+v", got, want)
	}
	if s := fmt.Sprint(l); s != "github org contoso" {
		t.Errorf("String() = %q", s)
	}
	for _, line := range []string{`msg="listed repositories" target="github org contoso" repos=6`} {
		if !strings.Contains(e.log.String(), line) {
			t.Errorf("log lacks %q:\n%s", line, e.log)
		}
	}
	e = newEnv()
	l, _ = NewGitHub(GitHub{Org: "contoso", Token: tok, BaseURL: f.baseURL()}, e.opts)
	if _, err := l.List(t.Context()); err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, line := range []string{
		`repos=3 left_out_archived=1 left_out_fork=2`,
		`level=DEBUG msg="leaving out repository" target="github org contoso" repo=contoso/app-b reason=fork`,
	} {
		if !strings.Contains(e.log.String(), line) {
			t.Errorf("log lacks %q:\n%s", line, e.log)
		}
	}
}

func TestGitHub_ListErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		replies   func(e *env, f *githubFake) map[int][]reply
		want      error
		wantText  string
		wantSleep []time.Duration
		wantHits  map[int]int
	}{
		{
			name: "401 names the target and says the token lacks access, without retrying",
			replies: func(*env, *githubFake) map[int][]reply {
				return map[int][]reply{1: {{status: http.StatusUnauthorized, body: `{"message":"Bad credentials"}`}}}
			},
			want:     ErrAccess,
			wantText: "github org contoso: GET /orgs/{org}/repos: 401 Unauthorized: the token lacks access (",
			wantHits: map[int]int{1: 1},
		},
		{
			name: "403 without rate-limit headers is access",
			replies: func(*env, *githubFake) map[int][]reply {
				return map[int][]reply{2: {{status: http.StatusForbidden, body: `{"message":"Resource protected by organization SAML enforcement."}`}}}
			},
			want:     ErrAccess,
			wantText: "403 Forbidden: the token lacks access",
			wantHits: map[int]int{1: 1, 2: 1},
		},
		{
			name: "404",
			replies: func(*env, *githubFake) map[int][]reply {
				return map[int][]reply{1: {{status: http.StatusNotFound, body: `{"message":"Not Found"}`}}}
			},
			want:     ErrNotFound,
			wantText: "github org contoso: GET /orgs/{org}/repos: 404 Not Found: not found, or not visible to the token",
		},
		{
			name: "a reset further away than MaxWait fails at once",
			replies: func(e *env, _ *githubFake) map[int][]reply {
				r := strconv.FormatInt(e.clock.Now().Add(3*time.Hour).Unix(), 10)
				return map[int][]reply{1: {{status: http.StatusForbidden, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": r}, body: `{"message":"API rate limit exceeded"}`}}}
			},
			want:     ErrRateLimited,
			wantText: "the host asks to wait 3h0m0s, more than the 1h5m0s allowed",
			wantHits: map[int]int{1: 1},
		},
		{
			name: "5xx until the attempts run out",
			replies: func(*env, *githubFake) map[int][]reply {
				r := reply{status: http.StatusInternalServerError, body: `{}`}
				return map[int][]reply{1: {r, r, r, r, r}}
			},
			want:      ErrUnavailable,
			wantText:  "500 Internal Server Error: host unavailable",
			wantSleep: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second},
			wantHits:  map[int]int{1: 5},
		},
		{
			name: "a clone URL in plain http to another host",
			replies: func(*env, *githubFake) map[int][]reply {
				return map[int][]reply{1: {{status: http.StatusOK, body: `[{"full_name":"contoso/x","clone_url":"http://git.example/contoso/x.git"}]`}}}
			},
			want:     ErrUnexpected,
			wantText: "repository contoso/x: clone URL http://git.example/contoso/x.git is not https",
		},
		{
			name: "a clone URL with a password is refused without quoting it",
			replies: func(_ *env, f *githubFake) map[int][]reply {
				return map[int][]reply{1: {{status: http.StatusOK, body: `[{"full_name":"contoso/x","clone_url":"https://u:` + f.tok.Reveal() + `@git.example/contoso/x.git"}]`}}}
			},
			want:     ErrUnexpected,
			wantText: "clone URL https://git.example/contoso/x.git holds a password",
		},
		{
			name: "a body that is not a repository list",
			replies: func(*env, *githubFake) map[int][]reply {
				return map[int][]reply{1: {{status: http.StatusOK, body: `{"message":"hello"}`}}}
			},
			want:     ErrUnexpected,
			wantText: "not a repository list",
			wantHits: map[int]int{1: 1},
		},
		{
			name: "a next page that goes back",
			replies: func(_ *env, f *githubFake) map[int][]reply {
				return map[int][]reply{2: {{status: http.StatusOK, header: map[string]string{"Link": "<" + f.baseURL() + "orgs/contoso/repos?page=1>; rel=\"next\""}, body: `[]`}}}
			},
			want:     ErrUnexpected,
			wantText: "page 2 links back to page 1",
		},
		{
			name: "a redirect is not followed",
			replies: func(*env, *githubFake) map[int][]reply {
				return map[int][]reply{1: {{status: http.StatusMovedPermanently, header: map[string]string{"Location": "https://elsewhere.example/orgs/contoso/repos"}}}}
			},
			want:     ErrUnexpected,
			wantText: "301 Moved Permanently to elsewhere.example",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, tok := newEnv(), testToken()
			s := newScript(nil)
			f := newGitHubFake(t, tok, s)
			s.replies = tt.replies(e, f)
			l, err := NewGitHub(GitHub{Org: "contoso", Token: tok, BaseURL: f.baseURL()}, e.opts)
			listFails(t, e, tok, l, err, tt.want, tt.wantText)
			if diff := cmp.Diff(tt.wantSleep, e.clock.Sleeps()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if tt.wantHits != nil {
				if diff := cmp.Diff(tt.wantHits, s.Hits()); diff != "" {
					t.Errorf("requests per page (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestGitHub_ListStopsWithContext(t *testing.T) {
	t.Parallel()
	e, tok := newEnv(), testToken()
	ctx, cancel := context.WithCancel(t.Context())
	e.clock.onSleep = cancel
	f := newGitHubFake(t, tok, newScript(map[int][]reply{1: {{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "30"}}}}))
	l, err := NewGitHub(GitHub{Org: "contoso", Token: tok, BaseURL: f.baseURL()}, e.opts)
	if err != nil {
		t.Fatalf("NewGitHub: %v", err)
	}
	_, err = l.List(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "waiting to retry after 429 Too Many Requests") {
		t.Errorf("List() with the context cancelled while waiting = %v, want context.Canceled while waiting after the 429", err)
	}
}

func TestGitHub_ListPublicWithoutToken(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.mux.HandleFunc("GET /api/v3/users/{username}/repos", func(w http.ResponseWriter, r *http.Request) {
		checkRequest(t, r, "Authorization", "", url.Values{"type": {"owner"}, "page": {"1"}, "per_page": {"100"}})
		writeJSON(t, w, nil, []ghRepo{{FullName: "alice/dots", CloneURL: f.srv.URL + "/alice/dots.git"}})
	})
	l, err := NewGitHub(GitHub{User: "alice", BaseURL: f.srv.URL + "/api/v3"}, newEnv().opts)
	if err != nil {
		t.Fatalf("NewGitHub: %v", err)
	}
	got, err := l.List(t.Context())
	if err != nil || len(got) != 1 || got[0].Name != "alice/dots" {
		t.Errorf("List() = %+v, %v; want alice/dots", got, err)
	}
}

func TestNewGitHub(t *testing.T) {
	t.Parallel()
	tok := testToken()
	tests := []struct {
		name     string
		cfg      GitHub
		wantText string // empty: valid
	}{
		{name: "org", cfg: GitHub{Org: "contoso"}},
		{name: "user on GHES", cfg: GitHub{User: "alice_ldap", BaseURL: "https://ghe.example/api/v3/"}},
		{name: "loopback http", cfg: GitHub{Org: "contoso", BaseURL: "http://localhost:8080/api/v3/"}},
		{name: "loopback IPv6", cfg: GitHub{Org: "contoso", BaseURL: "http://[::1]:8080/"}},
		{name: "neither", cfg: GitHub{}, wantText: "org or user is required"},
		{name: "both", cfg: GitHub{Org: "a", User: "b"}, wantText: "set org or user, not both"},
		{name: "a path in the name", cfg: GitHub{Org: "contoso/../admin"}, wantText: "not a GitHub organization or user name"},
		{name: "plain http elsewhere", cfg: GitHub{Org: "contoso", BaseURL: "http://ghe.example/api/v3/"}, wantText: "plain http is only allowed to a loopback address"},
		{name: "credentials in the base URL", cfg: GitHub{Org: "contoso", BaseURL: "https://x:" + tok.Reveal() + "@ghe.example/"}, wantText: "not an absolute http(s) URL without credentials"},
		{name: "not a URL", cfg: GitHub{Org: "contoso", BaseURL: "ghe.example"}, wantText: "not an absolute http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Token = tok
			_, err := NewGitHub(cfg, Options{})
			checkConfig(t, err, tt.wantText, tok)
		})
	}
}
