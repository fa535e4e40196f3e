package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/config"
)

func newConfigCmd(ios streams) *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Work with patrol.yaml"}
	c.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Validate a config file and exit (0 valid, 2 invalid)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if _, err := config.Load(args[0]); err != nil {
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
