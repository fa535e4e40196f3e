package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/service"
	"github.com/patrolsec/patrol/store"
)

func newMigrateCmd(ios streams) *cobra.Command {
	var configPath string
	var timeout time.Duration
	c := &cobra.Command{
		Use:   "migrate [-c patrol.yaml]",
		Short: "Bring the store's schema and the job queue's up to date (once per deploy, before patrol serve)",
		Long: `Apply patrol's schema migrations and River's job-queue migrations to the configured store.

On PostgreSQL, patrol serve refuses to start on a schema older than it needs: run this once per
deploy (a Kubernetes Job, a pre-start step), before the new version's replicas start. Several
runs at once are safe: they take one advisory lock, one applies, the others wait and find
nothing to do. On SQLite, patrol serve and every other command migrate the file themselves;
this command does it ahead of time.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configPath)
			if err != nil {
				return withCode(exitError, err)
			}
			if err := resolveStore(&cfg.Store); err != nil {
				return withCode(exitError, err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			b := service.BackendOf(cfg.Store)
			n, err := store.Migrate(ctx, cfg.Store, func(ctx context.Context) error { return service.MigrateQueue(ctx, b) })
			if err != nil {
				return withCode(exitError, err)
			}
			fmt.Fprintf(ios.out, "store %s: schema up to date (%d migrations applied now); job queue schema up to date\n",
				cfg.Store.Redacted(), n)
			return nil
		},
	}
	c.Flags().StringVarP(&configPath, "config", "c", "", "patrol.yaml whose store section names the database")
	c.Flags().DurationVar(&timeout, "timeout", 10*time.Minute, "give up after this long (waiting for another migration included)")
	return c
}
