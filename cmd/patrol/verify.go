package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/report"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/scanner"
)

// verifyFlags are the verification and revocation flags of patrol scan.
type verifyFlags struct {
	verify, revoke, yes, notify bool
	storePath                   string
}

func init() {
	scanExtensions = append(scanExtensions, scanExtension{
		flags: func(c *cobra.Command, f *scanFlags) {
			v := &verifyFlags{}
			f.ext["verify"] = v
			fl := c.Flags()
			fl.BoolVar(&v.verify, "verify", false, "ask each token's provider whether it is live and whose it is")
			fl.BoolVar(&v.revoke, "revoke", false, "verify, then revoke live tokens where policy allows (a dry run without --yes or revoke: true in the config)")
			fl.BoolVar(&v.yes, "yes", false, "with --revoke: really revoke, for every provider")
			fl.BoolVar(&v.notify, "notify", false, "run the durable pipeline: record findings in the store, verify, revoke (with --revoke), email owners and the security team once per token")
			fl.StringVar(&v.storePath, "store", "", "SQLite state file for --notify (default: the config's store, else the user data dir)")
		},
		after: func(ctx context.Context, f *scanFlags, cfg *config.Config, ios streams, entries []report.Entry) ([]report.Entry, error) {
			v, _ := f.ext["verify"].(*verifyFlags)
			if v != nil && v.notify {
				return durableEntries(ctx, cfg, ios, entries, v)
			}
			if v == nil || (!v.verify && !v.revoke) {
				if v != nil && v.yes {
					return entries, errors.New("--yes needs --revoke")
				}
				return entries, nil
			}
			return verifyEntries(ctx, cfg, ios, entries, v.revoke, v.yes, v.storePath)
		},
	})
	extraCommands = append(extraCommands, newVerifyCmd, newRevokeCmd)
}

// providersFromConfig decodes and validates the providers section and builds the providers.
func providersFromConfig(cfg *config.Config, log *slog.Logger) (providers.Config, map[string]revoke.Provider, error) {
	var pc providers.Config
	if err := cfg.DecodeSection("providers", cfg.Providers, &pc); err != nil {
		return pc, nil, err
	}
	if err := pc.Validate(); err != nil {
		return pc, nil, fmt.Errorf("config %s: %w", cfg.Path(), err)
	}
	provs, err := providers.New(pc, providers.Options{Version: version, Logger: log})
	return pc, provs, err
}

// remoteURLs finds the remote URL of local repositories once each, so that providers that need
// an organization (Azure DevOps) can read it from the remote.
type remoteURLs struct {
	mu   sync.Mutex
	urls map[string]string
}

func (r *remoteURLs) get(ctx context.Context, repo string) string {
	if repo == "" || isGitURL(repo) {
		return repo
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if u, ok := r.urls[repo]; ok {
		return u
	}
	u := repo
	out, err := exec.CommandContext(ctx, "git", "-C", repo, "config", "--get", "remote.origin.url").Output()
	if err == nil && strings.TrimSpace(string(out)) != "" {
		u = strings.TrimSpace(string(out))
	}
	if r.urls == nil {
		r.urls = map[string]string{}
	}
	r.urls[repo] = u
	return u
}

// verifyEntries runs the verification (and revocation) pipeline over the report entries.
func verifyEntries(ctx context.Context, cfg *config.Config, ios streams, entries []report.Entry, doRevoke, yes bool, storePath string) ([]report.Entry, error) {
	log := slog.New(slog.NewTextHandler(ios.err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	pc, provs, err := providersFromConfig(cfg, log)
	if err != nil {
		return entries, err
	}
	// A revocation needs an audit record first: when one can happen, the store's audit log
	// takes it, and a store that cannot be opened stops the scan before anything is revoked.
	var audit pipeline.Auditor = pipeline.NopAuditor{}
	if doRevoke && (yes || anyRevokeAllowed(pc)) {
		st, err := openStore(ctx, cfg, storePath)
		if err != nil {
			return entries, fmt.Errorf("audit log: %w", err)
		}
		defer st.Close()
		audit = pipeline.StoreAuditor{Store: st, Actor: "patrol scan"}
	}
	var remotes remoteURLs
	p := pipeline.New(provs, pipeline.Options{
		Logger: log,
		Audit:  audit,
		Hints: func(f scanner.Finding) revoke.Hints {
			return revoke.Hints{Repository: remotes.get(ctx, f.Location.Repository), Text: f.Nearby}
		},
	})
	findings := make([]scanner.Finding, len(entries))
	for i, e := range entries {
		findings[i] = e.Finding
	}
	res := p.Verify(ctx, findings)
	if doRevoke {
		res = p.Revoke(ctx, res, pipeline.Policy{Yes: yes, Allowed: pc.RevokeAllowed})
	}
	return pipeline.Entries(res), nil
}

func anyRevokeAllowed(pc providers.Config) bool {
	for _, n := range providers.Names {
		if pc.RevokeAllowed(n) {
			return true
		}
	}
	return false
}

// tokenFromStdin reads stdin and returns the findings of the one token on it.
func tokenFromStdin(ctx context.Context, cfg *config.Config, ios streams) ([]scanner.Finding, error) {
	key, err := fingerprintKey("", cfg)
	if err != nil {
		return nil, err
	}
	engine := scanner.NewEngine(cfg.Detectors(), scanner.EngineOptions{Key: key})
	fs, st, err := scanner.Run(ctx, engine, &scanner.ReaderSource{R: ios.in, Name: "stdin", MaxSize: 1 << 20}, scanner.Options{Workers: 1})
	if err != nil {
		return nil, err
	}
	if st.Skipped[scanner.SkipBinary] > 0 {
		return nil, errors.New("stdin looks binary (it has a NUL byte): pass the token as text")
	}
	if len(fs) == 0 {
		return nil, errors.New("stdin holds no token patrol recognises (pass the token on stdin, never as an argument)")
	}
	seen := map[string]bool{}
	var out []scanner.Finding
	for _, f := range fs {
		if !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			out = append(out, f)
		}
	}
	return out, nil
}

func newVerifyCmd(ios streams) *cobra.Command {
	var configPath, format string
	c := &cobra.Command{
		Use:   "verify < token",
		Short: "Check whether the token on stdin is live and whose it is (exit 1 when live)",
		Long: `Read one token from stdin (never from the command line: process lists leak), ask its
provider whether it is live and who owns it, and print the result.

Exit status: 0 not live (dead or unknown), 1 live, 2 error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerifyOrRevoke(cmd.Context(), ios, configPath, format, "", false, false)
		},
	}
	c.Flags().StringVarP(&configPath, "config", "c", "", "patrol.yaml with the providers section")
	c.Flags().StringVarP(&format, "format", "f", "text", "report format: text, json, jsonl or sarif")
	return c
}

func newRevokeCmd(ios streams) *cobra.Command {
	var configPath, format, storePath string
	var yes bool
	c := &cobra.Command{
		Use:   "revoke < token",
		Short: "Verify the token on stdin and revoke it (a dry run without --yes or revoke: true)",
		Long: `Read one token from stdin (never from the command line), verify it with its provider and,
when it is live and policy allows, revoke it and wait until the provider confirms it dead.

Exit status: 0 revoked or already dead, 1 not revoked (dry run, skipped, failed, unknown), 2 error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerifyOrRevoke(cmd.Context(), ios, configPath, format, storePath, true, yes)
		},
	}
	c.Flags().StringVarP(&configPath, "config", "c", "", "patrol.yaml with the providers section")
	c.Flags().StringVarP(&format, "format", "f", "text", "report format: text, json, jsonl or sarif")
	c.Flags().BoolVar(&yes, "yes", false, "really revoke (otherwise only when the config says revoke: true)")
	c.Flags().StringVar(&storePath, "store", "", "SQLite file whose audit log records the revocation (default: the config's store, else the user data dir)")
	return c
}

func runVerifyOrRevoke(ctx context.Context, ios streams, configPath, format, storePath string, doRevoke, yes bool) error {
	fmtv, err := report.ParseFormat(format)
	if err != nil {
		return withCode(exitError, err)
	}
	cfg, err := loadConfig(configPath)
	if err != nil {
		return withCode(exitError, err)
	}
	fs, err := tokenFromStdin(ctx, cfg, ios)
	if err != nil {
		return withCode(exitError, err)
	}
	entries := make([]report.Entry, len(fs))
	for i, f := range fs {
		entries[i] = report.Entry{Finding: f}
	}
	entries, err = verifyEntries(ctx, cfg, ios, entries, doRevoke, yes, storePath)
	if err != nil {
		return withCode(exitError, err)
	}
	if err := report.Write(ios.out, fmtv, entries, report.Options{Detectors: cfg.Detectors(), ToolVersion: version}); err != nil {
		return withCode(exitError, err)
	}
	for _, e := range entries {
		switch {
		case !doRevoke && e.Verification != nil && e.Verification.Status == string(revoke.StatusLive):
			return withCode(exitFindings, nil)
		case doRevoke && (e.Revocation == nil || e.Revocation.Status != string(pipeline.StatusRevoked)) &&
			!(e.Verification != nil && e.Verification.Status == string(revoke.StatusDead)):
			return withCode(exitFindings, nil)
		}
	}
	return nil
}
