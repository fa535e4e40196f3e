package service_test

import (
	"crypto/rand"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/service"
	"github.com/patrolsec/patrol/service/targets"
)

// orgRepos is GitHub's GET /orgs/{org}/repos for one organization
// (https://docs.github.com/rest/repos/repos#list-organization-repositories): the token as
// bearer, type=all, paged by the Link header (rel="next", rel="last";
// https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api). It
// serves one repository a page, whatever per_page asks, so that a client must follow the
// links. Anything else is a 404 and a test failure.
type orgRepos struct {
	t        *testing.T
	org      string
	token    string
	cloneURL func(name string) string
	srv      *httptest.Server

	mu    sync.Mutex
	names []string
	hits  map[int]int // page → requests
}

const orgPageSize = 1

func newOrgRepos(t *testing.T, org, token string, cloneURL func(string) string, names ...string) *orgRepos {
	o := &orgRepos{t: t, org: org, token: token, cloneURL: cloneURL, names: names, hits: map[int]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orgs/{org}/repos", o.list)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("github listing fake: off-contract %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	o.srv = httptest.NewServer(mux)
	t.Cleanup(o.srv.Close)
	return o
}

func (o *orgRepos) add(name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.names = append(o.names, name)
}

func (o *orgRepos) remove(name string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.names = slices.DeleteFunc(o.names, func(n string) bool { return n == name })
}

func (o *orgRepos) list(w http.ResponseWriter, r *http.Request) {
	t := o.t
	if r.PathValue("org") != o.org {
		t.Errorf("listing org %q, want %q", r.PathValue("org"), o.org)
		http.NotFound(w, r)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+o.token {
		reply(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	if v := r.Header.Get("X-GitHub-Api-Version"); v == "" {
		t.Error("listing without X-GitHub-Api-Version")
	}
	q := r.URL.Query()
	if q.Get("type") != "all" {
		t.Errorf("listing type=%q, want all", q.Get("type"))
	}
	page, err := strconv.Atoi(q.Get("page"))
	if q.Get("page") == "" {
		page, err = 1, nil
	}
	o.mu.Lock()
	names := slices.Clone(o.names)
	o.hits[page]++
	o.mu.Unlock()
	last := (len(names) + orgPageSize - 1) / orgPageSize
	if err != nil || page < 1 || page > last {
		t.Errorf("listing page %q outside 1..%d", q.Get("page"), last)
		http.NotFound(w, r)
		return
	}
	link := func(p int, rel string) string {
		v := url.Values{"type": {"all"}, "per_page": {q.Get("per_page")}, "page": {strconv.Itoa(p)}}
		return fmt.Sprintf(`<%s/orgs/%s/repos?%s>; rel=%q`, o.srv.URL, o.org, v.Encode(), rel)
	}
	if page < last {
		w.Header().Set("Link", link(page+1, "next")+", "+link(last, "last"))
	}
	var repos []map[string]any
	for _, n := range names[(page-1)*orgPageSize : min(page*orgPageSize, len(names))] {
		repos = append(repos, map[string]any{"id": len(n), "name": n, "full_name": o.org + "/" + n,
			"clone_url": o.cloneURL(n), "default_branch": "main", "fork": false, "archived": false, "private": true})
	}
	reply(w, http.StatusOK, repos)
}

func (o *orgRepos) pageHits() map[int]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return maps.Clone(o.hits)
}

// TestServeEnumeratesGitHubOrgAcrossPages: a GitHub organization target lists its
// repositories across three Link-paged pages (four once one is added); the sweep scans every one of them, cloned over
// loopback HTTP (git's smart protocol) with the target's token; a repository added upstream
// joins on the next sweep, and one deleted upstream retires.
func TestServeEnumeratesGitHubOrgAcrossPages(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	readToken := "patrol-test-read-" + rand.Text() // not a provider's token shape
	gitSrv := gitServer(t, root, readToken, nil)
	cloneURL := func(name string) string { return gitSrv.URL + "/contoso/" + name + ".git" }

	// One history, pushed to every repository.
	src := newUpstream(t, t.TempDir(), "seed.git")
	tip := src.commit("init", map[string]string{"README.md": "service\n"})
	mkRepo := func(name string) {
		up := newUpstream(t, root, "contoso/"+name+".git")
		src.git("push", "-q", up.bare, "main")
	}
	names := []string{"api", "billing", "web"}
	for _, n := range names {
		mkRepo(n)
	}
	gh := newOrgRepos(t, "contoso", readToken, cloneURL, names...)
	lister, err := targets.NewGitHub(targets.GitHub{Org: "contoso", Token: secret.New(readToken), BaseURL: gh.srv.URL + "/"}, targets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOptions{targets: []service.Target{{Lister: lister, Token: secret.New(readToken)}}})
	r.start()

	sweep := func(t *testing.T, want []string) {
		t.Helper()
		if err := r.svc.Sweep(t.Context()); err != nil {
			t.Fatalf("Sweep = %v", err)
		}
		var keys []string
		for _, n := range want {
			keys = append(keys, cloneURL(n))
		}
		slices.Sort(keys)
		waitFor(t, 30*time.Second, fmt.Sprintf("a cursor for each of %d repositories", len(want)), func() bool {
			for _, k := range keys {
				if r.cursor(k).Refs == nil {
					return false
				}
			}
			return true
		})
		cs, err := r.st.Cursors(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.Repository)
			if diff := cmp.Diff(map[string]string{"refs/heads/main": tip}, c.Refs); diff != "" {
				t.Errorf("cursor of %s (-want +got):\n%s", c.Repository, diff)
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff(keys, got); diff != "" {
			t.Errorf("scanned repositories (-want +got):\n%s", diff)
		}
		for _, k := range keys {
			dir, err := git.CachePath(r.cloneDir, k)
			if err != nil {
				t.Fatal(err)
			}
			if runGit(t, dir, "rev-parse", "refs/heads/main") != tip {
				t.Errorf("mirror of %s is not at the upstream tip", k)
			}
		}
		if got := r.metric(`patrol_repositories{}`); got != float64(len(want)) {
			t.Errorf("patrol_repositories = %v, want %d", got, len(want))
		}
	}

	t.Run("every page", func(t *testing.T) {
		sweep(t, names)
		if diff := cmp.Diff(map[int]int{1: 1, 2: 1, 3: 1}, gh.pageHits()); diff != "" {
			t.Errorf("listing requests per page (-want +got):\n%s", diff)
		}
	})
	t.Run("a repository added upstream joins on the sweep", func(t *testing.T) {
		mkRepo("search")
		gh.add("search")
		sweep(t, append(slices.Clone(names), "search"))
		if diff := cmp.Diff(map[int]int{1: 2, 2: 2, 3: 2, 4: 1}, gh.pageHits()); diff != "" {
			t.Errorf("listing requests per page (-want +got):\n%s", diff)
		}
	})
	t.Run("a repository deleted upstream retires on the sweep", func(t *testing.T) {
		gh.remove("billing")
		if err := r.svc.Sweep(t.Context()); err != nil {
			t.Fatalf("Sweep = %v", err)
		}
		if got := r.metric(`patrol_repositories{}`); got != 3 {
			t.Errorf("patrol_repositories = %v, want 3", got)
		}
		// A scan of it still queued (a tick, a webhook) is dropped unscanned.
		if err := r.svc.Scan(t.Context(), service.ScanArgs{Repository: cloneURL("billing"), Trigger: service.TriggerOnce}); err != nil {
			t.Errorf("Scan of a retired repository = %v, want nil (dropped)", err)
		}
		if n := r.metric(`patrol_scans_total{outcome="ok",trigger="manual"}`) + r.metric(`patrol_scans_total{outcome="error",trigger="manual"}`); n != 0 {
			t.Errorf("a retired repository was scanned (%v scans)", n)
		}
	})
}
