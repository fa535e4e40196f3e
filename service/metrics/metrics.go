package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/patrolsec/patrol/lifecycle"
)

// Registry is where Metrics registers its collectors and what Handler serves;
// prometheus.NewRegistry() returns one.
type Registry interface {
	prometheus.Registerer
	prometheus.Gatherer
}

// Options configure New. The zero value is valid.
type Options struct {
	// Version is patrol's version, the version label of patrol_build_info; empty means
	// "unknown".
	Version string
	// Detectors are detector ids beyond the built-in ones (detectors.All and Generic): the
	// custom rules from the config that
	// patrol_findings_total may carry.
	Detectors []string
	// PipelineCounts returns how many stored findings are in each state; it is called at each
	// scrape for patrol_pipeline_findings. Nil leaves the series out.
	PipelineCounts func(ctx context.Context) (map[lifecycle.State]int, error)
	// OldestScan returns when the repository scanned longest ago was last scanned (a
	// repository never scanned counts from when it joined); it is called at each scrape for
	// patrol_oldest_scan_age_seconds. Nil, or a zero time (no repository yet), leaves the
	// series out.
	OldestScan func(ctx context.Context) (time.Time, error)
	// Queue returns the job queue's counts by kind and state and whether this replica is the
	// queue's leader; it is called at each scrape for patrol_queue_jobs and patrol_leader.
	// Nil leaves both out.
	Queue func(ctx context.Context) (QueueStats, error)
	// ScrapeTimeout bounds each call of PipelineCounts, OldestScan and Queue; zero means 5s.
	ScrapeTimeout time.Duration
	// Now is the clock of patrol_oldest_scan_age_seconds; nil means time.Now.
	Now func() time.Time
	// Log receives scrape and recording errors; nil discards.
	Log *slog.Logger
}

// Metrics records patrol's work as Prometheus series. Create it with New.
type Metrics struct {
	reg   Registry
	o     Options
	log   *slog.Logger
	names labelSets

	buildInfo        prometheus.Gauge
	scans            *prometheus.CounterVec
	scanDuration     prometheus.Histogram
	scannedBytes     prometheus.Counter
	findings         *prometheus.CounterVec
	verifications    *prometheus.CounterVec
	revocations      *prometheus.CounterVec
	notifications    *prometheus.CounterVec
	webhooks         *prometheus.CounterVec
	repositories     prometheus.Gauge
	containment      prometheus.Histogram
	schedulerSkipped prometheus.Counter
	jobs             *prometheus.CounterVec
	alerts           *prometheus.CounterVec
	pipeline         *prometheus.Desc
	oldestAge        *prometheus.Desc
	queueJobs        *prometheus.Desc
	leader           *prometheus.Desc
}

// QueueStats is what Options.Queue reports of the job queue.
type QueueStats struct {
	// Jobs counts the jobs of each kind (a Job* constant) in each River state (available,
	// scheduled, running, retryable, completed, discarded, cancelled, pending).
	Jobs map[JobKey]int
	// Leader is true when this replica is the queue's elected leader (it inserts the
	// periodic jobs and runs River's maintenance).
	Leader bool
}

// JobKey is one (kind, state) pair of QueueStats.Jobs.
type JobKey struct{ Kind, State string }

// Histogram buckets, in seconds.
var (
	// scanBuckets span an unchanged repository's incremental scan (well under a second) to a
	// first full-history scan of a large one (an hour).
	scanBuckets = []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}
	// containmentBuckets span a webhook-driven revocation (target: under 10 s) to Azure
	// DevOps' confirmation window (up to an hour) and a scheduled sweep's lag.
	containmentBuckets = []float64{1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600}
)

// New builds the metrics and registers them, with the Go runtime and process collectors, on
// reg. The Go and process collectors may already be registered there.
func New(reg Registry, o Options) (*Metrics, error) {
	if reg == nil {
		return nil, errors.New("metrics: nil registry")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ScrapeTimeout <= 0 {
		o.ScrapeTimeout = 5 * time.Second
	}
	if o.Version == "" {
		o.Version = "unknown"
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{reg: reg, o: o, log: log, names: newLabelSets(o.Detectors)}
	m.buildInfo = prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "patrol_build_info",
		Help:        "Always 1; labelled with patrol's version and the Go version that built it.",
		ConstLabels: prometheus.Labels{"version": o.Version, "goversion": runtime.Version()},
	})
	m.buildInfo.Set(1)
	m.scans = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "patrol_scans_total",
		Help: "Repository scans finished, by trigger (schedule, sweep, webhook, manual) and outcome (ok, error, canceled).",
	}, []string{"trigger", "outcome"})
	m.scanDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "patrol_scan_duration_seconds",
		Help:    "Wall time of one repository scan, fetch included.",
		Buckets: scanBuckets,
	})
	m.scannedBytes = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "patrol_scanned_bytes_total",
		Help: "Bytes of blob content the scans read.",
	})
	m.findings = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "patrol_findings_total",
		Help: "Findings recorded by scans, by detector id (the registry's and the configured custom rules'), " +
			"the provider the detector names (none when patrol has none) and confidence (checksum, pattern, generic).",
	}, []string{"detector", "provider", "confidence"})
	m.verifications = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "patrol_verifications_total",
		Help: "Live checks with the issuing provider, by provider and status (live, dead, unknown).",
	}, []string{"provider", "status"})
	m.revocations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "patrol_revocations_total",
		Help: "Revocation steps, by provider and outcome (revoked, revocation_sent, failed, skipped, dry_run).",
	}, []string{"provider", "outcome"})
	m.notifications = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "patrol_notifications_total",
		Help: "Messages to token owners and the security team, by channel (email) and outcome (sent, retry, failed).",
	}, []string{"channel", "outcome"})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "patrol_webhook_deliveries_total",
		Help: "Webhook requests, by source (github, gitlab, azuredevops) and outcome (accepted, ignored, duplicate, " +
			"ping, unsupported_event, unauthorized, bad_request, too_large, error).",
	}, []string{"source", "outcome"})
	m.repositories = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "patrol_repositories",
		Help: "Repositories the service watches, after the last enumeration.",
	})
	m.containment = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "patrol_time_to_containment_seconds",
		Help:    "From the push (or the detection) of a live token to revoked, confirmed dead and owner notified.",
		Buckets: containmentBuckets,
	})
	m.schedulerSkipped = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "patrol_scheduler_skipped_total",
		Help: "Scheduled scans skipped because the previous scan of the same repository was still running.",
	})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "patrol_jobs_total",
		Help: "Jobs this replica worked, by kind (patrol_scan, patrol_tick, patrol_sweep, patrol_pipeline, patrol_finding, " +
			"patrol_alert, patrol_alert_poll, patrol_alert_resolve) " +
			"and outcome (ok, error, snoozed).",
	}, []string{"kind", "outcome"})
	m.alerts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "patrol_alerts_total",
		Help: "Code hosts' secret-scanning alerts handled, by source (github, azuredevops) and outcome (ingested, duplicate, " +
			"unknown_type, resolved, left_open, resolve_failed).",
	}, []string{"source", "outcome"})
	m.queueJobs = prometheus.NewDesc("patrol_queue_jobs",
		"Jobs in the queue's table, by kind and River state (available, scheduled, running, retryable, completed, "+
			"discarded, cancelled, pending): the backlog is available+scheduled+retryable.",
		[]string{"kind", "state"}, nil)
	m.leader = prometheus.NewDesc("patrol_leader",
		"1 when this replica is the job queue's elected leader (it schedules the periodic jobs), else 0.", nil, nil)
	m.pipeline = prometheus.NewDesc("patrol_pipeline_findings",
		"Stored findings in each pipeline state (detected, unknown, live, dead, skipped, not_revoked, revoking, "+
			"revoke_failed, revocation_sent, unconfirmed, confirmed_dead, notified).",
		[]string{"state"}, nil)
	m.oldestAge = prometheus.NewDesc("patrol_oldest_scan_age_seconds",
		"Time since the repository scanned longest ago was last scanned.", nil, nil)
	m.initSeries()

	if err := reg.Register(m); err != nil {
		return nil, fmt.Errorf("register patrol metrics: %w", err)
	}
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			if _, ok := errors.AsType[prometheus.AlreadyRegisteredError](err); !ok {
				return nil, fmt.Errorf("register runtime metrics: %w", err)
			}
		}
	}
	return m, nil
}

// initSeries exports 0 for every series of the small closed sets, so that rates and alerts
// see a series before its first event. Findings are left out: detectors × confidences is too
// many series to carry at zero.
func (m *Metrics) initSeries() {
	n := m.names
	for _, t := range n.trigger.values {
		for _, o := range n.scanOutcome.values {
			m.scans.WithLabelValues(t, o)
		}
	}
	for _, p := range n.provider.values {
		for _, s := range n.status.values {
			m.verifications.WithLabelValues(p, s)
		}
		for _, o := range n.revocation.values {
			m.revocations.WithLabelValues(p, o)
		}
	}
	for _, c := range n.channel.values {
		for _, o := range n.notification.values {
			m.notifications.WithLabelValues(c, o)
		}
	}
	for _, s := range n.source.values {
		for _, o := range n.delivery.values {
			m.webhooks.WithLabelValues(s, o)
		}
	}
	for _, k := range n.jobKind.values {
		for _, o := range n.jobOutcome.values {
			m.jobs.WithLabelValues(k, o)
		}
	}
	for _, s := range n.alertSource.values {
		for _, o := range n.alertOutcome.values {
			m.alerts.WithLabelValues(s, o)
		}
	}
}

// own are the collectors Metrics is made of.
func (m *Metrics) own() []prometheus.Collector {
	return []prometheus.Collector{m.buildInfo, m.scans, m.scanDuration, m.scannedBytes, m.findings,
		m.verifications, m.revocations, m.notifications, m.webhooks, m.repositories, m.containment,
		m.schedulerSkipped, m.jobs, m.alerts}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.own() {
		c.Describe(ch)
	}
	ch <- m.pipeline
	ch <- m.oldestAge
	ch <- m.queueJobs
	ch <- m.leader
}

// Collect implements prometheus.Collector. It reads the pipeline counts and the oldest scan
// from the store through Options, each bounded by ScrapeTimeout; a failure is logged and
// reported to the scrape as an invalid metric for that series alone.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.own() {
		c.Collect(ch)
	}
	if m.o.PipelineCounts != nil {
		m.collectPipeline(ch)
	}
	if m.o.OldestScan != nil {
		m.collectOldest(ch)
	}
	if m.o.Queue != nil {
		m.collectQueue(ch)
	}
}

func (m *Metrics) collectQueue(ch chan<- prometheus.Metric) {
	var st QueueStats
	if !m.fromStore(ch, m.queueJobs, "job queue", func(ctx context.Context) (err error) {
		st, err = m.o.Queue(ctx)
		return err
	}) {
		return
	}
	counts := map[JobKey]int{}
	for _, k := range m.names.jobKind.values {
		for _, s := range m.names.jobState.values {
			counts[JobKey{k, s}] = 0
		}
	}
	for key, n := range st.Jobs {
		counts[JobKey{m.names.jobKind.clamp(key.Kind), m.names.jobState.clamp(key.State)}] += n
	}
	for key, n := range counts {
		if n == 0 && (key.Kind == Other || key.State == Other) {
			continue
		}
		ch <- prometheus.MustNewConstMetric(m.queueJobs, prometheus.GaugeValue, float64(n), key.Kind, key.State)
	}
	leader := 0.0
	if st.Leader {
		leader = 1
	}
	ch <- prometheus.MustNewConstMetric(m.leader, prometheus.GaugeValue, leader)
}

// fromStore runs one store read of a scrape, bounded by ScrapeTimeout. A failure is logged and
// reported to the scrape as an invalid metric of desc; it returns false then.
func (m *Metrics) fromStore(ch chan<- prometheus.Metric, desc *prometheus.Desc, what string, read func(ctx context.Context) error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), m.o.ScrapeTimeout)
	defer cancel()
	if err := read(ctx); err != nil {
		m.log.Error("read "+what+" for metrics", "err", err)
		ch <- prometheus.NewInvalidMetric(desc, fmt.Errorf("read %s: %w", what, err))
		return false
	}
	return true
}

func (m *Metrics) collectPipeline(ch chan<- prometheus.Metric) {
	var counts map[lifecycle.State]int
	if !m.fromStore(ch, m.pipeline, "pipeline counts", func(ctx context.Context) (err error) {
		counts, err = m.o.PipelineCounts(ctx)
		return err
	}) {
		return
	}
	byLabel := map[string]int{}
	for _, s := range lifecycle.States() {
		byLabel[string(s)] = 0
	}
	for s, n := range counts {
		byLabel[m.names.state.clamp(string(s))] += n
	}
	for state, n := range byLabel {
		if state == Other && n == 0 {
			continue
		}
		ch <- prometheus.MustNewConstMetric(m.pipeline, prometheus.GaugeValue, float64(n), state)
	}
}

func (m *Metrics) collectOldest(ch chan<- prometheus.Metric) {
	var oldest time.Time
	if !m.fromStore(ch, m.oldestAge, "oldest scan", func(ctx context.Context) (err error) {
		oldest, err = m.o.OldestScan(ctx)
		return err
	}) || oldest.IsZero() {
		return
	}
	age := max(m.o.Now().Sub(oldest), 0)
	ch <- prometheus.MustNewConstMetric(m.oldestAge, prometheus.GaugeValue, age.Seconds())
}

// Handler serves the registry in the Prometheus exposition format. A collector that fails
// (the store unreachable) is logged and left out; the rest is served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      errorLog{m.log},
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// errorLog hands promhttp's errors to slog.
type errorLog struct{ log *slog.Logger }

func (e errorLog) Println(v ...any) { e.log.Error("serve metrics", "err", fmt.Sprint(v...)) }

// ScanDone records a finished repository scan: its trigger (TriggerSchedule, TriggerSweep,
// TriggerWebhook, TriggerManual), outcome (ScanOK, ScanError, ScanCanceled), wall time and
// the bytes of blob content it read.
func (m *Metrics) ScanDone(trigger, outcome string, d time.Duration, bytes int64) {
	if m == nil {
		return
	}
	m.scans.WithLabelValues(m.names.trigger.clamp(trigger), m.names.scanOutcome.clamp(outcome)).Inc()
	m.scanDuration.Observe(max(d, 0).Seconds())
	if bytes < 0 {
		m.log.Warn("negative scanned byte count not recorded", "bytes", bytes)
		return
	}
	m.scannedBytes.Add(float64(bytes))
}

// Finding records a finding a scan stored: its detector id, the provider the detector names
// ("" for none) and its confidence (detectors.ConfidenceChecksum, ConfidencePattern or
// ConfidenceGeneric).
func (m *Metrics) Finding(detector, provider, confidence string) {
	if m == nil {
		return
	}
	if provider == "" {
		provider = NoProvider
	}
	m.findings.WithLabelValues(m.names.detector.clamp(detector), m.names.findingProvider.clamp(provider),
		m.names.confidence.clamp(confidence)).Inc()
}

// Verification records a live check's verdict.
func (m *Metrics) Verification(provider string, v lifecycle.Verdict) {
	if m == nil {
		return
	}
	m.verifications.WithLabelValues(m.names.provider.clamp(provider), m.names.status.clamp(string(v))).Inc()
}

// Revocation records the outcome of a revocation step.
func (m *Metrics) Revocation(provider string, o lifecycle.Outcome) {
	if m == nil {
		return
	}
	m.revocations.WithLabelValues(m.names.provider.clamp(provider), m.names.revocation.clamp(string(o))).Inc()
}

// Notification records a message send: channel ChannelEmail, outcome NotificationSent (a
// server accepted it), NotificationRetry (it will be tried again) or NotificationFailed
// (given up).
func (m *Metrics) Notification(channel, outcome string) {
	if m == nil {
		return
	}
	m.notifications.WithLabelValues(m.names.channel.clamp(channel), m.names.notification.clamp(outcome)).Inc()
}

// WebhookDelivery records one webhook request, with the source and outcome words of package
// webhook; it is the webhook handlers' Count.
func (m *Metrics) WebhookDelivery(source, outcome string) {
	if m == nil {
		return
	}
	m.webhooks.WithLabelValues(m.names.source.clamp(source), m.names.delivery.clamp(outcome)).Inc()
}

// SetRepositories sets how many repositories the service watches.
func (m *Metrics) SetRepositories(n int) {
	if m == nil {
		return
	}
	m.repositories.Set(float64(n))
}

// SchedulerSkipped records a scheduled scan skipped because the repository's previous scan
// was still running.
func (m *Metrics) SchedulerSkipped() {
	if m == nil {
		return
	}
	m.schedulerSkipped.Inc()
}

// Contained records the time from a live token's push (or detection) to revoked, confirmed
// dead and owner notified. A negative duration (clocks apart) counts as 0.
func (m *Metrics) Contained(d time.Duration) {
	if m == nil {
		return
	}
	m.containment.Observe(max(d, 0).Seconds())
}

// JobDone records a job this replica worked: its kind (a Job* constant) and outcome
// (JobOK, JobError, JobSnoozed).
func (m *Metrics) JobDone(kind, outcome string) {
	if m == nil {
		return
	}
	m.jobs.WithLabelValues(m.names.jobKind.clamp(kind), m.names.jobOutcome.clamp(outcome)).Inc()
}

// Alert records one secret-scanning alert handled: its source (AlertSourceGitHub,
// AlertSourceAzureDevOps) and outcome (an Alert* outcome constant).
func (m *Metrics) Alert(source, outcome string) {
	if m == nil {
		return
	}
	m.alerts.WithLabelValues(m.names.alertSource.clamp(source), m.names.alertOutcome.clamp(outcome)).Inc()
}
