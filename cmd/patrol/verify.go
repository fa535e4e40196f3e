package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/report"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/scan"
)

// tokenFromStdin scans stdin for the one token on it.
func tokenFromStdin(ctx context.Context, cfg *config.Config, engine *scanner.Engine, ios streams) (scan.Result, error) {
	res, err := scan.Run(ctx, scan.Request{Target: "-", Stdin: ios.in, MaxBlobSize: 1 << 20, Engine: engine, Workers: 1})
	if err != nil {
		return res, err
	}
	if res.Stats.Skipped[scanner.SkipBinary] > 0 {
		return res, errors.New("stdin looks binary (it has a NUL byte): pass the token as text")
	}
	if len(res.Findings) == 0 {
		return res, errors.New("stdin holds no token patrol recognises (pass the token on stdin, never as an argument)")
	}
	seen := map[string]bool{}
	var out []scanner.Finding
	for _, f := range res.Findings {
		if !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			out = append(out, f)
		}
	}
	res.Findings = out
	return res, nil
}

func newVerifyCmd(ios streams) *cobra.Command {
	var configPath, format string
	a := actFlags{verify: true}
	c := &cobra.Command{
		Use:   "verify < token",
		Short: "Check whether the token on stdin is live and whose it is (exit 1 when live)",
		Long: `Read one token from stdin (never from the command line: process lists leak), ask its
provider whether it is live and who owns it, and print the result.

Exit status: 0 not live (dead or unknown), 1 live, 2 error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerifyOrRevoke(cmd.Context(), ios, configPath, format, a)
		},
	}
	c.Flags().StringVarP(&configPath, "config", "c", "", "patrol.yaml with the providers section")
	c.Flags().StringVarP(&format, "format", "f", "text", "report format: text, json, jsonl or sarif")
	c.Flags().StringVar(&a.storePath, "store", "", "SQLite state file that records the verification (default: the config's store, else the user data dir)")
	return c
}

func newRevokeCmd(ios streams) *cobra.Command {
	var configPath, format string
	a := actFlags{revoke: true}
	c := &cobra.Command{
		Use:   "revoke < token",
		Short: "Verify the token on stdin and revoke it (a dry run without --yes or revoke: true)",
		Long: `Read one token from stdin (never from the command line), verify it with its provider and,
when it is live and policy allows, revoke it and wait (--wait) until the provider confirms it dead.

Exit status: 0 revoked or already dead, 1 not revoked (dry run, skipped, failed, unknown, not
yet confirmed), 2 error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerifyOrRevoke(cmd.Context(), ios, configPath, format, a)
		},
	}
	c.Flags().StringVarP(&configPath, "config", "c", "", "patrol.yaml with the providers section")
	c.Flags().StringVarP(&format, "format", "f", "text", "report format: text, json, jsonl or sarif")
	c.Flags().BoolVar(&a.yes, "yes", false, "really revoke (otherwise only when the config says revoke: true)")
	c.Flags().StringVar(&a.storePath, "store", "", "SQLite file whose audit log records the revocation (default: the config's store, else the user data dir)")
	c.Flags().DurationVar(&a.wait, "wait", defaultWait, "how long to wait for the provider to confirm the token dead")
	return c
}

func runVerifyOrRevoke(ctx context.Context, ios streams, configPath, format string, a actFlags) error {
	fmtv, err := report.ParseFormat(format)
	if err != nil {
		return withCode(exitError, err)
	}
	cfg, err := loadConfig(configPath)
	if err != nil {
		return withCode(exitError, err)
	}
	engine, key, err := newEngine(cfg, "", false)
	if err != nil {
		return withCode(exitError, err)
	}
	announceKey(ios, key)
	res, err := tokenFromStdin(ctx, cfg, engine, ios)
	if err != nil {
		return withCode(exitError, err)
	}
	entries, err := act(ctx, cfg, ios, engine, res, a, "patrol "+map[bool]string{true: "revoke", false: "verify"}[a.revoke])
	if err != nil {
		return withCode(exitError, err)
	}
	if err := report.Write(ios.out, fmtv, entries, report.Options{Detectors: cfg.Detectors(), ToolVersion: patrolVersion()}); err != nil {
		return withCode(exitError, err)
	}
	for _, e := range entries {
		live := e.Verification != nil && e.Verification.Status == string(lifecycle.VerdictLive)
		dead := e.Verification != nil && e.Verification.Status == string(lifecycle.VerdictDead)
		revoked := e.Revocation != nil && e.Revocation.Status == string(lifecycle.OutcomeRevoked)
		switch {
		case !a.revoke && live:
			return withCode(exitFindings, nil)
		case a.revoke && !revoked && !dead:
			return withCode(exitFindings, nil)
		}
	}
	return nil
}
