package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/robfig/cron/v3"

	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/store"
)

// Triggers of a scan, as counted in patrol_scans_total.
const (
	TriggerSchedule = metrics.TriggerSchedule
	TriggerWebhook  = metrics.TriggerWebhook
	TriggerSweep    = metrics.TriggerSweep
	TriggerOnce     = metrics.TriggerManual
)

// ScanArgs is the job "scan repository R from its cursor". Two jobs with the same repository,
// tick and pushed sha are one job (River's unique-by-args): a schedule tick enqueued twice, or
// by two replicas, or a webhook redelivered, scans once.
type ScanArgs struct {
	Repository string    `json:"repository" river:"unique"`
	Trigger    string    `json:"trigger"`
	Tick       time.Time `json:"tick,omitzero" river:"unique"`
	After      string    `json:"after,omitempty" river:"unique"`
}

// Kind implements river.JobArgs.
func (ScanArgs) Kind() string { return metrics.JobScan }

// TickArgs is the periodic job of one schedule: it enqueues the scans of every repository on
// that schedule, spread over a jitter window. Only the queue's leader inserts it.
type TickArgs struct {
	Schedule string `json:"schedule"`
}

// Kind implements river.JobArgs.
func (TickArgs) Kind() string { return metrics.JobTick }

// SweepArgs is the periodic job that re-enumerates the targets and scans every repository.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return metrics.JobSweep }

// PipelineArgs is the periodic job that advances due findings (retries, confirmations) and
// delivers due messages.
type PipelineArgs struct{}

// Kind implements river.JobArgs.
func (PipelineArgs) Kind() string { return metrics.JobPipeline }

// FindingArgs is the job "take this finding as far through the pipeline as it can go now"
// (verify, revoke, notify), inserted in the transaction that records a scan's findings, due
// FindingGrace later (the scan's own replica does the work at once; this is the fallback). At
// most one such job per fingerprint is waiting or running at a time (unique by fingerprint
// over the unfinished states); the store's compare-and-set makes each step happen once even
// when two replicas work the same finding.
type FindingArgs struct {
	Fingerprint string `json:"fingerprint" river:"unique"`
}

// Kind implements river.JobArgs.
func (FindingArgs) Kind() string { return metrics.JobFinding }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (FindingArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unfinished}}
}

// unfinished are the River states in which a job blocks a duplicate of itself: once it is
// completed, a later scan that finds the same token again queues a new job.
var unfinished = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// Handlers do the work of each job kind. The queue is only the engine: the same handlers run
// on River's SQLite driver for one replica and on its PostgreSQL driver when replicas share
// the work.
type Handlers interface {
	Scan(ctx context.Context, a ScanArgs) error
	Tick(ctx context.Context, schedule string, at time.Time) error
	Sweep(ctx context.Context) error
	Pipeline(ctx context.Context) error
	Finding(ctx context.Context, fingerprint string) error
	Alert(ctx context.Context, a AlertArgs) error
	AlertPoll(ctx context.Context) error
	AlertResolve(ctx context.Context, a AlertResolveArgs) error
}

// ErrNotReady is returned by a handler that cannot do its job on this replica yet (its first
// enumeration of the targets has not finished); the queue runs the job again shortly.
var ErrNotReady = errors.New("targets not enumerated yet")

// QueueOptions configure a Queue.
type QueueOptions struct {
	// Workers bounds the jobs run at once (at least 1).
	Workers int
	// Schedules are the distinct cron specs of the targets; each fires a TickArgs job.
	Schedules []string
	// Sweep is the cron spec of the SweepArgs job; empty means none.
	Sweep string
	// PipelineEvery is the period of the PipelineArgs job (default 5s); under a second, it
	// runs at most once a second.
	PipelineEvery time.Duration
	// Poll is how often idle workers look for jobs (default 200ms): the latency of a webhook
	// on SQLite. On PostgreSQL new jobs are announced with LISTEN/NOTIFY as well.
	Poll time.Duration
	// ScanTimeout bounds one scan job (default 2h). A job still running well after that (its
	// replica died) is given to another replica: see rescueAfter.
	ScanTimeout time.Duration
	// PollOnly finds jobs by polling alone, without LISTEN/NOTIFY (PostgreSQL behind a
	// transaction-mode pooler).
	PollOnly bool
	// AlertPoll is the cron spec of the AlertPollArgs job; empty means none (no target reads
	// secret-scanning alerts).
	AlertPoll string
	// AlertRetry is the first wait before a failed resolve job runs again, doubling up to an
	// hour (default 30s).
	AlertRetry time.Duration
	// Metrics counts the jobs worked; nil counts nothing.
	Metrics *metrics.Metrics
	// Logger receives River's own logs at warning level and above; nil discards.
	Logger *slog.Logger
}

func (o *QueueOptions) defaults() {
	if o.Workers < 1 {
		o.Workers = 1
	}
	if o.PipelineEvery <= 0 {
		o.PipelineEvery = 5 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 200 * time.Millisecond
	}
	if o.ScanTimeout <= 0 {
		o.ScanTimeout = 2 * time.Hour
	}
	if o.AlertRetry <= 0 {
		o.AlertRetry = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// client is what Queue uses of a *river.Client, whatever its driver.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	ID() string
}

// backend is what differs between the job queue's databases; the jobs and their workers do
// not.
type backend interface {
	// stats counts the jobs by kind and state and reads the leader's id.
	stats(ctx context.Context) (map[metrics.JobKey]int, string, error)
	// tryLock takes the lock named key for this replica, or reports false when another
	// replica (or this one) holds it; unlock releases it.
	tryLock(ctx context.Context, key string) (unlock func(), ok bool, err error)
	// insertTx inserts a job in the store transaction tx (a Store of the queue's own
	// database), so that it commits or rolls back with tx; it reports false for a duplicate
	// of a unique job.
	insertTx(ctx context.Context, tx store.Store, args river.JobArgs, opts *river.InsertOpts) (bool, error)
	close() error
}

// Queue runs patrol's jobs on River, in the store's own database.
type Queue struct {
	client  client
	backend backend
}

// Backend names the database River keeps its jobs in: the store's.
type Backend struct {
	// SQLite is the path of the store's SQLite file (River's tables beside the store's, one
	// replica).
	SQLite string
	// Postgres is the DSN of the store's PostgreSQL database (several replicas).
	Postgres string
}

// BackendOf returns the Backend of a store configuration.
func BackendOf(c store.Config) Backend {
	if c.IsPostgres() {
		return Backend{Postgres: c.DSN}
	}
	return Backend{SQLite: c.DSN}
}

// ParseSchedule parses a robfig/cron standard spec ("*/30 * * * *") or a descriptor
// ("@hourly", "@every 10m").
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	return s, nil
}

// OpenQueue opens River in b and builds the client; Start runs it. On SQLite it applies
// River's migrations itself (one process owns the file); on PostgreSQL they are `patrol
// migrate`'s, and OpenQueue refuses a schema that lacks them.
func OpenQueue(ctx context.Context, b Backend, h Handlers, o QueueOptions) (*Queue, error) {
	o.defaults()
	if b.Postgres != "" {
		return openPostgres(ctx, b.Postgres, h, o)
	}
	return openSQLite(ctx, b.SQLite, h, o)
}

// riverConfig is the client configuration shared by both drivers.
func riverConfig(h Handlers, o QueueOptions, workers *river.Workers) (*river.Config, error) {
	river.AddWorker(workers, jobFunc(o.Metrics, func(ctx context.Context, j *river.Job[TickArgs]) error {
		return h.Tick(ctx, j.Args.Schedule, j.ScheduledAt)
	}))
	river.AddWorker(workers, jobFunc(o.Metrics, func(ctx context.Context, _ *river.Job[SweepArgs]) error {
		return h.Sweep(ctx)
	}))
	river.AddWorker(workers, jobFunc(o.Metrics, func(ctx context.Context, _ *river.Job[PipelineArgs]) error {
		return h.Pipeline(ctx)
	}))
	river.AddWorker(workers, jobFunc(o.Metrics, func(ctx context.Context, j *river.Job[FindingArgs]) error {
		return h.Finding(ctx, j.Args.Fingerprint)
	}))
	river.AddWorker(workers, jobFunc(o.Metrics, func(ctx context.Context, j *river.Job[AlertArgs]) error {
		return h.Alert(ctx, j.Args)
	}))
	river.AddWorker(workers, jobFunc(o.Metrics, func(ctx context.Context, _ *river.Job[AlertPollArgs]) error {
		return h.AlertPoll(ctx)
	}))
	river.AddWorker(workers, &resolveWorker{h: h, metrics: o.Metrics, base: o.AlertRetry})

	var periodic []*river.PeriodicJob
	for i, spec := range o.Schedules {
		s, err := ParseSchedule(spec)
		if err != nil {
			return nil, err
		}
		periodic = append(periodic, river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
			return TickArgs{Schedule: spec}, nil
		}, &river.PeriodicJobOpts{ID: fmt.Sprintf("tick-%d", i)}))
	}
	if o.Sweep != "" {
		s, err := ParseSchedule(o.Sweep)
		if err != nil {
			return nil, err
		}
		periodic = append(periodic, river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
			return SweepArgs{}, nil
		}, &river.PeriodicJobOpts{ID: "sweep", RunOnStart: true}))
	}
	if o.AlertPoll != "" {
		s, err := ParseSchedule(o.AlertPoll)
		if err != nil {
			return nil, err
		}
		periodic = append(periodic, river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
			return AlertPollArgs{}, nil
		}, &river.PeriodicJobOpts{ID: "alert-poll", RunOnStart: true}))
	}
	periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(o.PipelineEvery),
		func() (river.JobArgs, *river.InsertOpts) {
			// Unique by period so that a leader change or a slow run does not pile jobs up;
			// River refuses periods under a second (the job was then never inserted at all),
			// so shorter periods share one-second buckets. Not unique by state alone: a job
			// left running by a killed process would block every later one until rescued.
			return PipelineArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: max(o.PipelineEvery, time.Second)}}
		}, &river.PeriodicJobOpts{ID: "pipeline", RunOnStart: true}))

	return &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:           workers,
		PeriodicJobs:      periodic,
		FetchPollInterval: o.Poll,
		PollOnly:          o.PollOnly,
		FetchCooldown:     min(o.Poll, 100*time.Millisecond),
		JobTimeout:        jobTimeout, // a sweep lists big organizations; scans set their own
		// Longer than every job's timeout: River gives a job still running after this to
		// another replica, so it must only happen to jobs whose replica died.
		RescueStuckJobsAfter: rescueAfter(o.ScanTimeout),
		ID:                   clientID(),
		Logger:               quiet(o.Logger),
	}, nil
}

// jobTimeout bounds every job but scans (ScanTimeout).
const jobTimeout = 10 * time.Minute

// rescueAfter is how long a job may run before River gives it to another replica: past the
// longest job's timeout by as much again, at most an hour.
func rescueAfter(scan time.Duration) time.Duration {
	longest := max(scan, jobTimeout)
	return longest + min(longest, time.Hour)
}

// clientID names this replica in River's tables (river_job.attempted_by, river_leader):
// host, process id and start time, so an operator can tell which pod ran a job.
func clientID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "patrol"
	}
	host = host[:min(len(host), 60)] // River takes ids up to 100 bytes
	return fmt.Sprintf("%s_%d_%s", host, os.Getpid(), time.Now().UTC().Format("20060102T150405.000000"))
}

// completer finishes a scan job inside the store transaction that records the scan: it
// queues a FindingArgs job per fingerprint and marks the job completed, so the findings, the
// cursor, the follow-up jobs and the job's completion commit together or not at all.
type completer func(ctx context.Context, tx store.Store, fingerprints []string) error

type completerKey struct{}

// completerFrom returns the completer a scan job put in ctx, or nil outside a queue job.
func completerFrom(ctx context.Context) completer {
	c, _ := ctx.Value(completerKey{}).(completer)
	return c
}

// findingJobs are the follow-up jobs of a scan's fingerprints.
func findingJobs(fps []string) []river.InsertManyParams {
	out := make([]river.InsertManyParams, len(fps))
	at := time.Now().Add(FindingGrace)
	for i, fp := range fps {
		out[i] = river.InsertManyParams{Args: FindingArgs{Fingerprint: fp}, InsertOpts: &river.InsertOpts{ScheduledAt: at}}
	}
	return out
}

// FindingGrace is how long after a scan its finding jobs wait: the scanning replica takes the
// findings through the pipeline at once, from its own mirror; the jobs are for when it died
// before it could (any replica then takes them, fetching the mirror if it has none).
const FindingGrace = 30 * time.Second

// scanWorker runs ScanArgs jobs; finish is the driver's completer for the job.
type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	h       Handlers
	timeout time.Duration
	metrics *metrics.Metrics
	finish  func(ctx context.Context, tx store.Store, j *river.Job[ScanArgs], fps []string) error
}

func (w *scanWorker) Work(ctx context.Context, j *river.Job[ScanArgs]) error {
	ctx = context.WithValue(ctx, completerKey{}, completer(func(ctx context.Context, tx store.Store, fps []string) error {
		return w.finish(ctx, tx, j, fps)
	}))
	err := outcome(w.metrics, j.Kind, w.h.Scan(ctx, j.Args))
	return err
}

func (w *scanWorker) Timeout(*river.Job[ScanArgs]) time.Duration { return w.timeout }

// resolveWorker runs AlertResolveArgs jobs, retrying a failed one after resolveBackoff
// rather than River's default (which grows past a day and gives up after 25 attempts).
type resolveWorker struct {
	river.WorkerDefaults[AlertResolveArgs]
	h       Handlers
	metrics *metrics.Metrics
	base    time.Duration
}

func (w *resolveWorker) Work(ctx context.Context, j *river.Job[AlertResolveArgs]) error {
	return outcome(w.metrics, j.Kind, w.h.AlertResolve(ctx, j.Args))
}

func (w *resolveWorker) NextRetry(j *river.Job[AlertResolveArgs]) time.Time {
	return time.Now().Add(resolveBackoff(w.base, j.Attempt))
}

// jobFunc is a worker of one kind that counts its outcomes.
func jobFunc[T river.JobArgs](m *metrics.Metrics, fn func(ctx context.Context, j *river.Job[T]) error) river.Worker[T] {
	return river.WorkFunc(func(ctx context.Context, j *river.Job[T]) error {
		return outcome(m, j.Kind, fn(ctx, j))
	})
}

// outcome counts a job's result and turns the handlers' "not now" errors into River snoozes.
func outcome(m *metrics.Metrics, kind string, err error) error {
	switch {
	case err == nil:
		m.JobDone(kind, metrics.JobOK)
		return nil
	case errors.Is(err, ErrBusy):
		m.JobDone(kind, metrics.JobSnoozed)
		return river.JobSnooze(2 * time.Second) // the running scan finishes first; this one runs after it
	case errors.Is(err, ErrNotReady):
		m.JobDone(kind, metrics.JobSnoozed)
		return river.JobSnooze(5 * time.Second)
	default:
		m.JobDone(kind, metrics.JobError)
		return err
	}
}

// Start starts fetching and running jobs; it returns at once.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop stops taking jobs and waits for running ones until ctx is done, then cancels them; a
// cancelled job is retried after a restart or by another replica. It closes the queue's
// database handles.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = q.client.StopAndCancel(hard)
	}
	return errors.Join(err, q.backend.close())
}

// Stats reports the jobs by kind and state and whether this replica leads the queue.
func (q *Queue) Stats(ctx context.Context) (metrics.QueueStats, error) {
	jobs, leader, err := q.backend.stats(ctx)
	if err != nil {
		return metrics.QueueStats{}, fmt.Errorf("job queue stats: %w", err)
	}
	return metrics.QueueStats{Jobs: jobs, Leader: leader != "" && leader == q.client.ID()}, nil
}

// TryLock takes the scan lock of a repository across every replica sharing the database, or
// reports false when it is held; unlock releases it. A replica that dies releases its locks
// with its database connection.
func (q *Queue) TryLock(ctx context.Context, key string) (unlock func(), ok bool, err error) {
	return q.backend.tryLock(ctx, key)
}

// EnqueueScan queues a scan at (or after) at; it reports false when the same job was queued
// already (a duplicate tick or a redelivered push).
//
// A scan due now (at is zero or past) is inserted without a scheduled time: River inserts
// every job given one as scheduled, even a time past, and only its scheduler, every 5s, makes
// scheduled jobs available, so a sweep's scans would first wait for it.
func (q *Queue) EnqueueScan(ctx context.Context, a ScanArgs, at time.Time) (bool, error) {
	opts := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
	if at.After(time.Now()) {
		opts.ScheduledAt = at
	}
	res, err := q.client.Insert(ctx, a, opts)
	if err != nil {
		return false, fmt.Errorf("queue scan of %s: %w", a.Repository, err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// insert queues a job on its own; it reports false for a duplicate of a unique job.
func (q *Queue) insert(ctx context.Context, args river.JobArgs) (bool, error) {
	res, err := q.client.Insert(ctx, args, nil)
	if err != nil {
		return false, fmt.Errorf("queue %s job: %w", args.Kind(), err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// insertTx queues a job in the store transaction tx: it commits, or not, with tx.
func (q *Queue) insertTx(ctx context.Context, tx store.Store, args river.JobArgs, opts *river.InsertOpts) error {
	if _, err := q.backend.insertTx(ctx, tx, args, opts); err != nil {
		return fmt.Errorf("queue %s job: %w", args.Kind(), err)
	}
	return nil
}

// statsQuery counts River's jobs by kind and state; the same SQL runs on both drivers.
const statsQuery = `SELECT kind, state, COUNT(*) FROM river_job GROUP BY kind, state`

// leaderQuery reads the elected leader's client id.
const leaderQuery = `SELECT leader_id FROM river_leader`

// quiet passes on River's warnings and errors only: River logs every job and migration at
// info.
func quiet(log *slog.Logger) *slog.Logger {
	if log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(levelFloor{log.Handler(), slog.LevelWarn})
}

// levelFloor drops records below a level: River logs every job at info.
type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (l levelFloor) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.min && l.Handler.Enabled(ctx, lv)
}
