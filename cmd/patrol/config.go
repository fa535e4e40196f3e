package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/store"
)

func newConfigCmd(ios streams) *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Work with patrol.yaml"}
	c.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Validate a config file and exit (0 valid, 2 invalid)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			cfg, err := config.Load(args[0])
			if err != nil {
				return withCode(exitError, err)
			}
			if err := checkSections(cfg); err != nil {
				return withCode(exitError, err)
			}
			fmt.Fprintf(ios.out, "%s: ok\n", args[0])
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

// checkSections decodes and validates the sections other packages own (providers, store,
// notify), which scan reads only when a flag needs them, so that config check reports every
// problem up front: unknown keys, bad values, unset ${VAR}s.
func checkSections(cfg *config.Config) error {
	var errs []error
	var pc providers.Config
	if err := cfg.DecodeSection("providers", cfg.Providers, &pc); err != nil {
		errs = append(errs, err)
	} else if err := pc.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("config %s: %w", cfg.Path(), err))
	}
	var sc store.Config
	if err := cfg.DecodeSection("store", cfg.Store, &sc); err != nil {
		errs = append(errs, err)
	} else if sc.Driver != "" && sc.Driver != store.DriverSQLite {
		errs = append(errs, fmt.Errorf("config %s: store.driver: %q is not supported (only %s is built in)", cfg.Path(), sc.Driver, store.DriverSQLite))
	}
	if _, err := notifyConfig(cfg); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
