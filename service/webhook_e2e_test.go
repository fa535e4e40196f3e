package service_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/patrolsec/patrol/service"
	"github.com/patrolsec/patrol/service/targets"
)

// githubPush is a GitHub push event body (docs.github.com/en/webhooks/webhook-events-and-payloads#push),
// with the fields patrol reads.
func githubPush(t *testing.T, cloneURL, before, after string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"ref": "refs/heads/main", "before": before, "after": after,
		"created": false, "deleted": false, "forced": false,
		"repository": map[string]any{"full_name": "acme/app", "clone_url": cloneURL,
			"html_url": strings.TrimSuffix(cloneURL, ".git")},
		"pusher": map[string]any{"name": "dev", "email": "dev@contoso.example"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// delivery is one POST to /webhooks/github.
type delivery struct {
	id        string
	body      []byte
	signature string // X-Hub-Signature-256; empty sends none
	sha1      string // X-Hub-Signature (SHA-1), which patrol must not accept alone
}

func sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (d delivery) post(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/webhooks/github", bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/test")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", d.id)
	if d.signature != "" {
		req.Header.Set("X-Hub-Signature-256", d.signature)
	}
	if d.sha1 != "" {
		req.Header.Set("X-Hub-Signature", d.sha1)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// scanJobs counts the scan jobs River holds in the store's file, whatever their state: what
// a webhook queued.
func scanJobs(t *testing.T, dbPath string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM river_job WHERE kind = 'patrol_scan'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// dirEntries lists a directory's names ("" entries when it does not exist).
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// TestServeGitHubWebhooks sends GitHub push deliveries to the real handler of a started
// service that watches one repository served over loopback HTTP. A signed push triggers the
// scan that moves the cursor; forged and unsigned ones are refused with 401 and queue nothing;
// a redelivery queues nothing new; a push for a repository not configured is answered 202 and
// clones nothing. /metrics counts each outcome.
func TestServeGitHubWebhooks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	up := newUpstream(t, root, "acme/app.git")
	first := up.commit("init", map[string]string{"README.md": "app\n"})
	up.push("main")
	other := newUpstream(t, root, "acme/other.git") // served, cloneable, but not configured
	other.commit("init", map[string]string{"README.md": "other\n"})
	other.push("main")
	gitSrv := gitServer(t, root, "", nil)
	repoURL := gitSrv.URL + "/acme/app.git"
	lister, err := targets.NewGit(repoURL)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(rand.Text())
	r := newRig(t, rigOptions{targets: []service.Target{{Lister: lister}}, webhooks: service.Webhooks{GitHubSecret: secret}})
	r.start()
	h, err := r.svc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(b)) != want {
			t.Errorf("GET %s = %d %q, want 200 %q", path, resp.StatusCode, b, want)
		}
	}
	ctx := t.Context()
	if err := r.svc.Sweep(ctx); err != nil { // lists the target and scans it once
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the sweep's scan", func() bool { return r.cursor(repoURL).Refs["refs/heads/main"] == first })

	second := up.commit("second", map[string]string{"app.go": "package app\n"})
	up.push("main")
	signed := githubPush(t, repoURL, first, second)
	push := delivery{id: "72d3162e-cc78-11e3-81ab-4c9367dc0958", body: signed, signature: sign(secret, signed)}
	if code, body := push.post(t, srv.URL); code != http.StatusAccepted || body != "accepted" {
		t.Fatalf("signed push = %d %q, want 202 accepted", code, body)
	}
	waitFor(t, 20*time.Second, "the webhook's scan to move the cursor", func() bool {
		return r.cursor(repoURL).Refs["refs/heads/main"] == second
	})
	waitFor(t, 5*time.Second, "the webhook scan to be counted", func() bool {
		return r.metric(`patrol_scans_total{outcome="ok",trigger="webhook"}`) == 1
	})
	jobs := scanJobs(t, r.dbPath)
	mirrors := dirEntries(t, r.cloneDir)
	if len(mirrors) != 1 {
		t.Fatalf("clone_dir holds %v, want the one mirror", mirrors)
	}

	third := up.commit("third", map[string]string{"lib.go": "package app\n"})
	up.push("main")
	body := githubPush(t, repoURL, second, third)
	sha1MAC := hmac.New(sha1.New, secret)
	sha1MAC.Write(body)
	refused := []struct {
		name string
		d    delivery
		want int
	}{
		{"signed with another secret", delivery{id: "forged-1", body: body, signature: sign([]byte("not the secret"), body)}, http.StatusUnauthorized},
		{"signature of another body", delivery{id: "forged-2", body: body, signature: sign(secret, signed)}, http.StatusUnauthorized},
		{"unsigned", delivery{id: "unsigned-1", body: body}, http.StatusUnauthorized},
		{"SHA-1 signature only", delivery{id: "sha1-1", body: body, sha1: "sha1=" + hex.EncodeToString(sha1MAC.Sum(nil))}, http.StatusUnauthorized},
		{"redelivery of the signed push", push, http.StatusOK},
	}
	for _, tt := range refused {
		if code, body := tt.d.post(t, srv.URL); code != tt.want {
			t.Errorf("%s: %d %q, want %d", tt.name, code, body, tt.want)
		}
		if n := scanJobs(t, r.dbPath); n != jobs {
			t.Errorf("%s: %d scan jobs, want still %d", tt.name, n, jobs)
		}
	}

	otherURL := gitSrv.URL + "/acme/other.git"
	ob := githubPush(t, otherURL, strings.Repeat("0", 40), other.git("rev-parse", "HEAD"))
	if code, body := (delivery{id: "other-1", body: ob, signature: sign(secret, ob)}).post(t, srv.URL); code != http.StatusAccepted || body != "ignored" {
		t.Errorf("push for an unconfigured repository = %d %q, want 202 ignored", code, body)
	}
	if n := scanJobs(t, r.dbPath); n != jobs {
		t.Errorf("unconfigured repository: %d scan jobs, want still %d", n, jobs)
	}
	if got := dirEntries(t, r.cloneDir); strings.Join(got, ",") != strings.Join(mirrors, ",") {
		t.Errorf("clone_dir after a push for an unconfigured repository = %v, want %v", got, mirrors)
	}
	if got := r.cursor(otherURL); got.Refs != nil {
		t.Errorf("the unconfigured repository has a cursor: %+v", got)
	}
	if got := r.cursor(repoURL).Refs["refs/heads/main"]; got != second {
		t.Errorf("cursor = %s, want %s: only the signed push may trigger a scan", got, second)
	}

	t.Run("metrics", func(t *testing.T) {
		wantSeries(t, r.scrape(), map[string]float64{
			`patrol_webhook_deliveries_total{outcome="accepted",source="github"}`:     1,
			`patrol_webhook_deliveries_total{outcome="unauthorized",source="github"}`: 4,
			`patrol_webhook_deliveries_total{outcome="duplicate",source="github"}`:    1,
			`patrol_webhook_deliveries_total{outcome="ignored",source="github"}`:      1,
			`patrol_webhook_deliveries_total{outcome="bad_request",source="github"}`:  0,
			`patrol_scans_total{outcome="ok",trigger="webhook"}`:                      1,
			`patrol_scans_total{outcome="ok",trigger="sweep"}`:                        1,
			`patrol_repositories{}`: 1,
		})
	})
}
