package service_test

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/service"
	"github.com/patrolsec/patrol/service/alerts/alerttest"
	"github.com/patrolsec/patrol/service/targets"
	"github.com/patrolsec/patrol/store"
)

// The tests of GitHub's secret-scanning alerts run the real service against the alert API
// fake (service/alerts/alerttest, GitHub's documented contract: paths, Link paging, the
// secret only in the single-alert and list answers, 404, 403), the GitHub provider fake that
// verifies and revokes, go-smtp on loopback, a real SQLite file and River on it. The watched
// repository, contoso/app, is served over loopback HTTP by git http-backend, and the alerts
// name it by the same URL, as GitHub names a repository by its web and clone URLs.

// alertRig is a service watching contoso/app that reads organization contoso's alerts.
type alertRig struct {
	*rig
	api     *alerttest.GitHub
	up      *upstream
	key     string // contoso/app as the service records it: its clone URL
	hooks   string // the service's HTTP root, for webhooks
	secret  []byte // the webhook secret
	commit  string // a commit of contoso/app, where the alerts say they saw their tokens
	blob    string
	started bool
}

func newAlertRig(t *testing.T, o rigOptions) *alertRig {
	t.Helper()
	root := t.TempDir()
	up := newUpstream(t, root, "contoso/app.git")
	commit := up.commit("init", map[string]string{"README.md": "app\n", "deploy/ci.env": "GITHUB_TOKEN=${GITHUB_TOKEN}\n"})
	up.push("main")
	blob, _ := up.blob("deploy/ci.env")
	srv := gitServer(t, root, "", nil)
	key := srv.URL + "/contoso/app.git"
	lister, err := targets.NewGit(key)
	if err != nil {
		t.Fatal(err)
	}
	api := alerttest.New(t, "alerts-rw-"+rand.Text())
	api.WebURL = srv.URL // the alerts name the repository by its web URL, the clone URL without .git
	secret := []byte("webhook-" + rand.Text())
	o.targets, o.alerts, o.github = []service.Target{{Lister: lister}}, api, true
	o.webhooks = service.Webhooks{GitHubSecret: secret}
	ar := &alertRig{rig: newRig(t, o), api: api, up: up, key: key, secret: secret, commit: commit, blob: blob}
	h, err := ar.svc.Handler()
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	ar.hooks = hs.URL
	return ar
}

// run starts the queue and lists the target (the poll of open alerts waits for it).
func (ar *alertRig) run() {
	ar.t.Helper()
	ar.start()
	if err := ar.svc.Sweep(ar.t.Context()); err != nil {
		ar.t.Fatal(err)
	}
}

// alert adds an open alert of contoso/app for tok, seen by GitHub in deploy/ci.env.
func (ar *alertRig) alert(n int64, secretType, tok string) {
	ar.api.Add(alerttest.Alert{Repo: "contoso/app", Number: n, SecretType: secretType, Secret: tok,
		Locations: []alerttest.Location{{Type: "issue_comment"}, {Type: "commit", Path: "deploy/ci.env", Line: 1, Commit: ar.commit, Blob: ar.blob}}})
}

// deliver posts a signed secret_scanning_alert delivery and returns the status.
func (ar *alertRig) deliver(id string, body []byte) int {
	ar.t.Helper()
	req, err := http.NewRequestWithContext(ar.t.Context(), http.MethodPost, ar.hooks+"/webhooks/github", bytes.NewReader(body))
	if err != nil {
		ar.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "secret_scanning_alert")
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", sign(ar.secret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ar.t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// resolved waits until GitHub's alert n is resolved and the service has recorded it (the
// first resolution of the test).
func (ar *alertRig) resolved(n int64) alerttest.Alert {
	ar.t.Helper()
	waitFor(ar.t, 30*time.Second, fmt.Sprintf("alert %d to be resolved", n), func() bool {
		return ar.api.Alert("contoso/app", n).State == "resolved" &&
			ar.metric(`patrol_alerts_total{outcome="resolved",source="github"}`) == 1
	})
	return ar.api.Alert("contoso/app", n)
}

// state waits until the one finding is in st and returns it.
func (ar *alertRig) state(st store.State) store.Finding {
	ar.t.Helper()
	waitFor(ar.t, 30*time.Second, "the finding to be "+string(st), func() bool {
		fs, err := ar.st.Findings(ar.t.Context(), store.Query{State: st})
		return err == nil && len(fs) == 1
	})
	return onlyFinding(ar.t, ar.st)
}

// record returns the id of the fingerprint's audit row action/result (the last one).
func (ar *alertRig) record(fp, action, result string) int64 {
	ar.t.Helper()
	rows, err := ar.st.AuditOf(ar.t.Context(), fp)
	if err != nil {
		ar.t.Fatal(err)
	}
	var id int64
	for _, e := range rows {
		if e.Action == action && e.Result == result {
			id = e.ID
		}
	}
	if id == 0 {
		ar.t.Fatalf("no audit row %s %s of %s", action, result, fp)
	}
	return id
}

// wantResolution checks GitHub's record of the PATCHes: one, resolving alert n as revoked
// with patrol's comment naming the audit record, and no token.
func (ar *alertRig) wantResolution(n int64, why string, record int64, tok string) {
	ar.t.Helper()
	want := []alerttest.Update{{Repo: "contoso/app", Number: n, Body: map[string]any{"state": "resolved", "resolution": "revoked",
		"resolution_comment": fmt.Sprintf("patrol: %s; audit record %d", why, record)}}}
	if d := cmp.Diff(want, ar.api.Updates()); d != "" {
		ar.t.Errorf("UpdateAlert calls (-want +got):\n%s", d)
	}
	for _, u := range ar.api.Updates() {
		if strings.Contains(fmt.Sprint(u.Body), tok) {
			ar.t.Error("the resolution comment holds the token")
		}
	}
}

// liveToken is a new synthetic GitHub token the provider fake answers live for.
func (ar *alertRig) liveToken() string {
	tok := ghToken(ar.t)
	ar.gh.mu.Lock()
	ar.gh.live[tok] = true
	ar.gh.mu.Unlock()
	return tok
}

// wantCalls checks the provider's live checks and revocations of tok and the mails sent.
func (ar *alertRig) wantCalls(tok string, checks, revokes, mails int) {
	ar.t.Helper()
	if c, r := ar.gh.counts(tok); c != checks || r != revokes {
		ar.t.Errorf("%d live checks, %d revocations; want %d and %d", c, r, checks, revokes)
	}
	if n := len(ar.mail.messages()); n != mails {
		ar.t.Errorf("%d mails, want %d", n, mails)
	}
}

// alertMetrics reads patrol_alerts_total{source="github"} by outcome.
func (ar *alertRig) alertMetrics(outcomes ...string) map[string]float64 {
	out := map[string]float64{}
	for _, o := range outcomes {
		out[o] = ar.metric(`patrol_alerts_total{outcome="` + o + `",source="github"}`)
	}
	return out
}

// TestServeAlertRevokedMailedResolved: a new alert of a live GitHub token, announced by the
// webhook, ends with the token revoked once, its owner mailed once and the alert resolved
// revoked with a comment naming patrol and the confirmation's audit record, never the token;
// the redelivered webhook, the alert's job run again and the next poll change nothing.
func TestServeAlertRevokedMailedResolved(t *testing.T) {
	t.Parallel()
	ar := newAlertRig(t, rigOptions{})
	tok := ar.liveToken()
	ar.alert(1, "github_personal_access_token", tok)
	ar.run()
	ctx := t.Context()

	event := ar.api.Event("created", "contoso/app", 1, "github")
	if strings.Contains(string(event), tok) {
		t.Fatal("the fake's webhook payload holds the secret; GitHub's does not")
	}
	if got := ar.deliver("d-1", event); got != http.StatusAccepted {
		t.Fatalf("created alert delivery = %d, want 202", got)
	}
	ar.resolved(1)
	f := ar.state(lifecycle.StateNotified)
	if f.Revocation != lifecycle.OutcomeRevoked || f.DetectorID != "github-classic-pat" || f.OwnerEmail != "octo@contoso.example" {
		t.Errorf("finding = %s %s %s, owner %q; want notified, revoked, github-classic-pat, the provider's owner", f.State, f.Revocation, f.DetectorID, f.OwnerEmail)
	}
	want := store.Location{Source: "github-alert", Kind: store.KindSecretScanningAlert, Repository: ar.key, Alert: 1,
		Commit: ar.commit, Blob: ar.blob, Path: "deploy/ci.env", Line: 1, Column: 1, WebURL: strings.TrimSuffix(ar.key, ".git") + "/security/secret-scanning/1"}
	if d := cmp.Diff([]store.Location{want}, f.Locations); d != "" {
		t.Errorf("locations (-want +got):\n%s", d)
	}
	ar.wantResolution(1, "token revoked and confirmed dead", ar.record(f.Fingerprint, "confirm", "confirmed_dead"), tok)

	check := func(when string) {
		t.Helper()
		if _, revokes := ar.gh.counts(tok); revokes != 1 {
			t.Errorf("%s: token revoked %d times, want once", when, revokes)
		}
		var to [][]string
		for _, m := range ar.mail.messages() {
			to = append(to, m.to)
		}
		if d := cmp.Diff([][]string{{"octo@contoso.example"}}, to); d != "" {
			t.Errorf("%s: mail recipients (-want +got):\n%s", when, d)
		}
		got := auditActions(t, ar.st, f.Fingerprint)
		wantRows := map[string]int{"detect detected": 1, "github_alert ingested": 1, "verify live": 1, "revoke_attempt started": 1,
			"confirm confirmed_dead": 1, "notify sent": 1, "github_alert resolved": 1}
		maps.DeleteFunc(got, func(k string, _ int) bool { _, ok := wantRows[k]; return !ok })
		if d := cmp.Diff(wantRows, got); d != "" {
			t.Errorf("%s: audit rows (-want +got):\n%s", when, d)
		}
		if n := len(ar.api.Updates()); n != 1 {
			t.Errorf("%s: %d UpdateAlert calls, want 1", when, n)
		}
	}
	check("after the webhook")

	if got := ar.deliver("d-1", event); got != http.StatusOK {
		t.Errorf("redelivered webhook = %d, want 200 (duplicate)", got)
	}
	if err := ar.svc.Alert(ctx, service.AlertArgs{Repository: ar.key, Number: 1}); err != nil {
		t.Errorf("the alert's job again = %v", err)
	}
	if err := ar.svc.AlertPoll(ctx); err != nil {
		t.Errorf("AlertPoll = %v", err)
	}
	if err := ar.svc.Pipeline(ctx); err != nil {
		t.Fatal(err)
	}
	check("after a redelivery, the job again and a poll")
	if d := cmp.Diff(map[string]float64{"ingested": 1, "resolved": 1, "unknown_type": 0, "left_open": 0, "resolve_failed": 0},
		ar.alertMetrics("ingested", "resolved", "unknown_type", "left_open", "resolve_failed")); d != "" {
		t.Errorf("patrol_alerts_total (-want +got):\n%s", d)
	}
	ar.noToken(tok)
}

// TestServeAlertOfAScannedToken: the token of a new alert is one patrol's own scan found,
// revoked and mailed about already: the alert joins that finding (same fingerprint, the
// repository as the scan recorded it) and is resolved, without a second revocation or email.
func TestServeAlertOfAScannedToken(t *testing.T) {
	t.Parallel()
	ar := newAlertRig(t, rigOptions{})
	tok := ar.liveToken()
	ar.up.commit("ci", map[string]string{"deploy/ci.env": "GITHUB_TOKEN=" + tok + "\n"})
	ar.up.push("main")
	// The sweep queues the repository's scan (jitter 20 ms), which takes the token through
	// the pipeline. A scan of our own beside it would race the queued one, and two pipeline
	// drains of one new finding may both verify it before one wins the move: one live check
	// more than this test counts.
	ar.run()
	ctx := t.Context()
	f := ar.state(lifecycle.StateNotified)
	if _, revokes := ar.gh.counts(tok); revokes != 1 {
		t.Fatalf("revoked %d times by the scan's pipeline, want once", revokes)
	}

	ar.alert(2, "github_personal_access_token", tok)
	if err := ar.svc.AlertPoll(ctx); err != nil {
		t.Fatal(err)
	}
	ar.resolved(2)
	got := onlyFinding(t, ar.st)
	if len(got.Locations) != 2 || got.Locations[1].Kind != store.KindSecretScanningAlert || got.Locations[1].Repository != got.Locations[0].Repository {
		t.Errorf("locations = %+v; want the scan's and the alert's, in the same repository", got.Locations)
	}
	ar.wantResolution(2, "token revoked and confirmed dead", ar.record(f.Fingerprint, "confirm", "confirmed_dead"), tok)
	ar.wantCalls(tok, 2, 1, 1) // the scan's verification, revocation, confirmation and mail; nothing new
	ar.noToken(tok)
}

// TestServeAlertOfADeadToken: an alert whose token is already dead is resolved revoked,
// citing the verification, without any revocation call.
func TestServeAlertOfADeadToken(t *testing.T) {
	t.Parallel()
	ar := newAlertRig(t, rigOptions{})
	tok := ghToken(t) // not live at the provider
	ar.alert(3, "github_personal_access_token", tok)
	ar.run()
	if err := ar.svc.AlertPoll(t.Context()); err != nil {
		t.Fatal(err)
	}
	ar.resolved(3)
	f := ar.state(lifecycle.StateDead)
	ar.wantResolution(3, "token verified dead before patrol acted (revoked or expired already)", ar.record(f.Fingerprint, "verify", "dead"), tok)
	ar.wantCalls(tok, 1, 0, 0) // one verification; nothing to revoke, nobody to tell
	ar.noToken(tok)
}

// TestServeAlertOfAnUnknownType: an alert whose secret neither a detector nor its type names
// is recorded, counted and left open; the next poll counts it as a duplicate, not again.
func TestServeAlertOfAnUnknownType(t *testing.T) {
	t.Parallel()
	ar := newAlertRig(t, rigOptions{})
	value := "adafruit-like-" + rand.Text() // no detector's shape
	ar.alert(4, "adafruit_io_key", value)
	ar.run()
	ctx := t.Context()
	for range 2 {
		if err := ar.svc.AlertPoll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := ar.svc.Pipeline(ctx); err != nil {
		t.Fatal(err)
	}
	f := ar.state(lifecycle.StateSkipped)
	if f.DetectorID != "github-secret-scanning-alert" || f.Provider != "" {
		t.Errorf("finding = %s/%q, want the unknown alert detector and no provider", f.DetectorID, f.Provider)
	}
	if a := ar.api.Alert("contoso/app", 4); a.State != "open" || len(ar.api.Updates()) != 0 {
		t.Errorf("alert %s after %d updates, want open and untouched", a.State, len(ar.api.Updates()))
	}
	got := ar.alertMetrics("unknown_type", "ingested", "duplicate", "resolved")
	if got["unknown_type"] != 1 || got["ingested"] != 0 || got["resolved"] != 0 || got["duplicate"] < 1 {
		t.Errorf("patrol_alerts_total = %v; want unknown_type 1 and the second poll a duplicate", got)
	}
	if rows := auditActions(t, ar.st, f.Fingerprint); rows["github_alert unknown_type"] != 1 {
		t.Errorf("audit rows %v, want one github_alert unknown_type", rows)
	}
	ar.noToken(value)
}

// TestServeAlertResolveRetriedAfter403: GitHub refuses the first UpdateAlert with 403; the
// failure is audited, counted and logged, and the durable job resolves the alert on a later
// attempt.
func TestServeAlertResolveRetriedAfter403(t *testing.T) {
	t.Parallel()
	ar := newAlertRig(t, rigOptions{})
	tok := ghToken(t)
	ar.alert(5, "github_personal_access_token", tok)
	ar.api.Set(false, 1)
	ar.run()
	if err := ar.svc.AlertPoll(t.Context()); err != nil {
		t.Fatal(err)
	}
	ar.resolved(5)
	f := onlyFinding(t, ar.st)
	ar.wantResolution(5, "token verified dead before patrol acted (revoked or expired already)", ar.record(f.Fingerprint, "verify", "dead"), tok)
	if n := ar.api.Calls(alerttest.RouteUpdate); n != 2 {
		t.Errorf("%d UpdateAlert calls, want the refused one and the retry", n)
	}
	if d := cmp.Diff(map[string]float64{"resolve_failed": 1, "resolved": 1}, ar.alertMetrics("resolve_failed", "resolved")); d != "" {
		t.Errorf("patrol_alerts_total (-want +got):\n%s", d)
	}
	if rows := auditActions(t, ar.st, f.Fingerprint); rows["github_alert resolve_failed"] != 1 || rows["github_alert resolved"] != 1 {
		t.Errorf("audit rows %v; want the failure and the resolution", rows)
	}
	if len(ar.log.records("resolve alert; the job retries it")) != 1 {
		t.Error("the failed resolution was not logged")
	}
	ar.noToken(tok)
}

// TestServeAlertLeftOpenByPolicy: a live token that policy does not let patrol revoke stays
// open, with the reason in the audit log and counted; its owner, whom the issuer does not
// name, is the person who pushed it past push protection, and is mailed.
func TestServeAlertLeftOpenByPolicy(t *testing.T) {
	t.Parallel()
	ar := newAlertRig(t, rigOptions{noRevoke: true})
	tok := ghToken(t)
	ar.gh.mu.Lock()
	ar.gh.live[tok], ar.gh.noEmail = true, true
	ar.gh.mu.Unlock()
	ar.api.Add(alerttest.Alert{Repo: "contoso/app", Number: 6, SecretType: "github_personal_access_token", Secret: tok,
		BypassedBy: "dev", BypassedByEmail: "dev@contoso.example",
		Locations: []alerttest.Location{{Type: "commit", Path: "deploy/ci.env", Line: 1, Commit: ar.commit, Blob: ar.blob}}})
	ar.run()
	if got := ar.deliver("d-6", ar.api.Event("created", "contoso/app", 6, "dev")); got != http.StatusAccepted {
		t.Fatalf("created alert delivery = %d, want 202", got)
	}
	f := ar.state(lifecycle.StateNotified)
	if f.Revocation != lifecycle.OutcomeDryRun {
		t.Errorf("revocation %q, want dry_run", f.Revocation)
	}
	if a := ar.api.Alert("contoso/app", 6); a.State != "open" || len(ar.api.Updates()) != 0 {
		t.Errorf("alert %s after %d updates, want open and untouched", a.State, len(ar.api.Updates()))
	}
	if _, revokes := ar.gh.counts(tok); revokes != 0 {
		t.Errorf("revoked %d times against policy", revokes)
	}
	var to [][]string
	for _, m := range ar.mail.messages() {
		to = append(to, m.to)
	}
	if d := cmp.Diff([][]string{{"dev@contoso.example"}}, to); d != "" {
		t.Errorf("mail recipients (-want +got):\n%s", d)
	}
	if got := ar.metric(`patrol_alerts_total{outcome="left_open",source="github"}`); got != 1 {
		t.Errorf("left_open = %v, want 1", got)
	}
	if rows := auditActions(t, ar.st, f.Fingerprint); rows["github_alert left_open"] != 1 {
		t.Errorf("audit rows %v, want one github_alert left_open", rows)
	}
	// Resolved on GitHub by someone: the audit log says who.
	ar.api.Set(false, 0)
	if got := ar.deliver("d-7", ar.api.Event("resolved", "contoso/app", 6, "octo-admin")); got != http.StatusAccepted {
		t.Errorf("resolved alert delivery = %d, want 202", got)
	}
	rows, err := ar.st.AuditLog(t.Context(), time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var who []string
	for _, e := range rows {
		if e.Result == "resolved_on_github" {
			who = append(who, e.Detail)
		}
	}
	if len(who) != 1 || !strings.Contains(who[0], "octo-admin") {
		t.Errorf("resolved_on_github rows %q, want one naming octo-admin", who)
	}
	ar.noToken(tok)
}

// TestServeOnceResolvesAlerts: patrol serve --once has no job queue: it takes the open alerts
// in, takes them through the pipeline, and resolves those whose token is dead by then itself.
func TestServeOnceResolvesAlerts(t *testing.T) {
	t.Parallel()
	ar := newAlertRig(t, rigOptions{})
	live, dead := ar.liveToken(), ghToken(t)
	ar.alert(8, "github_personal_access_token", live)
	ar.alert(9, "github_personal_access_token", dead)
	if err := ar.svc.Once(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{8, 9} {
		if a := ar.api.Alert("contoso/app", n); a.State != "resolved" || a.Resolution != "revoked" {
			t.Errorf("alert %d = %s %q, want resolved revoked", n, a.State, a.Resolution)
		}
	}
	ar.wantCalls(live, 2, 1, 1)
	ar.wantCalls(dead, 1, 0, 1) // the one mail is the live token's
	ar.noToken(live)
	ar.noToken(dead)
}
