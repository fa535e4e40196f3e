// Package alerttest is a fake of GitHub's secret-scanning alert API for tests: an httptest
// server that serves only the documented methods and paths, answers with the documented codes
// and bodies, and fails the test, with a 404, on anything else. Only _test files import it.
//
// The contract it follows (GitHub REST API version 2022-11-28,
// https://docs.github.com/rest/secret-scanning/secret-scanning):
//   - GET /orgs/{org}/secret-scanning/alerts and GET /repos/{owner}/{repo}/secret-scanning/alerts:
//     state, per_page (at most 100; 30 by default) and page; pages linked by the Link header
//     (rel="next", rel="last"); each alert carries its secret unless hide_secret=true; the
//     organization's alerts name their repository (a simple repository: full_name,
//     html_url, no clone_url), a repository's do not.
//   - GET /repos/{owner}/{repo}/secret-scanning/alerts/{alert_number}: the alert with its
//     secret (unless hide_secret=true); 404 for an unknown alert or repository.
//   - PATCH of the same path: state open|resolved; resolution required with resolved, one of
//     false_positive, wont_fix, revoked, used_in_tests; resolution_comment must be null when
//     the state is open; otherwise 422. It records every body it accepts.
//   - GET …/{alert_number}/locations: the alert's locations, paged like the lists.
//   - Every call needs the token as bearer and X-GitHub-Api-Version; without the permission
//     (Deny) every call is a 403 "Resource not accessible by integration".
//
// Webhook payloads of secret_scanning_alert (Event) carry the alert without its secret, as
// GitHub's do.
package alerttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Alert is one alert the fake serves.
type Alert struct {
	// Repo is owner/name; Number the alert's number in it.
	Repo   string
	Number int64
	// SecretType and Secret are GitHub's secret_type and secret.
	SecretType, Secret string
	// State is "open" (the default) or "resolved"; Resolution and Comment are set by a
	// PATCH.
	State, Resolution, Comment string
	// BypassedBy and BypassedByEmail name who pushed past push protection, if anyone.
	BypassedBy, BypassedByEmail string
	// Locations are the alert's locations, commit ones and others.
	Locations []Location
}

// Location is one location of an alert: Type "commit" with a path, line, commit and blob, or
// another type ("issue_comment") with none.
type Location struct {
	Type         string
	Path         string
	Line         int
	Commit, Blob string
}

// Update is one PATCH the fake accepted, with its body as sent.
type Update struct {
	Repo   string
	Number int64
	Body   map[string]any
}

// GitHub is the fake. Its fields are set before the first request; use Set for changes
// while a test runs.
type GitHub struct {
	*httptest.Server
	t testing.TB
	// Token is the bearer token every call must carry.
	Token string
	// WebURL is the root of the web pages the alerts name (html_url); the server's own URL
	// by default.
	WebURL string

	mu      sync.Mutex
	alerts  []*Alert
	enabled map[string]bool // repositories with secret scanning on, besides those with alerts
	// deny answers every call 403; denyUpdates answers that many more PATCHes 403.
	deny        bool
	denyUpdates int
	updates     []Update
	calls       map[string]int
}

// New starts the fake for the token.
func New(t testing.TB, token string) *GitHub {
	t.Helper()
	g := &GitHub{t: t, Token: token, calls: map[string]int{}, enabled: map[string]bool{}}
	mux := http.NewServeMux()
	route := func(pattern string, h http.HandlerFunc) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			g.mu.Lock()
			g.calls[pattern]++
			deny := g.deny
			g.mu.Unlock()
			if !g.auth(w, r) {
				return
			}
			if deny {
				reply(w, http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration",
					"documentation_url": "https://docs.github.com/rest/secret-scanning/secret-scanning"})
				return
			}
			h(w, r)
		})
	}
	route("GET /orgs/{org}/secret-scanning/alerts", g.list)
	route("GET /repos/{owner}/{repo}/secret-scanning/alerts", g.list)
	route("GET /repos/{owner}/{repo}/secret-scanning/alerts/{number}", g.get)
	route("PATCH /repos/{owner}/{repo}/secret-scanning/alerts/{number}", g.update)
	route("GET /repos/{owner}/{repo}/secret-scanning/alerts/{number}/locations", g.locations)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("github alert fake: off-contract %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

// Add serves a (open unless it says otherwise) and returns it.
func (g *GitHub) Add(a Alert) *Alert {
	g.mu.Lock()
	defer g.mu.Unlock()
	if a.State == "" {
		a.State = "open"
	}
	p := &a
	g.alerts = append(g.alerts, p)
	return p
}

// Enable turns secret scanning on for repositories (owner/name) without alerts: their list is
// empty rather than a 404.
func (g *GitHub) Enable(repos ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, r := range repos {
		g.enabled[strings.ToLower(r)] = true
	}
}

// Set changes the fake under its lock: deny turns the permission off (every call 403),
// denyUpdates answers that many PATCHes 403 first.
func (g *GitHub) Set(deny bool, denyUpdates int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.deny, g.denyUpdates = deny, denyUpdates
}

// Alert returns a copy of one alert as the fake holds it.
func (g *GitHub) Alert(repo string, n int64) Alert {
	g.mu.Lock()
	defer g.mu.Unlock()
	if a := g.find(repo, n); a != nil {
		return *a
	}
	return Alert{}
}

// Updates returns the PATCH bodies accepted so far.
func (g *GitHub) Updates() []Update {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.updates)
}

// Calls returns how many requests the route pattern ("PATCH /repos/{owner}/{repo}/…") served,
// refused ones included.
func (g *GitHub) Calls(pattern string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[pattern]
}

// Routes of the fake, for Calls.
const (
	RouteOrgList   = "GET /orgs/{org}/secret-scanning/alerts"
	RouteRepoList  = "GET /repos/{owner}/{repo}/secret-scanning/alerts"
	RouteGet       = "GET /repos/{owner}/{repo}/secret-scanning/alerts/{number}"
	RouteUpdate    = "PATCH /repos/{owner}/{repo}/secret-scanning/alerts/{number}"
	RouteLocations = "GET /repos/{owner}/{repo}/secret-scanning/alerts/{number}/locations"
)

// Event is the body of a secret_scanning_alert webhook delivery with action about the alert
// (https://docs.github.com/webhooks/webhook-events-and-payloads#secret_scanning_alert): the
// alert without its secret, the repository with its clone_url, and the sender.
func (g *GitHub) Event(action, repo string, n int64, sender string) []byte {
	g.t.Helper()
	g.mu.Lock()
	a := g.find(repo, n)
	var body map[string]any
	if a != nil {
		body = g.alertJSON(a, true, true)
	} else {
		body = map[string]any{"number": n, "secret_type": "github_personal_access_token"}
	}
	g.mu.Unlock()
	if action == "resolved" {
		body["resolved_by"] = map[string]any{"login": sender, "type": "User"}
	}
	web := g.web() + "/" + repo
	b, err := json.Marshal(map[string]any{"action": action, "alert": body,
		"repository": map[string]any{"full_name": repo, "html_url": web, "clone_url": web + ".git"},
		"sender":     map[string]any{"login": sender, "type": "User"}})
	if err != nil {
		g.t.Fatal(err)
	}
	return b
}

func (g *GitHub) web() string {
	if g.WebURL != "" {
		return strings.TrimSuffix(g.WebURL, "/")
	}
	return g.URL
}

func (g *GitHub) auth(w http.ResponseWriter, r *http.Request) bool {
	if v := r.Header.Get("X-GitHub-Api-Version"); v != "2022-11-28" {
		g.t.Errorf("github alert fake: %s %s: X-GitHub-Api-Version = %q", r.Method, r.URL.Path, v)
	}
	if r.Header.Get("Authorization") != "Bearer "+g.Token {
		reply(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return false
	}
	return true
}

// find returns the alert, or nil; g.mu is held.
func (g *GitHub) find(repo string, n int64) *Alert {
	for _, a := range g.alerts {
		if strings.EqualFold(a.Repo, repo) && a.Number == n {
			return a
		}
	}
	return nil
}

// alertJSON renders an alert; g.mu is held. withRepo adds the simple repository an
// organization's list names; hide leaves the secret out.
func (g *GitHub) alertJSON(a *Alert, withRepo, hide bool) map[string]any {
	web := g.web() + "/" + a.Repo
	m := map[string]any{
		"number": a.Number, "created_at": "2026-11-30T10:00:00Z", "state": a.State,
		"url":           g.URL + "/repos/" + a.Repo + "/secret-scanning/alerts/" + strconv.FormatInt(a.Number, 10),
		"html_url":      web + "/security/secret-scanning/" + strconv.FormatInt(a.Number, 10),
		"locations_url": g.URL + "/repos/" + a.Repo + "/secret-scanning/alerts/" + strconv.FormatInt(a.Number, 10) + "/locations",
		"secret_type":   a.SecretType, "secret_type_display_name": a.SecretType,
		"resolution": nil, "resolved_at": nil, "resolved_by": nil, "resolution_comment": nil,
		"push_protection_bypassed": a.BypassedBy != "", "push_protection_bypassed_by": nil,
	}
	if !hide {
		m["secret"] = a.Secret
	}
	if a.State == "resolved" {
		m["resolution"], m["resolution_comment"] = a.Resolution, a.Comment
		m["resolved_by"] = map[string]any{"login": "patrol-bot", "type": "Bot"}
	}
	if a.BypassedBy != "" {
		u := map[string]any{"login": a.BypassedBy, "type": "User"}
		if a.BypassedByEmail != "" {
			u["email"] = a.BypassedByEmail
		}
		m["push_protection_bypassed_by"] = u
	}
	if withRepo {
		m["repository"] = map[string]any{"full_name": a.Repo, "name": a.Repo[strings.Index(a.Repo, "/")+1:], "html_url": web,
			"url": g.URL + "/repos/" + a.Repo}
	}
	return m
}

// page cuts items to the page the request asks for and sets the Link header; false (after a
// 422 answer) when the paging parameters are not GitHub's.
func page[T any](w http.ResponseWriter, r *http.Request, self string, items []T) ([]T, bool) {
	q := r.URL.Query()
	per, p := 30, 1
	var err error
	if v := q.Get("per_page"); v != "" {
		if per, err = strconv.Atoi(v); err != nil || per < 1 || per > 100 {
			reply(w, http.StatusUnprocessableEntity, map[string]string{"message": "per_page must be 1 to 100"})
			return nil, false
		}
	}
	if v := q.Get("page"); v != "" {
		if p, err = strconv.Atoi(v); err != nil || p < 1 {
			reply(w, http.StatusUnprocessableEntity, map[string]string{"message": "page must be a positive integer"})
			return nil, false
		}
	}
	last := max(1, (len(items)+per-1)/per)
	link := func(n int, rel string) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		v.Set("per_page", strconv.Itoa(per))
		return fmt.Sprintf(`<%s?%s>; rel=%q`, self, v.Encode(), rel)
	}
	var links []string
	if p < last {
		links = append(links, link(p+1, "next"), link(last, "last"))
	}
	if p > 1 {
		links = append(links, link(1, "first"), link(p-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	start := min((p-1)*per, len(items))
	return items[start:min(start+per, len(items))], true
}

func (g *GitHub) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if s := q.Get("state"); s != "" && s != "open" && s != "resolved" {
		reply(w, http.StatusUnprocessableEntity, map[string]string{"message": "state must be open or resolved"})
		return
	}
	org, repo := r.PathValue("org"), ""
	if org == "" {
		repo = r.PathValue("owner") + "/" + r.PathValue("repo")
	}
	g.mu.Lock()
	var out []map[string]any
	known := org != "" || g.enabled[strings.ToLower(repo)]
	// Newest first, as GitHub lists them.
	for i := len(g.alerts) - 1; i >= 0; i-- {
		a := g.alerts[i]
		owner, _, _ := strings.Cut(a.Repo, "/")
		switch {
		case org != "" && !strings.EqualFold(owner, org), repo != "" && !strings.EqualFold(a.Repo, repo):
			continue
		}
		known = true
		if s := q.Get("state"); s != "" && a.State != s {
			continue
		}
		out = append(out, g.alertJSON(a, org != "", q.Get("hide_secret") == "true"))
	}
	g.mu.Unlock()
	if !known {
		reply(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	items, ok := page(w, r, g.URL+r.URL.Path, out)
	if !ok {
		return
	}
	reply(w, http.StatusOK, append([]map[string]any{}, items...))
}

// alert finds the alert a request names, or answers 404; g.mu is held on success.
func (g *GitHub) alert(w http.ResponseWriter, r *http.Request) (*Alert, bool) {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	g.mu.Lock()
	var a *Alert
	if err == nil {
		a = g.find(r.PathValue("owner")+"/"+r.PathValue("repo"), n)
	}
	if a == nil {
		g.mu.Unlock()
		reply(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return nil, false
	}
	return a, true
}

func (g *GitHub) get(w http.ResponseWriter, r *http.Request) {
	a, ok := g.alert(w, r)
	if !ok {
		return
	}
	body := g.alertJSON(a, false, r.URL.Query().Get("hide_secret") == "true")
	g.mu.Unlock()
	reply(w, http.StatusOK, body)
}

func (g *GitHub) update(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		reply(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	a, ok := g.alert(w, r)
	if !ok {
		return
	}
	defer g.mu.Unlock()
	if g.denyUpdates > 0 {
		g.denyUpdates--
		reply(w, http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration"})
		return
	}
	state, _ := body["state"].(string)
	resolution, _ := body["resolution"].(string)
	comment, hasComment := body["resolution_comment"].(string)
	valid := map[string]bool{"false_positive": true, "wont_fix": true, "revoked": true, "used_in_tests": true}
	switch {
	case state == "resolved" && valid[resolution]:
	case state == "open" && body["resolution_comment"] == nil && body["resolution"] == nil:
	default:
		reply(w, http.StatusUnprocessableEntity, map[string]string{
			"message": "State does not match the resolution or resolution comment, or assignee does not have write access to the repository"})
		return
	}
	a.State, a.Resolution = state, resolution
	if hasComment {
		a.Comment = comment
	}
	g.updates = append(g.updates, Update{Repo: a.Repo, Number: a.Number, Body: body})
	reply(w, http.StatusOK, g.alertJSON(a, false, false))
}

func (g *GitHub) locations(w http.ResponseWriter, r *http.Request) {
	a, ok := g.alert(w, r)
	if !ok {
		return
	}
	var out []map[string]any
	for _, l := range a.Locations {
		if l.Type != "commit" {
			out = append(out, map[string]any{"type": l.Type, "details": map[string]any{
				"issue_comment_url": g.URL + "/repos/" + a.Repo + "/issues/comments/1"}})
			continue
		}
		out = append(out, map[string]any{"type": "commit", "details": map[string]any{
			"path": l.Path, "start_line": l.Line, "end_line": l.Line, "start_column": 1, "end_column": 41,
			"blob_sha": l.Blob, "commit_sha": l.Commit,
			"blob_url":   g.URL + "/repos/" + a.Repo + "/git/blobs/" + l.Blob,
			"commit_url": g.URL + "/repos/" + a.Repo + "/git/commits/" + l.Commit}})
	}
	g.mu.Unlock()
	items, ok := page(w, r, g.URL+r.URL.Path, out)
	if !ok {
		return
	}
	reply(w, http.StatusOK, append([]map[string]any{}, items...))
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
