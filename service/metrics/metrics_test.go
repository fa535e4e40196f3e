package metrics

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/service/webhook"
)

var update = flag.Bool("update", false, "rewrite testdata/metrics.txt")

// patrolNames are the series the golden file holds: every patrol_ name but build_info, whose
// goversion label changes with the toolchain (TestBuildInfo covers it).
var patrolNames = []string{
	"patrol_scans_total", "patrol_scan_duration_seconds", "patrol_scanned_bytes_total",
	"patrol_findings_total", "patrol_verifications_total", "patrol_revocations_total",
	"patrol_notifications_total", "patrol_webhook_deliveries_total", "patrol_repositories",
	"patrol_pipeline_findings", "patrol_oldest_scan_age_seconds", "patrol_time_to_containment_seconds",
	"patrol_scheduler_skipped_total", "patrol_alerts_total",
}

var now = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

// store stands in for the store's answers at scrape time.
type store struct {
	counts map[lifecycle.State]int
	oldest time.Time
	err    error
}

func (s *store) options(log *slog.Logger) Options {
	return Options{
		Version: "v0.9.0-test",
		PipelineCounts: func(ctx context.Context) (map[lifecycle.State]int, error) {
			return s.counts, s.err
		},
		OldestScan: func(ctx context.Context) (time.Time, error) { return s.oldest, s.err },
		Now:        func() time.Time { return now },
		Log:        log,
	}
}

func newMetrics(t *testing.T, s *store) (*Metrics, *prometheus.Registry, *bytes.Buffer) {
	t.Helper()
	var log bytes.Buffer
	reg := prometheus.NewRegistry()
	m, err := New(reg, s.options(slog.New(slog.NewTextHandler(&log, nil))))
	if err != nil {
		t.Fatal(err)
	}
	return m, reg, &log
}

// script is a day of a small service, with a few label values outside their sets.
func script(m *Metrics) {
	m.SetRepositories(3)
	m.ScanDone(TriggerSchedule, ScanOK, 1500*time.Millisecond, 2048)
	m.ScanDone(TriggerWebhook, ScanOK, 200*time.Millisecond, 512)
	m.ScanDone(TriggerSchedule, ScanError, 30*time.Second, 0)
	m.ScanDone("https://github.com/acme/app.git", "exit status 128", -time.Second, -5)
	m.Finding("github-classic-pat", "github", string(detectors.ConfidenceChecksum))
	m.Finding("github-classic-pat", "github", string(detectors.ConfidenceChecksum))
	m.Finding("private-key", "", string(detectors.ConfidencePattern))
	m.Finding("acme-internal-key", "acme", "high")
	m.Verification("github", lifecycle.VerdictLive)
	m.Verification("azuredevops", lifecycle.VerdictUnknown)
	m.Verification("fingerprint:9f86d081884c7d65", "maybe")
	m.Revocation("github", lifecycle.OutcomeSent)
	m.Revocation("github", lifecycle.OutcomeRevoked)
	m.Notification(ChannelEmail, NotificationSent)
	m.Notification(ChannelEmail, NotificationRetry)
	m.Notification("owner@example.com", NotificationSent)
	m.WebhookDelivery(webhook.SourceGitHub, webhook.OutcomeAccepted)
	m.WebhookDelivery(webhook.SourceGitHub, webhook.OutcomeUnauthorized)
	m.WebhookDelivery("bitbucket", webhook.OutcomeAccepted)
	m.SchedulerSkipped()
	m.Alert(AlertSourceGitHub, AlertIngested)
	m.Alert(AlertSourceGitHub, AlertResolved)
	m.Alert("contoso/app#42", "ghp_not-a-label")
	m.Contained(7 * time.Second)
	m.Contained(-time.Second)
}

func scriptedStore() *store {
	return &store{
		counts: map[lifecycle.State]int{
			lifecycle.StateDetected: 2, lifecycle.StateLive: 1, lifecycle.StateNotified: 4, "retired": 1,
		},
		oldest: now.Add(-90 * time.Second),
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	m, reg, _ := newMetrics(t, scriptedStore())
	script(m)
	golden := filepath.Join("testdata", "metrics.txt")
	if *update {
		b, err := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, patrolNames...)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := testutil.GatherAndCompare(reg, f, patrolNames...); err != nil {
		t.Error(err)
	}
}

func TestLint(t *testing.T) {
	t.Parallel()
	m, _, _ := newMetrics(t, scriptedStore())
	script(m)
	problems, err := testutil.CollectAndLint(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint %s: %s", p.Metric, p.Text)
	}
}

func TestBuildInfo(t *testing.T) {
	t.Parallel()
	_, reg, _ := newMetrics(t, &store{})
	want := `# HELP patrol_build_info Always 1; labelled with patrol's version and the Go version that built it.
# TYPE patrol_build_info gauge
patrol_build_info{goversion="` + runtime.Version() + `",version="v0.9.0-test"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "patrol_build_info"); err != nil {
		t.Error(err)
	}
}

// scrape serves m over loopback and parses the exposition.
func scrape(t *testing.T, m *Metrics) (map[string]*dto.MetricFamily, []byte) {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s\n%s", resp.Status, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return fams, body
}

// value returns the value of the series of name with exactly labels, and whether it exists.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if !maps.Equal(got, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func TestHandlerServesWhatHappened(t *testing.T) {
	t.Parallel()
	m, _, _ := newMetrics(t, scriptedStore())
	script(m)
	fams, _ := scrape(t, m)
	tests := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64
	}{
		{"scheduled scans", "patrol_scans_total", map[string]string{"trigger": "schedule", "outcome": "ok"}, 1},
		{"failed scans", "patrol_scans_total", map[string]string{"trigger": "schedule", "outcome": "error"}, 1},
		{"scans never run are 0", "patrol_scans_total", map[string]string{"trigger": "manual", "outcome": "canceled"}, 0},
		{"scan durations observed", "patrol_scan_duration_seconds", nil, 4},
		{"bytes", "patrol_scanned_bytes_total", nil, 2560},
		{"findings", "patrol_findings_total", map[string]string{"detector": "github-classic-pat", "provider": "github", "confidence": "checksum"}, 2},
		{"finding without provider", "patrol_findings_total", map[string]string{"detector": "private-key", "provider": "none", "confidence": "pattern"}, 1},
		{"verifications", "patrol_verifications_total", map[string]string{"provider": "github", "status": "live"}, 1},
		{"revocations", "patrol_revocations_total", map[string]string{"provider": "github", "outcome": "revocation_sent"}, 1},
		{"notifications", "patrol_notifications_total", map[string]string{"channel": "email", "outcome": "sent"}, 1},
		{"webhook deliveries", "patrol_webhook_deliveries_total", map[string]string{"source": "github", "outcome": "unauthorized"}, 1},
		{"repositories", "patrol_repositories", nil, 3},
		{"pipeline detected", "patrol_pipeline_findings", map[string]string{"state": "detected"}, 2},
		{"pipeline empty state is 0", "patrol_pipeline_findings", map[string]string{"state": "revoking"}, 0},
		{"pipeline unknown state", "patrol_pipeline_findings", map[string]string{"state": "other"}, 1},
		{"oldest scan age", "patrol_oldest_scan_age_seconds", nil, 90},
		{"containments", "patrol_time_to_containment_seconds", nil, 2},
		{"skips", "patrol_scheduler_skipped_total", nil, 1},
		{"go collector", "go_goroutines", nil, -1},
		{"process collector", "process_start_time_seconds", nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := value(fams, tt.metric, tt.labels)
			if !ok {
				t.Fatalf("%s%v not served", tt.metric, tt.labels)
			}
			if tt.want >= 0 && got != tt.want {
				t.Errorf("%s%v = %v, want %v", tt.metric, tt.labels, got, tt.want)
			}
		})
	}
}

// TestUnknownLabelValuesBecomeOther records values from outside every closed set (a
// repository, a fingerprint, a person) and checks each became "other" and none reached the
// exposition.
func TestUnknownLabelValuesBecomeOther(t *testing.T) {
	t.Parallel()
	const repo, fp, person = "https://github.com/acme/app.git", "9f86d081884c7d65", "owner@example.com"
	tests := []struct {
		name   string
		record func(m *Metrics)
		metric string
		labels map[string]string
	}{
		{"scan trigger and outcome", func(m *Metrics) { m.ScanDone(repo, fp, time.Second, 1) },
			"patrol_scans_total", map[string]string{"trigger": "other", "outcome": "other"}},
		{"finding detector, provider, confidence", func(m *Metrics) { m.Finding(repo, fp, person) },
			"patrol_findings_total", map[string]string{"detector": "other", "provider": "other", "confidence": "other"}},
		{"verification provider and status", func(m *Metrics) { m.Verification(repo, lifecycle.Verdict(fp)) },
			"patrol_verifications_total", map[string]string{"provider": "other", "status": "other"}},
		{"revocation provider and outcome", func(m *Metrics) { m.Revocation(person, lifecycle.Outcome(repo)) },
			"patrol_revocations_total", map[string]string{"provider": "other", "outcome": "other"}},
		{"notification channel and outcome", func(m *Metrics) { m.Notification(person, fp) },
			"patrol_notifications_total", map[string]string{"channel": "other", "outcome": "other"}},
		{"webhook source and outcome", func(m *Metrics) { m.WebhookDelivery(repo, person) },
			"patrol_webhook_deliveries_total", map[string]string{"source": "other", "outcome": "other"}},
		{"pipeline state", func(m *Metrics) {},
			"patrol_pipeline_findings", map[string]string{"state": "other"}},
		{"custom rule known by options", func(m *Metrics) { m.Finding("acme-internal-key", "", "pattern") },
			"patrol_findings_total", map[string]string{"detector": "acme-internal-key", "provider": "none", "confidence": "pattern"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			m, err := New(reg, Options{
				Detectors: []string{"acme-internal-key"},
				PipelineCounts: func(context.Context) (map[lifecycle.State]int, error) {
					return map[lifecycle.State]int{lifecycle.State(repo): 1}, nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			tt.record(m)
			fams, body := scrape(t, m)
			if got, ok := value(fams, tt.metric, tt.labels); !ok || got != 1 {
				t.Errorf("%s%v = %v (served %v), want 1", tt.metric, tt.labels, got, ok)
			}
			for _, v := range []string{repo, fp, person} {
				if bytes.Contains(body, []byte(v)) {
					t.Errorf("exposition contains %q", v)
				}
			}
		})
	}
}

// TestStoreErrorLeavesTheRestServed checks that a failing store call drops only its series,
// and is logged.
func TestStoreErrorLeavesTheRestServed(t *testing.T) {
	t.Parallel()
	s := scriptedStore()
	s.err = errors.New("database is locked")
	m, _, log := newMetrics(t, s)
	m.SetRepositories(2)
	fams, _ := scrape(t, m)
	if _, ok := fams["patrol_pipeline_findings"]; ok {
		t.Error("patrol_pipeline_findings served despite the store error")
	}
	if got, ok := value(fams, "patrol_repositories", nil); !ok || got != 2 {
		t.Errorf("patrol_repositories = %v (served %v), want 2", got, ok)
	}
	if !strings.Contains(log.String(), "database is locked") {
		t.Errorf("store error not logged:\n%s", log)
	}
}

func TestNoStoreFuncsLeaveSeriesOut(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	if _, err := New(reg, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(reg, "patrol_pipeline_findings", "patrol_oldest_scan_age_seconds"); n != 0 {
		t.Errorf("store series without store funcs: %d, want 0", n)
	}
	zero := scriptedStore()
	zero.oldest = time.Time{}
	_, reg2, _ := newMetrics(t, zero)
	if n := testutil.CollectAndCount(reg2, "patrol_oldest_scan_age_seconds"); n != 0 {
		t.Errorf("oldest scan age with no repository scanned: %d series, want 0", n)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	t.Run("nil registry", func(t *testing.T) {
		t.Parallel()
		if _, err := New(nil, Options{}); err == nil {
			t.Error("New(nil) succeeded")
		}
	})
	t.Run("twice on one registry", func(t *testing.T) {
		t.Parallel()
		reg := prometheus.NewRegistry()
		if _, err := New(reg, Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := New(reg, Options{}); err == nil {
			t.Error("second New on one registry succeeded")
		}
	})
	t.Run("runtime collectors already registered", func(t *testing.T) {
		t.Parallel()
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(collectors.NewGoCollector())
		if _, err := New(reg, Options{}); err != nil {
			t.Errorf("New with a Go collector present: %v", err)
		}
	})
}

// TestNilMetricsRecordsNothing: code paths shared with the CLI take an optional *Metrics.
func TestNilMetricsRecordsNothing(t *testing.T) {
	t.Parallel()
	var m *Metrics
	script(m)
}

// TestPromtool runs Prometheus' own linter over the served exposition when it is installed
// (Debian: apt-get install prometheus).
func TestPromtool(t *testing.T) {
	t.Parallel()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not on PATH")
	}
	m, _, _ := newMetrics(t, scriptedStore())
	script(m)
	_, body := scrape(t, m)
	cmd := exec.CommandContext(t.Context(), promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestWebhookCountsMatchDeliveries wires a webhook handler's Count to WebhookDelivery and
// checks the served counters against the requests sent.
func TestWebhookCountsMatchDeliveries(t *testing.T) {
	t.Parallel()
	m, _, _ := newMetrics(t, &store{})
	h, err := webhook.GitLab("patrol-test-gitlab-token", webhook.Options{
		OnPush: func(context.Context, webhook.Push) (bool, error) { return true, nil },
		Dedup:  func(context.Context, string, string) (bool, error) { return true, nil },
		Count:  m.WebhookDelivery,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for _, token := range []string{"forged", "", "patrol-test-gitlab-token"} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Gitlab-Event", "Issue Hook")
		if token != "" {
			req.Header.Set("X-Gitlab-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	fams, _ := scrape(t, m)
	for outcome, want := range map[string]float64{webhook.OutcomeUnauthorized: 2, webhook.OutcomeUnsupported: 1, webhook.OutcomeAccepted: 0} {
		labels := map[string]string{"source": webhook.SourceGitLab, "outcome": outcome}
		if got, ok := value(fams, "patrol_webhook_deliveries_total", labels); !ok || got != want {
			t.Errorf("patrol_webhook_deliveries_total%v = %v (served %v), want %v", labels, got, ok, want)
		}
	}
}
