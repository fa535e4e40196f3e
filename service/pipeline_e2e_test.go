package service_test

import (
	"context"
	"maps"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/service"
	"github.com/patrolsec/patrol/service/targets"
	"github.com/patrolsec/patrol/store"
)

// auditActions counts the audit rows of one fingerprint by action.
func auditActions(t *testing.T, st store.Store, fp string) map[string]int {
	t.Helper()
	rows, err := st.AuditLog(context.Background(), time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range rows {
		if e.Fingerprint == fp {
			out[e.Action+" "+e.Result]++
		}
	}
	return out
}

// onlyFinding returns the one stored finding.
func onlyFinding(t *testing.T, st store.Store) store.Finding {
	t.Helper()
	fs, err := st.Findings(context.Background(), store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("%d findings stored, want 1: %+v", len(fs), fs)
	}
	return fs[0]
}

// TestServePushedTokenRevokedOnceMailedOnce: a live GitHub token pushed to a watched
// repository is found by the next scheduled scan (a tick of its schedule, run by the queue), verified, revoked once and its owner mailed
// once — and neither again when the repository is scanned and the pipeline run again. The
// counters on /metrics, parsed as Prometheus text exposition, say the same.
func TestServePushedTokenRevokedOnceMailedOnce(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, t.TempDir(), "app.git")
	up.commit("init", map[string]string{"README.md": "app\n"})
	up.push("main")
	lister, err := targets.NewGit(up.fileURL())
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOptions{targets: []service.Target{{Lister: lister}}, github: true})
	r.start()
	ctx := t.Context()
	key := up.fileURL()
	if err := r.svc.Sweep(ctx); err != nil { // lists the target and queues its first scan
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the first scan", func() bool { return r.cursor(key).Refs != nil })
	// tick fires the target's schedule as the periodic job does for a tick at (in the past,
	// so that the scan runs at once), and waits for the scan.
	ticks := 0
	tick := func(at time.Time) {
		t.Helper()
		ticks++
		if err := r.svc.Tick(ctx, "@every 1h", at); err != nil {
			t.Fatalf("Tick = %v", err)
		}
		waitFor(t, 20*time.Second, "the scheduled scan", func() bool {
			return r.metric(`patrol_scans_total{outcome="ok",trigger="schedule"}`) == float64(ticks)
		})
	}

	tok := ghToken(t)
	r.gh.mu.Lock()
	r.gh.live[tok] = true
	r.gh.mu.Unlock()
	up.commit("ci", map[string]string{"deploy/ci.env": "GITHUB_TOKEN=" + tok + "\n"})
	up.push("main")
	tick(time.Now().Add(-2 * time.Hour)) // finds it, and takes it through the pipeline at once
	waitFor(t, 20*time.Second, "the finding to be notified", func() bool {
		fs, err := r.st.Findings(ctx, store.Query{State: lifecycle.StateNotified})
		return err == nil && len(fs) == 1
	})

	f := onlyFinding(t, r.st)
	if f.State != lifecycle.StateNotified || f.Revocation != lifecycle.OutcomeRevoked {
		t.Errorf("finding = %s, revocation %q (%s); want notified, revoked", f.State, f.Revocation, f.RevocationReason)
	}
	if f.OwnerEmail != "octo@contoso.example" {
		t.Errorf("owner email = %q, want the provider's", f.OwnerEmail)
	}
	check := func(when string) {
		t.Helper()
		checks, revokes := r.gh.counts(tok)
		if revokes != 1 {
			t.Errorf("%s: token revoked %d times, want once", when, revokes)
		}
		if checks < 2 {
			t.Errorf("%s: %d live checks, want the verification and the confirmation", when, checks)
		}
		var to [][]string
		for _, m := range r.mail.messages() {
			to = append(to, m.to)
		}
		if diff := cmp.Diff([][]string{{"octo@contoso.example"}}, to); diff != "" {
			t.Errorf("%s: mail recipients (-want +got):\n%s", when, diff)
		}
		want := map[string]int{"verify live": 1, "revoke_attempt started": 1, "revoke revocation_sent": 1,
			"confirm confirmed_dead": 1, "notify sent": 1}
		got := auditActions(t, r.st, f.Fingerprint)
		maps.DeleteFunc(got, func(k string, _ int) bool { _, ok := want[k]; return !ok }) // the rows a double would show in
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: audit rows of the token (-want +got):\n%s", when, diff)
		}
	}
	check("after the scan")

	// The next scheduled scan and the retry worker do nothing more.
	tick(time.Now().Add(-time.Hour))
	if err := r.svc.Pipeline(ctx); err != nil {
		t.Fatal(err)
	}
	check("after a rescan and a pipeline run")
	r.noToken(tok)

	t.Run("metrics", func(t *testing.T) {
		got := r.scrape()
		want := map[string]float64{
			`patrol_scans_total{outcome="ok",trigger="sweep"}`:                                             1,
			`patrol_scans_total{outcome="ok",trigger="schedule"}`:                                          2,
			`patrol_scans_total{outcome="error",trigger="schedule"}`:                                       0,
			`patrol_scan_duration_seconds{}`:                                                               3,
			`patrol_findings_total{confidence="checksum",detector="github-classic-pat",provider="github"}`: 1,
			`patrol_verifications_total{provider="github",status="live"}`:                                  1,
			`patrol_verifications_total{provider="github",status="unknown"}`:                               0,
			`patrol_revocations_total{outcome="revocation_sent",provider="github"}`:                        1,
			`patrol_revocations_total{outcome="failed",provider="github"}`:                                 0,
			`patrol_notifications_total{channel="email",outcome="sent"}`:                                   1,
			`patrol_notifications_total{channel="email",outcome="retry"}`:                                  0,
			`patrol_time_to_containment_seconds{}`:                                                         1,
			`patrol_repositories{}`:                                                                        1,
			`patrol_pipeline_findings{state="notified"}`:                                                   1,
			`patrol_pipeline_findings{state="detected"}`:                                                   0,
			`patrol_scheduler_skipped_total{}`:                                                             0,
			`patrol_webhook_deliveries_total{outcome="accepted",source="github"}`:                          0,
		}
		wantSeries(t, got, want)
		if _, ok := got[`patrol_oldest_scan_age_seconds{}`]; !ok {
			t.Error("patrol_oldest_scan_age_seconds: not exposed")
		}
		if _, ok := got[`patrol_build_info{goversion="`+runtime.Version()+`",version="test"}`]; !ok {
			t.Errorf("patrol_build_info: not exposed with version and goversion")
		}
	})
}

// TestServeUnknownVerificationRetriedFromMirror: the provider answers 503 to the first check
// of a pushed token, so its verification is unknown. The pipeline job (not a new scan) retries
// it, reading the token back from the mirror in clone_dir — the upstream repository is gone by
// then — and it ends revoked and its owner mailed, with the scan count unchanged.
func TestServeUnknownVerificationRetriedFromMirror(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, t.TempDir(), "app.git")
	tok := ghToken(t)
	up.commit("ci", map[string]string{"ci.env": "GITHUB_TOKEN=" + tok + "\n"})
	up.push("main")
	lister, err := targets.NewGit(up.fileURL())
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOptions{targets: []service.Target{{Lister: lister}}, github: true, backoff: 200 * time.Millisecond})
	r.gh.mu.Lock()
	r.gh.live[tok] = true
	r.gh.unavailable = 1
	r.gh.mu.Unlock()
	ctx := t.Context()
	key := up.fileURL()
	if err := r.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.Scan(ctx, service.ScanArgs{Repository: key, Trigger: service.TriggerSchedule}); err != nil {
		t.Fatal(err)
	}
	f := onlyFinding(t, r.st)
	if f.State != lifecycle.StateUnknown || f.Verify != lifecycle.VerdictUnknown {
		t.Fatalf("after the scan: finding %s (verify %q), want unknown", f.State, f.Verify)
	}
	scannedAt := r.cursor(key).ScannedAt
	if err := os.RemoveAll(up.bare); err != nil { // only the mirror has the token now
		t.Fatal(err)
	}

	r.start() // the pipeline job runs about every second; the schedule's first tick is an hour away
	defer func() {
		if t.Failed() {
			t.Logf("finding: %+v\nlog:\n%s", onlyFinding(t, r.st), r.log.text())
		}
	}()
	waitFor(t, 20*time.Second, "the finding to be notified", func() bool {
		return onlyFinding(t, r.st).State == lifecycle.StateNotified
	})
	f = onlyFinding(t, r.st)
	if f.Revocation != lifecycle.OutcomeRevoked {
		t.Errorf("revocation = %q (%s), want revoked", f.Revocation, f.RevocationReason)
	}
	if _, revokes := r.gh.counts(tok); revokes != 1 {
		t.Errorf("token revoked %d times, want once", revokes)
	}
	if n := len(r.mail.messages()); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}
	got := auditActions(t, r.st, f.Fingerprint)
	if got["verify unknown"] != 1 || got["verify live"] != 1 || got["revoke_attempt started"] != 1 {
		t.Errorf("audit rows = %v; want one unknown verification, then one live, then one revocation", got)
	}
	if n := r.metric(`patrol_scans_total{outcome="ok",trigger="schedule"}`); n != 1 {
		t.Errorf("patrol_scans_total{schedule,ok} = %v, want 1: the retry must not scan", n)
	}
	for _, trig := range []string{"sweep", "webhook", "manual"} {
		if n := r.metric(`patrol_scans_total{outcome="ok",trigger="` + trig + `"}`); n != 0 {
			t.Errorf("patrol_scans_total{%s,ok} = %v, want 0", trig, n)
		}
	}
	if c := r.cursor(key); !c.ScannedAt.Equal(scannedAt) {
		t.Errorf("cursor scanned again at %v (first scan %v)", c.ScannedAt, scannedAt)
	}
	r.noToken(tok)
}
