package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/scanner/scan"
	"github.com/patrolsec/patrol/service"
	"github.com/patrolsec/patrol/service/alerts"
	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/service/targets"
	"github.com/patrolsec/patrol/store"
)

type serveFlags struct {
	configPath, listen string
	once, yes          bool
}

func newServeCmd(ios streams) *cobra.Command {
	f := &serveFlags{}
	c := &cobra.Command{
		Use:   "serve [-c patrol.yaml]",
		Short: "Run the service: scheduled incremental scans of every target, webhooks, revocation, email, /metrics",
		Long: `Watch every repository of the configured targets: scan each on its schedule (incrementally,
from where its last scan stopped) and on push webhooks, verify what is found, revoke it where
policy allows, confirm it dead and tell its owner; serve /metrics, /healthz and /readyz.

Without a config file, watch the repository in the current directory, keep the store in the
user data directory and listen on 127.0.0.1:9847.

SIGTERM or SIGINT stops taking work and lets running jobs finish for shutdown_timeout; what is
unfinished resumes on the next start. --once scans every target once and exits (for cron jobs).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), f, ios)
		},
	}
	fl := c.Flags()
	fl.StringVarP(&f.configPath, "config", "c", "", "patrol.yaml with targets, store, providers, notify and serve sections")
	fl.BoolVar(&f.once, "once", false, "scan every target once, advance the pipeline, and exit")
	fl.BoolVar(&f.yes, "yes", false, "revoke live tokens for every provider whose config does not say revoke: false (default: only where it says revoke: true)")
	fl.StringVar(&f.listen, "listen", "", "HTTP address (default: serve.listen)")
	return c
}

func runServe(ctx context.Context, f *serveFlags, ios streams) error {
	cfg, err := loadConfig(f.configPath)
	if err != nil {
		return withCode(exitError, err)
	}
	if f.configPath == "" {
		cfg.Targets = []config.Target{{Path: &config.PathTarget{Dir: ".", Schedule: cfg.Serve.Schedule}}}
	}
	if f.listen != "" {
		cfg.Serve.Listen = f.listen
	}
	// Info by default; JSON when stderr is not a terminal (a journal, a log collector).
	log, _, err := ios.logger(slog.LevelInfo, !isTerminal(ios.err))
	if err != nil {
		return withCode(exitError, err)
	}
	if len(cfg.Targets) == 0 {
		return withCode(exitError, fmt.Errorf("config %s: no targets: patrol serve has nothing to watch", cfg.Path()))
	}
	if err := resolveStore(&cfg.Store); err != nil {
		return withCode(exitError, err)
	}
	st, err := store.Open(ctx, cfg.Store)
	if err != nil {
		return withCode(exitError, err)
	}
	defer st.Close()
	engine, key, err := newEngine(cfg, "", false)
	if err != nil {
		return withCode(exitError, err)
	}
	announceKey(ios, key)
	provs, err := providers.New(cfg.Providers, providers.Options{Version: patrolVersion(), Logger: log})
	if err != nil {
		return withCode(exitError, err)
	}
	mailer, hook, err := senders(cfg.Notify)
	if err != nil {
		return withCode(exitError, err)
	}
	tgts, err := serveTargets(cfg, log)
	if err != nil {
		return withCode(exitError, err)
	}

	reg := prometheus.NewRegistry()
	var svc *service.Service
	var custom []string
	for _, r := range cfg.Rules {
		custom = append(custom, r.ID)
	}
	m, err := metrics.New(reg, metrics.Options{Version: patrolVersion(), Detectors: custom, Log: log,
		PipelineCounts: service.PipelineCounts(st),
		OldestScan: func(ctx context.Context) (time.Time, error) {
			if svc == nil {
				return time.Time{}, nil
			}
			return svc.OldestScan(ctx)
		},
		Queue: func(ctx context.Context) (metrics.QueueStats, error) {
			if svc == nil || svc.Queue() == nil {
				return metrics.QueueStats{}, nil
			}
			return svc.Queue().Stats(ctx)
		}})
	if err != nil {
		return withCode(exitError, err)
	}
	// Another replica may have scanned the repository a step reads a token back from: the
	// service fetches this replica's mirror of it when it is missing (set below).
	tokens := &pipeline.Rescan{Engine: engine, CloneDir: cfg.Serve.CloneDir}
	p := pipeline.New(pipeline.Options{
		Store: service.Observe(st, m, time.Now), Provs: provs, Notify: cfg.Notify, Mailer: mailer, Webhook: hook,
		Policy: pipeline.Policy{Yes: f.yes, Allowed: cfg.Providers.RevokePolicy},
		Actor:  "patrol serve", Tokens: tokens,
		Describe: cfg.Describe, Logger: log, CallTimeout: cfg.Providers.CallTimeout,
		// Resolving a secret-scanning alert once its token is dead is queued with the move.
		OnMove: func(ctx context.Context, tx store.Store, from store.State, f store.Finding) error {
			return svc.AfterMove(ctx, tx, from, f)
		},
	})
	wh := service.Webhooks{}
	if g := cfg.Webhooks.GitHub; g != nil {
		wh.GitHubSecret = []byte(g.Secret.Reveal())
	}
	if g := cfg.Webhooks.GitLab; g != nil {
		wh.GitLabToken = g.Token.Reveal()
	}
	if a := cfg.Webhooks.AzureDevOps; a != nil {
		wh.AzureDevOpsUser, wh.AzureDevOpsPassword = a.Username, a.Password.Reveal()
	}
	svc, err = service.New(service.Options{
		Store: st, Backend: service.BackendOf(cfg.Store), Pipeline: p, Engine: engine, FingerprintKey: key.Bytes,
		Targets: tgts, CloneDir: cfg.Serve.CloneDir,
		Workers: cfg.Serve.Workers, Schedule: cfg.Serve.Schedule, Sweep: cfg.Serve.Sweep, MaxBlobSize: cfg.MaxBlobSize, MaxArchiveDepth: scan.ArchiveDepth(cfg.MaxArchiveDepth),
		ScanTimeout: cfg.Serve.ScanTimeout, PollOnly: cfg.Serve.PollOnly, Webhooks: wh, Metrics: m, Logger: log,
	})
	if err != nil {
		return withCode(exitError, err)
	}
	tokens.Fetch, tokens.Alert = svc.FetchMirror, svc.AlertToken
	if f.once {
		if err := svc.Once(ctx); err != nil {
			return withCode(exitError, err)
		}
		return nil
	}

	handler, err := svc.Handler()
	if err != nil {
		return withCode(exitError, err)
	}
	ln, err := net.Listen("tcp", cfg.Serve.Listen)
	if err != nil {
		return withCode(exitError, fmt.Errorf("listen on %s: %w", cfg.Serve.Listen, err))
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if err := svc.Start(ctx); err != nil {
		srv.Close()
		return withCode(exitError, err)
	}
	// One line says where the service is, in the log's own format (a JSON log stays JSON).
	log.InfoContext(ctx, fmt.Sprintf("patrol serve: listening on http://%s (/metrics, /healthz, /readyz, /webhooks/…)", ln.Addr()),
		"listen", ln.Addr().String(), "targets", len(tgts), "store", cfg.Store.Redacted())

	select {
	case <-ctx.Done():
	case err := <-served:
		if !errors.Is(err, http.ErrServerClosed) {
			svc.Stop(context.Background())
			return withCode(exitError, fmt.Errorf("http server: %w", err))
		}
	}
	log.Info("shutting down: no new work; waiting for running jobs", "timeout", cfg.Serve.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Serve.ShutdownTimeout)
	defer cancel()
	herr := srv.Shutdown(sctx)
	serr := svc.Stop(sctx)
	if err := errors.Join(herr, serr); err != nil {
		log.Warn("shutdown", "err", err.Error())
	}
	log.Info("stopped")
	return nil
}

// serveTargets turns the config's targets into the service's listers.
func serveTargets(cfg *config.Config, log *slog.Logger) ([]service.Target, error) {
	o := targets.Options{Logger: log, Version: patrolVersion()}
	var out []service.Target
	for i, t := range cfg.Targets {
		var l targets.Lister
		var err error
		st := service.Target{Schedule: t.Schedule()}
		switch {
		case t.GitHub != nil:
			g := t.GitHub
			st.Token = g.Token.Token
			l, err = targets.NewGitHub(targets.GitHub{Org: g.Org, User: g.User, Token: g.Token.Token, BaseURL: g.BaseURL,
				IncludeForks: g.IncludeForks, IncludeArchived: g.IncludeArchived}, o)
			if err == nil && g.Alerts {
				// The alert calls may wait for a rate limit within a job, never past its timeout;
				// a longer wait fails the call and the job retries later.
				ao := o
				ao.MaxWait = 5 * time.Minute
				st.Alerts, err = alerts.NewGitHub(alerts.GitHubOptions{Org: g.Org, User: g.User, Token: g.Token.Token, BaseURL: g.BaseURL}, ao)
			}
		case t.AzureDevOps != nil:
			a := t.AzureDevOps
			st.Token = a.Token.Token
			l, err = targets.NewAzureDevOps(targets.AzureDevOps{Org: a.Org, Token: a.Token.Token, BaseURL: a.BaseURL, Projects: a.Projects}, o)
		case t.GitLab != nil:
			g := t.GitLab
			st.Token = g.Token.Token
			l, err = targets.NewGitLab(targets.GitLab{Group: g.Group, Token: g.Token.Token, BaseURL: g.BaseURL}, o)
		case t.Git != nil:
			u := t.Git.URL
			if filepath.IsAbs(u) {
				u = "file://" + filepath.ToSlash(u)
			}
			l, err = targets.NewGit(u)
		case t.Path != nil:
			l, err = targets.NewPath(t.Path.Dir)
		default:
			err = errors.New("no kind")
		}
		if err != nil {
			return nil, fmt.Errorf("config %s: targets[%d]: %w", cfg.Path(), i, err)
		}
		st.Lister = l
		out = append(out, st)
	}
	return out, nil
}

// resolveStore fills in the SQLite file's default path and makes it absolute (River opens it
// by path too); a PostgreSQL DSN is left as it is.
func resolveStore(c *store.Config) error {
	if service.BackendOf(*c).Postgres != "" {
		return nil
	}
	p := c.DSN
	if p == "" {
		var err error
		if p, err = store.DefaultPath(); err != nil {
			return err
		}
	}
	p, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	c.DSN = p
	return nil
}
