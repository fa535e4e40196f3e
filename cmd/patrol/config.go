package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/store"
)

func newConfigCmd(ios streams) *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Work with patrol.yaml"}
	c.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Validate a config file and exit (0 valid, 2 invalid)",
		Long: "Validate every section of a config file (rules, store, providers, notify, serve, targets,\n" +
			"webhooks) the way every command loads it: unknown keys, bad values, unset ${VAR}s and\n" +
			"unreadable *_file secrets are reported together, each with its line and key path.",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			cfg, err := config.Load(args[0])
			if err != nil {
				return withCode(exitError, err)
			}
			fmt.Fprintf(ios.out, "%s: ok: %s\n", args[0], configSummary(cfg))
			return nil
		},
	})
	return c
}

// loadConfig loads --config, or returns the defaults when it is empty.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default(), nil
	}
	return config.Load(path)
}

// configSummary describes a valid config in one line, e.g. "2 custom rules, 4 targets,
// store sqlite, notify smtp+webhook".
func configSummary(cfg *config.Config) string {
	driver := strings.ToLower(cfg.Store.Driver)
	if driver == "" {
		driver = store.DriverSQLite
	}
	var channels []string
	if cfg.Notify.SMTP != nil {
		channels = append(channels, "smtp")
	}
	if cfg.Notify.Webhook != nil {
		channels = append(channels, "webhook")
	}
	notify := "not configured"
	if len(channels) > 0 {
		notify = strings.Join(channels, "+")
	}
	return fmt.Sprintf("%s, %s, store %s, notify %s",
		count(len(cfg.Rules), "custom rule"), count(len(cfg.Targets), "target"), driver, notify)
}

// count renders "1 target", "2 targets".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
