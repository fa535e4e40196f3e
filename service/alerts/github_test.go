package alerts_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/service/alerts"
	"github.com/patrolsec/patrol/service/alerts/alerttest"
	"github.com/patrolsec/patrol/service/targets"
)

// ghToken builds a synthetic classic GitHub PAT with a valid checksum (PROVIDERS.md §2.1).
func ghToken() string {
	b := []byte((rand.Text() + rand.Text())[:30])
	return "ghp_" + string(b) + detectors.CRC32Base62(b)
}

// noWait is the clock of the retry policy in these tests: waits are recorded, not slept.
func noWait(waits *[]time.Duration) targets.Options {
	return targets.Options{MaxAttempts: 3, Sleep: func(ctx context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return ctx.Err()
	}}
}

func newClient(t *testing.T, g *alerttest.GitHub, o alerts.GitHubOptions, waits *[]time.Duration) *alerts.GitHub {
	t.Helper()
	o.Token, o.BaseURL = secret.New(g.Token), g.URL+"/"
	c, err := alerts.NewGitHub(o, noWait(waits))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestListOpenFollowsEveryPage: an organization's 250 open alerts come in three pages of 100
// linked by Link headers, each with its secret and its repository; resolved ones are not
// asked for. A user's alerts are listed repository by repository, past one without secret
// scanning (404).
func TestListOpenFollowsEveryPage(t *testing.T) {
	t.Parallel()
	g := alerttest.New(t, "read-"+rand.Text())
	want := map[int64]string{}
	for i := range 250 {
		tok := ghToken()
		n := int64(i + 1)
		g.Add(alerttest.Alert{Repo: fmt.Sprintf("contoso/app%d", i%3), Number: n, SecretType: "github_personal_access_token", Secret: tok})
		want[n] = tok
	}
	g.Add(alerttest.Alert{Repo: "contoso/app0", Number: 999, State: "resolved", Resolution: "revoked", Secret: ghToken()})
	var waits []time.Duration
	c := newClient(t, g, alerts.GitHubOptions{Org: "contoso"}, &waits)
	got := map[int64]string{}
	pages, err := c.ListOpen(t.Context(), nil, func(a alerts.Alert) error {
		if a.State != "open" || !strings.HasPrefix(a.FullName, "contoso/app") || a.RepoURL != g.URL+"/"+a.FullName ||
			a.CloneURL != a.RepoURL+".git" {
			t.Errorf("alert %d = %+v", a.Number, a)
		}
		got[a.Number] = a.Secret.Reveal()
		return nil
	})
	if err != nil || pages != 3 {
		t.Fatalf("ListOpen = %d pages, %v; want 3", pages, err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("open alerts and their secrets (-want +got):\n%s", d)
	}
	if n := g.Calls(alerttest.RouteOrgList); n != 3 {
		t.Errorf("%d list calls, want 3", n)
	}

	g.Enable("octo/empty")
	user := newClient(t, g, alerts.GitHubOptions{User: "octo"}, &waits)
	g.Add(alerttest.Alert{Repo: "octo/dots", Number: 1, SecretType: "npm_access_token", Secret: "npm_" + rand.Text()})
	var repos []string
	if _, err := user.ListOpen(t.Context(), []string{"octo/empty", "octo/scanning-off", "octo/dots"}, func(a alerts.Alert) error {
		repos = append(repos, a.FullName)
		if a.RepoURL != g.URL+"/octo/dots" {
			t.Errorf("repository alert's web URL = %q, from its html_url", a.RepoURL)
		}
		return nil
	}); err != nil || len(repos) != 1 || repos[0] != "octo/dots" {
		t.Errorf("user ListOpen = %v, %v; want the one alert of octo/dots", repos, err)
	}
	if len(waits) != 0 {
		t.Errorf("waited %v without a rate limit", waits)
	}
}

// TestAlertCalls: Get carries the secret, State does not ask for it; FirstCommit skips the
// locations that are not commits, across pages; Resolve sends state, resolution and comment;
// an unknown alert is ErrNotFound, a token without the permission ErrAccess, a bad resolution
// (422) ErrUnexpected; no error holds the secret.
func TestAlertCalls(t *testing.T) {
	t.Parallel()
	g := alerttest.New(t, "rw-"+rand.Text())
	tok := ghToken()
	locs := make([]alerttest.Location, 0, 101)
	for range 100 {
		locs = append(locs, alerttest.Location{Type: "issue_comment"})
	}
	commit, blob := strings.Repeat("c0", 20), strings.Repeat("b1", 20)
	locs = append(locs, alerttest.Location{Type: "commit", Path: "deploy/ci.env", Line: 3, Commit: commit, Blob: blob})
	g.Add(alerttest.Alert{Repo: "contoso/app", Number: 7, SecretType: "github_personal_access_token", Secret: tok,
		BypassedBy: "dev", BypassedByEmail: "dev@contoso.example", Locations: locs})
	var waits []time.Duration
	c := newClient(t, g, alerts.GitHubOptions{Org: "contoso"}, &waits)
	ctx := t.Context()

	a, err := c.Get(ctx, "contoso/app", 7)
	if err != nil || a.Secret.Reveal() != tok || a.BypassedBy != (alerts.User{Login: "dev", Email: "dev@contoso.example"}) {
		t.Fatalf("Get = %+v, %v; want the alert with its secret and who bypassed push protection", a, err)
	}
	if s, err := c.State(ctx, "contoso/app", 7); err != nil || !s.Secret.IsZero() || s.State != "open" {
		t.Errorf("State = %+v, %v; want open, without the secret", s, err)
	}
	l, ok, err := c.FirstCommit(ctx, "contoso/app", 7)
	if want := (alerts.Location{Path: "deploy/ci.env", Line: 3, Column: 1, Commit: commit, Blob: blob}); err != nil || !ok || l != want {
		t.Errorf("FirstCommit = %+v, %v, %v; want %+v", l, ok, err, want)
	}
	if n := g.Calls(alerttest.RouteLocations); n != 2 {
		t.Errorf("%d location pages read, want 2", n)
	}
	r, err := c.Resolve(ctx, "contoso/app", 7, "patrol: token revoked and confirmed dead; audit record 12")
	if err != nil || r.State != "resolved" || r.Resolution != "revoked" {
		t.Fatalf("Resolve = %+v, %v", r, err)
	}
	want := []alerttest.Update{{Repo: "contoso/app", Number: 7, Body: map[string]any{"state": "resolved", "resolution": "revoked",
		"resolution_comment": "patrol: token revoked and confirmed dead; audit record 12"}}}
	if d := cmp.Diff(want, g.Updates()); d != "" {
		t.Errorf("PATCH bodies (-want +got):\n%s", d)
	}

	var errs []error
	if _, err := c.Get(ctx, "contoso/app", 8); !errors.Is(err, targets.ErrNotFound) {
		t.Errorf("Get(unknown alert) = %v, want ErrNotFound", err)
	}
	g.Set(true, 0)
	if _, err := c.Get(ctx, "contoso/app", 7); !errors.Is(err, targets.ErrAccess) || !strings.Contains(err.Error(), "Secret scanning alerts") {
		t.Errorf("Get without the permission = %v, want ErrAccess with what the token needs", err)
	} else {
		errs = append(errs, err)
	}
	g.Set(false, 1)
	if _, err := c.Resolve(ctx, "contoso/app", 7, "x"); !errors.Is(err, targets.ErrAccess) {
		t.Errorf("Resolve answered 403 = %v, want ErrAccess", err)
	} else {
		errs = append(errs, err)
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), g.Token) {
			t.Errorf("error %q holds a secret", err)
		}
	}
	if len(waits) != 0 {
		t.Errorf("retried a final answer: waits %v", waits)
	}
	if _, err := alerts.NewGitHub(alerts.GitHubOptions{Org: "contoso"}, targets.Options{}); !errors.Is(err, targets.ErrConfig) {
		t.Errorf("NewGitHub without a token = %v, want ErrConfig", err)
	}
	if _, err := c.Get(ctx, "contoso/../x", 7); !errors.Is(err, targets.ErrConfig) {
		t.Errorf("Get(path-changing name) = %v, want ErrConfig", err)
	}
}

func TestFullName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, want string
	}{
		{"https://github.com/contoso/app.git", "contoso/app"},
		{"https://github.com/contoso/app", "contoso/app"},
		{"http://127.0.0.1:8080/contoso/app.git/", "contoso/app"},
		{"https://github.com/contoso", ""},
		{"https://github.com/contoso/app/extra", ""},
		{"/srv/repos/app", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := alerts.FullName(tt.in)
			if got != tt.want || (err == nil) != (tt.want != "") {
				t.Errorf("FullName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}
