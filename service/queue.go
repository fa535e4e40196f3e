package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/robfig/cron/v3"

	"github.com/patrolsec/patrol/service/metrics"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite" River's SQLite driver runs on
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
// a webhook redelivered, scans once.
type ScanArgs struct {
	Repository string    `json:"repository" river:"unique"`
	Trigger    string    `json:"trigger"`
	Tick       time.Time `json:"tick,omitzero" river:"unique"`
	After      string    `json:"after,omitempty" river:"unique"`
}

// Kind implements river.JobArgs.
func (ScanArgs) Kind() string { return "patrol_scan" }

// TickArgs is the periodic job of one schedule: it enqueues the scans of every repository on
// that schedule, spread over a jitter window.
type TickArgs struct {
	Schedule string `json:"schedule"`
}

// Kind implements river.JobArgs.
func (TickArgs) Kind() string { return "patrol_tick" }

// SweepArgs is the periodic job that re-enumerates the targets.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "patrol_sweep" }

// PipelineArgs is the periodic job that advances due findings (retries, confirmations) and
// delivers due messages.
type PipelineArgs struct{}

// Kind implements river.JobArgs.
func (PipelineArgs) Kind() string { return "patrol_pipeline" }

// Handlers do the work of each job kind. The queue is only the engine: the same handlers run
// on River's SQLite driver here and on its PostgreSQL driver when replicas share the work.
type Handlers interface {
	Scan(ctx context.Context, a ScanArgs) error
	Tick(ctx context.Context, schedule string, at time.Time) error
	Sweep(ctx context.Context) error
	Pipeline(ctx context.Context) error
}

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
	// Poll is how often idle workers look for jobs (default 200ms): the latency of a webhook.
	Poll time.Duration
	// ScanTimeout bounds one scan job (default 2h).
	ScanTimeout time.Duration
	// Logger receives River's own logs at warning level and above; nil discards.
	Logger *slog.Logger
}

// Queue runs patrol's jobs on River over the store's SQLite file.
type Queue struct {
	client *river.Client[*sql.Tx]
	db     *sql.DB
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

// OpenQueue opens River on the SQLite file at path (River's tables beside the store's), applies
// River's migrations, and builds the client; Start runs it.
func OpenQueue(ctx context.Context, path string, h Handlers, o QueueOptions) (*Queue, error) {
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
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := sql.Open("sqlite", queueDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open job queue %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // River's SQLite driver asks for one connection
	driver := riversqlite.New(db)
	quiet := slog.New(levelFloor{log.Handler(), slog.LevelWarn}) // River logs every job and migration at info
	mig, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: quiet})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := mig.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		db.Close()
		return nil, fmt.Errorf("job queue migrations on %s: %w", path, err)
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, &scanWorker{h: h, timeout: o.ScanTimeout})
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, j *river.Job[TickArgs]) error {
		return h.Tick(ctx, j.Args.Schedule, j.ScheduledAt)
	}))
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[SweepArgs]) error {
		return h.Sweep(ctx)
	}))
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, _ *river.Job[PipelineArgs]) error {
		return h.Pipeline(ctx)
	}))

	var periodic []*river.PeriodicJob
	for i, spec := range o.Schedules {
		s, err := ParseSchedule(spec)
		if err != nil {
			db.Close()
			return nil, err
		}
		periodic = append(periodic, river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
			return TickArgs{Schedule: spec}, nil
		}, &river.PeriodicJobOpts{ID: fmt.Sprintf("tick-%d", i)}))
	}
	if o.Sweep != "" {
		s, err := ParseSchedule(o.Sweep)
		if err != nil {
			db.Close()
			return nil, err
		}
		periodic = append(periodic, river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
			return SweepArgs{}, nil
		}, &river.PeriodicJobOpts{ID: "sweep", RunOnStart: true}))
	}
	periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(o.PipelineEvery),
		func() (river.JobArgs, *river.InsertOpts) {
			// Unique by period so that a leader change or a slow run does not pile jobs up;
			// River refuses periods under a second (the job was then never inserted at all),
			// so shorter periods share one-second buckets. Not unique by state alone: a job
			// left running by a killed process would block every later one until rescued.
			return PipelineArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: max(o.PipelineEvery, time.Second)}}
		}, &river.PeriodicJobOpts{ID: "pipeline", RunOnStart: true}))

	client, err := river.NewClient(driver, &river.Config{
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:              workers,
		PeriodicJobs:         periodic,
		FetchPollInterval:    o.Poll,
		FetchCooldown:        min(o.Poll, 100*time.Millisecond),
		JobTimeout:           10 * time.Minute, // a sweep lists big organizations; scans set their own
		RescueStuckJobsAfter: o.ScanTimeout + time.Hour,
		Logger:               quiet,
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("job queue: %w", err)
	}
	return &Queue{client: client, db: db}, nil
}

// Start starts fetching and running jobs; it returns at once.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop stops taking jobs and waits for running ones until ctx is done, then cancels them; a
// cancelled job is retried after a restart. It closes the database.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = q.client.StopAndCancel(hard)
	}
	return errors.Join(err, q.db.Close())
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

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	h       Handlers
	timeout time.Duration
}

func (w *scanWorker) Work(ctx context.Context, j *river.Job[ScanArgs]) error {
	err := w.h.Scan(ctx, j.Args)
	if errors.Is(err, ErrBusy) {
		return river.JobSnooze(2 * time.Second) // the running scan finishes first; this one runs after it
	}
	return err
}

func (w *scanWorker) Timeout(*river.Job[ScanArgs]) time.Duration { return w.timeout }

// queueDSN is the modernc connection string of River's connection: the same WAL file as the
// store, waiting for the store's writers rather than failing with SQLITE_BUSY.
func queueDSN(p string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(p), RawQuery: q.Encode()}
	return u.String()
}

// levelFloor drops records below a level: River logs every job at info.
type levelFloor struct {
	slog.Handler
	min slog.Level
}

func (l levelFloor) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.min && l.Handler.Enabled(ctx, lv)
}
