package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/sync/singleflight"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/scanner/scan"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/service/alerts"
	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/service/targets"
	"github.com/patrolsec/patrol/store"
)

// Target is one configured source of repositories and how to scan them.
type Target struct {
	// Lister enumerates the target's repositories.
	Lister targets.Lister
	// Schedule is the target's cron spec; empty means Options.Schedule.
	Schedule string
	// Token authenticates clones and fetches of the target's https repositories.
	Token secret.Token
	// Alerts, when set, reads and resolves the GitHub secret-scanning alerts of the target's
	// organization or user (alerts.go); Options.FingerprintKey is then required.
	Alerts *alerts.GitHub
}

// Webhooks are the credentials of the push webhooks; a source with none is not served.
type Webhooks struct {
	GitHubSecret        []byte
	GitLabToken         string
	AzureDevOpsUser     string
	AzureDevOpsPassword string
}

// Options configure a Service.
type Options struct {
	// Store is the state store; Backend the same database, where River keeps its jobs.
	Store   store.Store
	Backend Backend
	// Pipeline takes findings from detected to notified; its Tokens must read back from
	// CloneDir (pipeline.Rescan over Engine).
	Pipeline *pipeline.Pipeline
	// Engine scans; it must use the fingerprint key the store's findings were made with.
	Engine *scanner.Engine
	// FingerprintKey is Engine's fingerprint key: an alert whose value no detector matches
	// is fingerprinted with the detector its secret type names (service/alerts).
	FingerprintKey []byte
	// Targets are what is watched.
	Targets []Target
	// CloneDir holds one mirror per repository.
	CloneDir string
	// Workers bounds the jobs run at once; Schedule is the default cron spec of targets, Sweep
	// the spec of re-enumeration.
	Workers         int
	Schedule, Sweep string
	// Jitter spreads the scans of one tick over this window (default: a minute), so that
	// thousands of repositories on one schedule do not start in the same second.
	Jitter time.Duration
	// MaxBlobSize skips bigger blobs (counted); zero means the scanner's default.
	MaxBlobSize int64
	// MaxArchiveDepth is scan.Request.MaxArchiveDepth.
	MaxArchiveDepth int
	// Webhooks authenticates push deliveries.
	Webhooks Webhooks
	// Metrics records what happens; nil records nothing.
	Metrics *metrics.Metrics
	// PipelineEvery is how often due findings and messages are advanced (default 5s); Poll
	// how often idle workers look for jobs (default 200ms).
	PipelineEvery, Poll time.Duration
	// ScanTimeout bounds one scan (default 2h); a scan whose replica died is taken over an
	// hour after it.
	ScanTimeout time.Duration
	// PollOnly: see QueueOptions.
	PollOnly bool
	// AlertRetry: see QueueOptions.
	AlertRetry time.Duration
	// Logger receives the service's log; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// repository is one repository being watched.
type repository struct {
	targets.Repository
	schedule string
	token    secret.Token
	joined   time.Time // when the service first listed it
}

// Service runs the jobs of patrol serve.
type Service struct {
	o       Options
	log     *slog.Logger
	queue   *Queue
	audited store.Store // o.Store, observed: the rows the service writes itself are counted

	mu      sync.Mutex
	lists   [][]targets.Repository // the last good listing of each target
	listed  time.Time              // when the last enumeration finished; zero before the first
	repos   map[string]*repository // by Key
	byURL   map[string]string      // normalized clone URL → Key, for webhooks
	running map[string]bool        // keys being scanned by this replica
	started bool
	cron    *cron.Cron         // this replica's own enumerations
	listing singleflight.Group // one enumeration at a time
}

// DefaultAlertPoll is how often the open alerts are listed when there is no sweep schedule.
const DefaultAlertPoll = "@hourly"

// ErrBusy is returned by Scan when the repository is being scanned already; the queue runs
// the job again a little later.
var ErrBusy = errors.New("repository is being scanned")

// New builds a Service; Start or Once runs it.
func New(o Options) (*Service, error) {
	if o.Store == nil || o.Pipeline == nil || o.Engine == nil {
		return nil, errors.New("service: store, pipeline and engine are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers < 1 {
		o.Workers = 1
	}
	if o.Jitter <= 0 {
		o.Jitter = time.Minute
	}
	for _, t := range o.Targets {
		if t.Alerts != nil && len(o.FingerprintKey) == 0 {
			return nil, errors.New("service: a target reads secret-scanning alerts: the fingerprint key is required")
		}
	}
	for _, spec := range append([]string{o.Schedule, o.Sweep}, schedules(o.Targets, "")...) {
		if spec == "" {
			continue
		}
		if _, err := ParseSchedule(spec); err != nil {
			return nil, err
		}
	}
	return &Service{o: o, log: o.Logger, audited: Observe(o.Store, o.Metrics, o.Now),
		repos: map[string]*repository{}, byURL: map[string]string{}, running: map[string]bool{}}, nil
}

// schedules returns the distinct schedules of the targets (def for those without one).
func schedules(ts []Target, def string) []string {
	var out []string
	for _, t := range ts {
		s := t.Schedule
		if s == "" {
			s = def
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Start opens the job queue in the store's database and starts it: periodic ticks of every
// schedule, the sweep (run at once), the pipeline's retry worker, each inserted by the queue's
// leader only, and worked by whichever replica takes them. Every replica also lists the
// targets itself, now and on the sweep's schedule, so that it knows the repositories whose
// jobs it takes.
//
// Jobs run with ctx's values but not its cancellation: Stop ends the queue, letting running
// jobs finish first. (River cancels every running job at once when its start context ends,
// so a SIGTERM context given here would cut them off before shutdown_timeout.)
func (s *Service) Start(ctx context.Context) error {
	var alertPoll string
	if s.readsAlerts() {
		alertPoll = cmp.Or(s.o.Sweep, DefaultAlertPoll)
	}
	q, err := OpenQueue(ctx, s.o.Backend, s, QueueOptions{
		Workers: s.o.Workers, Schedules: schedules(s.o.Targets, s.o.Schedule), Sweep: s.o.Sweep,
		PipelineEvery: s.o.PipelineEvery, Poll: s.o.Poll, ScanTimeout: s.o.ScanTimeout, PollOnly: s.o.PollOnly,
		AlertPoll: alertPoll, AlertRetry: s.o.AlertRetry, Metrics: s.o.Metrics, Logger: s.log,
	})
	if err != nil {
		return err
	}
	bg := context.WithoutCancel(ctx)
	if err := q.Start(bg); err != nil {
		q.Stop(context.Background())
		return fmt.Errorf("start job queue: %w", err)
	}
	c := cron.New()
	if s.o.Sweep != "" {
		sched, err := ParseSchedule(s.o.Sweep)
		if err != nil {
			q.Stop(context.Background())
			return err
		}
		c.Schedule(sched, cron.FuncJob(func() { s.refresh(bg) }))
	}
	c.Start()
	s.mu.Lock()
	s.queue, s.started, s.cron = q, true, c
	s.mu.Unlock()
	if s.o.Sweep != "" {
		go s.refresh(bg) // the sweep job may run on another replica
	}
	return nil
}

// refresh lists the targets unless another enumeration (the sweep job's, on this replica)
// finished less than a minute ago.
func (s *Service) refresh(ctx context.Context) {
	s.mu.Lock()
	recent := !s.listed.IsZero() && s.o.Now().Sub(s.listed) < time.Minute
	s.mu.Unlock()
	if recent {
		return
	}
	_ = s.enumerate(ctx) // logged there
}

// enumerate lists every target and replaces the set of watched repositories; a call while
// another runs waits for that one and shares its result (the sweep job and this replica's own
// refresh at start). A target whose listing fails keeps its previous repositories (a failed
// page must not look like deleted repositories); the error is logged and returned.
func (s *Service) enumerate(ctx context.Context) error {
	_, err, _ := s.listing.Do("", func() (any, error) { return nil, s.list(ctx) })
	return err
}

// Queue returns the running job queue, or nil before Start and after Stop.
func (s *Service) Queue() *Queue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queue
}

// Stop stops taking jobs and lets running ones finish until ctx is done; the rest are
// cancelled and run again after a restart (their cursors did not move).
func (s *Service) Stop(ctx context.Context) error {
	s.mu.Lock()
	q, c := s.queue, s.cron
	s.queue, s.started, s.cron = nil, false, nil
	s.mu.Unlock()
	if c != nil {
		<-c.Stop().Done()
	}
	if q == nil {
		return nil
	}
	return q.Stop(ctx)
}

// Ready reports whether the scheduler runs and the store answers.
func (s *Service) Ready(ctx context.Context) error {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		return errors.New("scheduler not started")
	}
	if _, err := s.o.Store.Cursors(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Once enumerates every target and scans every repository once, takes the open
// secret-scanning alerts in, then advances the pipeline until nothing is due now and
// resolves the alerts whose token is dead: patrol serve --once, for a CronJob.
func (s *Service) Once(ctx context.Context) error {
	if err := s.enumerate(ctx); err != nil {
		return err
	}
	keys := s.keys()
	sem := make(chan struct{}, s.o.Workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, k := range keys {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.Scan(ctx, ScanArgs{Repository: k, Trigger: TriggerOnce}); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if s.readsAlerts() {
		// Take the open alerts in (each through the pipeline at once) …
		if err := s.AlertPoll(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.Pipeline(ctx); err != nil {
		errs = append(errs, err)
	}
	if s.readsAlerts() {
		// … and, without a job queue, resolve those whose token is dead by now: a poll
		// resolves the open alerts of dead tokens on the spot.
		if err := s.AlertPoll(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// keys returns the keys of the watched repositories, sorted.
func (s *Service) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.repos))
	for k := range s.repos {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// list lists every target: see enumerate.
func (s *Service) list(ctx context.Context) error {
	var errs []error
	s.mu.Lock()
	if s.lists == nil {
		s.lists = make([][]targets.Repository, len(s.o.Targets))
	}
	lists := slices.Clone(s.lists)
	prevRepos := s.repos
	s.mu.Unlock()
	for i, t := range s.o.Targets {
		repos, err := t.Lister.List(ctx)
		if err != nil {
			s.log.ErrorContext(ctx, "enumerate target; keeping its previous repositories", "target", fmt.Sprint(t.Lister), "err", err.Error())
			errs = append(errs, err)
			continue
		}
		lists[i] = repos
	}
	next := map[string]*repository{}
	byURL := map[string]string{}
	for i, t := range s.o.Targets {
		sched := t.Schedule
		if sched == "" {
			sched = s.o.Schedule
		}
		for _, r := range lists[i] {
			if next[r.Key] != nil {
				continue // listed by two targets: the first one's schedule and token
			}
			joined := s.o.Now()
			if old := prevRepos[r.Key]; old != nil {
				joined = old.joined
			}
			next[r.Key] = &repository{Repository: r, schedule: sched, token: t.Token, joined: joined}
			byURL[normalizeURL(r.Key)] = r.Key
			if r.CloneURL != "" {
				byURL[normalizeURL(r.CloneURL)] = r.Key
			}
		}
	}
	s.mu.Lock()
	s.lists, s.repos, s.byURL = lists, next, byURL
	if len(errs) < len(s.o.Targets) || len(s.o.Targets) == 0 {
		s.listed = s.o.Now() // at least one target listed: the repositories are known
	}
	s.mu.Unlock()
	s.o.Metrics.SetRepositories(len(next))
	s.log.InfoContext(ctx, "targets enumerated", "repositories", len(next), "before", len(prevRepos))
	return errors.Join(errs...)
}

// normalizeURL makes the clone URL of a configured repository and the one a webhook payload
// names comparable: lower-case scheme and host, no user, no ".git", no trailing slash.
func normalizeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return filepath.Clean(raw)
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), ".git")
	return u.String()
}

// Tick enqueues the scans of every repository on schedule, each at the tick plus its jitter.
// A scan job that finds its repository still being scanned (by any replica) when it runs is
// skipped and counted (patrol_scheduler_skipped_total).
func (s *Service) Tick(ctx context.Context, schedule string, at time.Time) error {
	s.mu.Lock()
	if s.listed.IsZero() {
		s.mu.Unlock()
		return ErrNotReady
	}
	var due []string
	for k, r := range s.repos {
		if r.schedule == schedule {
			due = append(due, k)
		}
	}
	q := s.queue
	s.mu.Unlock()
	if q == nil {
		return errors.New("tick: job queue not started")
	}
	slices.Sort(due)
	var errs []error
	for _, k := range due {
		if _, err := q.EnqueueScan(ctx, ScanArgs{Repository: k, Trigger: TriggerSchedule, Tick: at.UTC()}, at.Add(s.jitter(k))); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// jitter is a repository's fixed offset within the jitter window: the window grows with the
// number of repositories (50ms each) up to Options.Jitter, so that a few repositories start
// at once and thousands spread out.
func (s *Service) jitter(key string) time.Duration {
	s.mu.Lock()
	n := len(s.repos)
	s.mu.Unlock()
	window := min(s.o.Jitter, time.Duration(n)*50*time.Millisecond)
	if window <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return time.Duration(h.Sum64() % uint64(window))
}

// Sweep re-enumerates the targets and queues a scan of every repository (new ones get their
// first, full scan; the others fetch and compare ref tips, which costs a fetch when nothing
// changed).
func (s *Service) Sweep(ctx context.Context) error {
	err := s.enumerate(ctx)
	s.mu.Lock()
	q := s.queue
	s.mu.Unlock()
	if q == nil {
		return err
	}
	now := s.o.Now().UTC().Truncate(time.Second)
	for _, k := range s.keys() {
		if _, qerr := q.EnqueueScan(ctx, ScanArgs{Repository: k, Trigger: TriggerSweep, Tick: now}, now.Add(s.jitter(k))); qerr != nil {
			err = errors.Join(err, qerr)
		}
	}
	return err
}

// Pipeline advances every due finding (retries, confirmations, recoveries) and delivers due
// messages.
func (s *Service) Pipeline(ctx context.Context) error {
	for {
		n, err := s.o.Pipeline.RunDue(ctx, 100)
		if err != nil {
			s.log.WarnContext(ctx, "pipeline step", "err", err.Error())
		}
		if n < 100 || ctx.Err() != nil {
			break
		}
	}
	return s.o.Pipeline.Deliver(ctx)
}

// Scan fetches a repository's mirror, scans what its cursor has not seen, records the
// findings and the new cursor in one transaction, and takes the new findings through the
// pipeline at once.
func (s *Service) Scan(ctx context.Context, a ScanArgs) error {
	s.mu.Lock()
	r := s.repos[a.Repository]
	if r == nil {
		listed := !s.listed.IsZero()
		s.mu.Unlock()
		if !listed {
			return ErrNotReady
		}
		s.log.InfoContext(ctx, "scan of a repository no longer watched: dropped", "repo", a.Repository)
		return nil
	}
	busy := func() error {
		if a.Trigger == TriggerSchedule || a.Trigger == TriggerSweep {
			s.o.Metrics.SchedulerSkipped()
			s.log.InfoContext(ctx, "repository being scanned; scheduled scan skipped", "repo", a.Repository)
			return nil
		}
		return ErrBusy
	}
	if s.running[a.Repository] {
		s.mu.Unlock()
		return busy()
	}
	s.running[a.Repository] = true
	q := s.queue
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, a.Repository)
		s.mu.Unlock()
	}()
	if q != nil {
		// Another replica may be scanning it: one scan of a repository at a time.
		unlock, ok, err := q.TryLock(ctx, a.Repository)
		if err != nil {
			return fmt.Errorf("scan %s: %w", a.Repository, err)
		}
		if !ok {
			return busy()
		}
		defer unlock()
	}

	start := time.Now()
	res, err := s.scan(ctx, r)
	outcome := metrics.ScanOK
	switch {
	case ctx.Err() != nil:
		outcome = metrics.ScanCanceled
	case err != nil:
		outcome = metrics.ScanError
	}
	s.o.Metrics.ScanDone(a.Trigger, outcome, time.Since(start), res.Stats.Bytes)
	if err != nil {
		s.log.ErrorContext(ctx, "scan", "repo", r.Key, "trigger", a.Trigger, "err", err.Error())
		return fmt.Errorf("scan %s: %w", r.Key, err)
	}
	s.log.InfoContext(ctx, "scanned", "repo", r.Key, "trigger", a.Trigger, "blobs", res.Stats.Chunks,
		"bytes", res.Stats.Bytes, "findings", len(res.Findings), "elapsed", time.Since(start).Round(time.Millisecond).String())
	if len(res.Findings) == 0 {
		return nil
	}
	// This replica has the mirror the tokens are read back from: it takes the new findings
	// through the pipeline now. The finding jobs queued with them are the fallback, due a
	// little later, should this replica die first; they find nothing left to do otherwise.
	if err := s.o.Pipeline.Drain(ctx, fingerprints(res.Findings), s.o.Now()); err != nil {
		s.log.WarnContext(ctx, "pipeline after scan; the retry worker takes it from here", "repo", r.Key, "err", err.Error())
	}
	return nil
}

// scan runs one incremental scan of r and records it.
func (s *Service) scan(ctx context.Context, r *repository) (scan.Result, error) {
	cur, err := s.o.Store.Cursor(ctx, r.Key)
	if err != nil {
		return scan.Result{}, err
	}
	target := r.CloneURL
	if target == "" {
		target = r.Key // a path target
	}
	res, err := scan.Run(ctx, scan.Request{
		Target: target, Mode: scan.Git, Cursor: cur.Refs, CloneDir: s.o.CloneDir, Token: r.token,
		MaxBlobSize: s.o.MaxBlobSize, MaxArchiveDepth: s.o.MaxArchiveDepth, Engine: s.o.Engine, Logger: s.log,
		SkipBlobs: func(ctx context.Context, ids []string) (map[string]bool, error) {
			return s.o.Store.Scanned(ctx, r.Key, ids)
		},
	})
	if err != nil {
		return res, err
	}
	if len(res.Stats.Errors) > 0 {
		return res, fmt.Errorf("%d blobs could not be read (first: %w); the cursor stays", len(res.Stats.Errors), res.Stats.Errors[0])
	}
	for _, f := range res.Findings {
		s.o.Metrics.Finding(f.DetectorID, f.Provider, string(f.Confidence))
	}
	complete := completerFrom(ctx)
	_, err = s.o.Pipeline.Record(ctx, res.Findings, func(tx store.Store) error {
		if err := tx.SaveCursor(ctx, store.Cursor{Repository: r.Key, Refs: res.Tips, ScannedAt: s.o.Now()}); err != nil {
			return err
		}
		if err := tx.MarkScanned(ctx, r.Key, res.Blobs); err != nil {
			return err
		}
		if complete != nil {
			return complete(ctx, tx, fingerprints(res.Findings))
		}
		return nil
	})
	return res, err
}

// fingerprints returns the distinct fingerprints of fs, in order.
func fingerprints(fs []scanner.Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Fingerprint) {
			out = append(out, f.Fingerprint)
		}
	}
	return out
}

// Finding takes one finding as far through the pipeline as it can go now: the job a scan
// queues per finding it records.
func (s *Service) Finding(ctx context.Context, fingerprint string) error {
	return s.o.Pipeline.Drain(ctx, []string{fingerprint}, s.o.Now())
}

// FetchMirror brings this replica's mirror of a watched repository up to date, for a step
// that must read a token back from a repository another replica scanned
// (pipeline.Rescan.Fetch). A repository no target lists is refused.
func (s *Service) FetchMirror(ctx context.Context, repo string) error {
	s.mu.Lock()
	var r *repository
	if key, ok := s.byURL[normalizeURL(repo)]; ok {
		r = s.repos[key]
	}
	s.mu.Unlock()
	if r == nil {
		return fmt.Errorf("fetch %s: not a watched repository", git.RedactText(repo))
	}
	_, err := git.Mirror(ctx, git.GitOptions{Repo: repo, CloneDir: s.o.CloneDir, Token: r.token, Logger: s.log})
	return err
}

// OldestScan returns when the watched repository scanned longest ago was last scanned; a
// repository never scanned counts from when the service first listed it.
func (s *Service) OldestScan(ctx context.Context) (time.Time, error) {
	cs, err := s.o.Store.Cursors(ctx)
	if err != nil {
		return time.Time{}, err
	}
	scanned := make(map[string]time.Time, len(cs))
	for _, c := range cs {
		scanned[c.Repository] = c.ScannedAt
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var oldest time.Time
	for k, r := range s.repos {
		t, ok := scanned[k]
		if !ok {
			t = r.joined
		}
		if oldest.IsZero() || t.Before(oldest) {
			oldest = t
		}
	}
	return oldest, nil
}

// PipelineCounts counts the stored findings per state, for patrol_pipeline_findings.
func PipelineCounts(st store.Store) func(ctx context.Context) (map[lifecycle.State]int, error) {
	return func(ctx context.Context) (map[lifecycle.State]int, error) {
		fs, err := st.Findings(ctx, store.Query{})
		if err != nil {
			return nil, err
		}
		out := map[lifecycle.State]int{}
		for _, f := range fs {
			out[f.State]++
		}
		return out, nil
	}
}
