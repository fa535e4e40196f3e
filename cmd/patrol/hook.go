package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/hook"
	"github.com/patrolsec/patrol/report"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/scanner/scan"
	"github.com/patrolsec/patrol/secret"
)

func newHookCmd(ios streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "hook",
		Short: "Git hooks that refuse commits and pushes adding tokens",
		Long: `Install patrol as the repository's pre-commit (and pre-push) hook, or run the checks the
hooks run. A refused commit or push exits 1 and says, per token, where it is and how to
proceed; a clean one is silent. PATROL_SKIP=1 skips a check with a warning.`,
	}
	c.AddCommand(newHookInstallCmd(ios), newHookUninstallCmd(ios), newHookCheckCmd(ios, hook.PreCommit),
		newHookCheckCmd(ios, hook.PrePush), newHookCheckCmd(ios, hook.Files))
	return c
}

func newHookInstallCmd(ios streams) *cobra.Command {
	var prePush, force bool
	c := &cobra.Command{
		Use:   "install [--pre-push] [--force] [-- CHECK-FLAGS...]",
		Short: "Write patrol's pre-commit hook (and pre-push with --pre-push) into this repository",
		Long: `Write the pre-commit hook (with --pre-push, the pre-push hook too) into the hooks directory
of the repository in the current directory (core.hooksPath honoured; linked worktrees share
it). The hook runs this patrol binary by its absolute path.

A hook that patrol did not write is never overwritten: install refuses (exit 2) and names
it. With --force it is kept as <hook>.patrol-chained and runs before patrol; uninstall puts
it back.

Flags after -- are passed to the checks the hooks run, e.g.
  patrol hook install --pre-push -- --verify -c patrol.yaml`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 0 && len(args) > 0 {
				return withCode(exitError, fmt.Errorf("hook install: unexpected %q: flags for the checks go after --", args[0]))
			}
			self, err := selfPath()
			if err != nil {
				return withCode(exitError, err)
			}
			kinds := []hook.Kind{hook.PreCommit}
			if prePush {
				kinds = append(kinds, hook.PrePush)
			}
			res, err := hook.Install(cmd.Context(), hook.InstallOptions{Patrol: self, Kinds: kinds, Force: force, Args: args})
			if err != nil {
				return withCode(exitError, err)
			}
			for _, r := range res {
				switch r.Action {
				case hook.Chained:
					fmt.Fprintf(ios.out, "patrol: %s hook installed in %s; the hook that was there runs first (%s)\n", r.Kind, r.Path, filepath.Base(r.Path)+hook.ChainedSuffix)
				default:
					fmt.Fprintf(ios.out, "patrol: %s hook %s in %s (runs %s)\n", r.Kind, r.Action, r.Path, self)
				}
			}
			return nil
		},
	}
	c.Flags().BoolVar(&prePush, "pre-push", false, "also install the pre-push hook (checks the commits a push sends)")
	c.Flags().BoolVar(&force, "force", false, "keep an existing hook that patrol did not write, and run it before patrol")
	return c
}

func newHookUninstallCmd(ios streams) *cobra.Command {
	return &cobra.Command{
		Use:   "uninstall",
		Short: "Remove patrol's hooks from this repository, putting back hooks they chained",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := hook.Uninstall(cmd.Context(), "")
			if err != nil {
				return withCode(exitError, err)
			}
			for _, r := range res {
				switch r.Action {
				case hook.Absent:
				case hook.LeftAlone:
					fmt.Fprintf(ios.out, "patrol: %s is not patrol's: left alone\n", r.Path)
				case hook.Restored:
					fmt.Fprintf(ios.out, "patrol: %s hook removed; the hook it chained is back in %s\n", r.Kind, r.Path)
				default:
					fmt.Fprintf(ios.out, "patrol: %s hook removed from %s\n", r.Kind, r.Path)
				}
			}
			return nil
		},
	}
}

// selfPath is the absolute path of this patrol binary for hooks to run: the name it was
// started by when that resolves to this executable (keeping a stable symlink such as
// /usr/local/bin/patrol), else the executable itself.
func selfPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the patrol binary: %w", err)
	}
	arg0 := os.Args[0]
	if !strings.ContainsRune(arg0, filepath.Separator) {
		if p, err := exec.LookPath(arg0); err == nil {
			arg0 = p
		}
	}
	if abs, err := filepath.Abs(arg0); err == nil {
		a, err1 := os.Stat(abs)
		b, err2 := os.Stat(exe)
		if err1 == nil && err2 == nil && os.SameFile(a, b) {
			return abs, nil
		}
	}
	return exe, nil
}

// hookFlags are the flags of the checks the hooks run: no revocation, no email (a commit is
// refused, not acted on), only --verify to tell live tokens from dead ones.
type hookFlags struct {
	configPath, keyFile, maxBlobSize string
	noDecode, generic                bool
	act                              actFlags
}

// newHookCheckCmd builds patrol hook pre-commit, pre-push and files: the checks the hooks run.
func newHookCheckCmd(ios streams, kind hook.Kind) *cobra.Command {
	f := &hookFlags{}
	c := &cobra.Command{Args: cobra.NoArgs}
	switch kind {
	case hook.PreCommit:
		c.Use = "pre-commit"
		c.Short = "Check the staged changes (run by the pre-commit hook)"
	case hook.PrePush:
		c.Use = "pre-push [REMOTE [URL]]"
		c.Short = "Check the commits a push sends, read from stdin as git gives them (run by the pre-push hook)"
		c.Args = cobra.MaximumNArgs(2)
	case hook.Files:
		c.Use = "files FILE..."
		c.Short = "Check whole files (for the pre-commit framework, which passes the file names)"
		c.Args = cobra.MinimumNArgs(1)
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		return runHookCheck(cmd.Context(), kind, f, args, ios)
	}
	fl := c.Flags()
	fl.StringVarP(&f.configPath, "config", "c", "", "patrol.yaml with custom rules and settings")
	fl.StringVar(&f.keyFile, "fingerprint-key-file", "", "HMAC key `FILE` for fingerprints (default: $PATROL_FINGERPRINT_KEY, $PATROL_FINGERPRINT_KEY_FILE, the config's, else the user config dir's)")
	fl.StringVar(&f.maxBlobSize, "max-blob-size", "", "skip (and warn about) files bigger than this (default 10MiB)")
	fl.BoolVar(&f.noDecode, "no-decode", false, "do not look for tokens inside base64 or URL-encoded text")
	fl.BoolVar(&f.generic, "generic", false, "also run the generic rules (credential-like names assigned high-entropy values); off by default in hooks, also when the config sets generic: true")
	f.act.register(c, false)
	return c
}

// runHookCheck runs one check and turns its findings into the hook's verdict: exit 1 with
// the refusal on stderr, or silence and exit 0.
func runHookCheck(ctx context.Context, kind hook.Kind, f *hookFlags, args []string, ios streams) error {
	if os.Getenv(hook.SkipEnv) == "1" {
		fmt.Fprintf(ios.err, "patrol: warning: %s=1: this %s is not checked for tokens\n", hook.SkipEnv, checkNoun(kind))
		return nil
	}
	useHookGit()
	entries, st, key, err := hookScan(ctx, kind, f, args, ios)
	for _, s := range st.Skips {
		if s.Reason == scanner.SkipOversize {
			fmt.Fprintf(ios.err, "patrol: warning: %s (%s) is over the size limit and was not checked (--max-blob-size)\n", s.Name, humanBytes(s.Size))
		}
	}
	var problems []error
	for _, e := range st.Errors {
		if errors.Is(e, git.ErrShallow) {
			// A shallow clone can push; what it lacks is history the remote has anyway.
			fmt.Fprintf(ios.err, "patrol: warning: %v: checked the commits that are here\n", e)
			continue
		}
		problems = append(problems, e)
	}
	if err == nil && len(problems) > 0 {
		err = errors.Join(problems...)
	}
	if err != nil {
		return withCode(exitError, fmt.Errorf("%w\npatrol: this %s was not checked; fix the error, or skip the check once with %s", err, checkNoun(kind), skipHint(kind)))
	}
	var blocked []hook.Blocked
	for _, e := range entries {
		b := hook.Blocked{Finding: e.Finding}
		if v := e.Verification; v != nil {
			if v.Status == "dead" {
				fmt.Fprintf(ios.err, "patrol: warning: %s:%d: %s: %s is dead (revoked or expired): not blocking, but remove it\n",
					e.Location.Path, e.Location.Line, e.DetectorID, e.Redacted)
				continue
			}
			b.Status = v.Status
		}
		blocked = append(blocked, b)
	}
	if len(blocked) == 0 {
		return nil
	}
	// A clean check is silent; a refusal, whose fingerprints .patrolignore lines quote, says
	// when the fingerprint key is new.
	announceKey(ios, key)
	if err := hook.WriteBlocked(ios.err, kind, blocked); err != nil {
		return withCode(exitError, err)
	}
	return withCode(exitFindings, nil)
}

func checkNoun(kind hook.Kind) string {
	if kind == hook.PrePush {
		return "push"
	}
	return "commit"
}

func skipHint(kind hook.Kind) string {
	switch kind {
	case hook.PrePush:
		return "git push --no-verify (or " + hook.SkipEnv + "=1)"
	case hook.Files:
		return "SKIP=patrol-files (or " + hook.SkipEnv + "=1)"
	}
	return "git commit --no-verify (or " + hook.SkipEnv + "=1)"
}

// useHookGit puts the git that runs the hook first on PATH when git says where it is
// (GIT_EXEC_PATH): GUI clients often run hooks with a bare PATH, or bundle their own git.
func useHookGit() {
	dir := os.Getenv("GIT_EXEC_PATH")
	if dir == "" {
		return
	}
	name := "git"
	if runtime.GOOS == "windows" {
		name = "git.exe"
	}
	if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.IsDir() {
		return
	}
	os.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// hookScan scans what kind checks (scan.Run, as patrol scan does) and, with --verify, asks
// the providers through the pipeline.
func hookScan(ctx context.Context, kind hook.Kind, f *hookFlags, args []string, ios streams) ([]report.Entry, scanner.Stats, secret.Key, error) {
	var st scanner.Stats
	var key secret.Key
	cfg, err := loadConfig(f.configPath)
	if err != nil {
		return nil, st, key, err
	}
	maxSize, err := maxBlobSize(f.maxBlobSize, cfg)
	if err != nil {
		return nil, st, key, err
	}
	// A refused commit costs more than a missed generic match: the generic rules run in a
	// hook only when its own --generic asks, whatever the shared config says.
	cfg.Generic = f.generic
	engine, key, err := newEngine(cfg, f.keyFile, f.noDecode)
	if err != nil {
		return nil, st, key, err
	}
	req := scan.Request{Target: ".", Stdin: ios.in, MaxBlobSize: maxSize, Engine: engine}
	if req.Logger, err = scanLogger(ios); err != nil {
		return nil, st, key, err
	}
	switch kind {
	case hook.PreCommit:
		req.Mode = scan.Staged
	case hook.PrePush:
		req.Mode = scan.Push
	case hook.Files:
		req.Mode, req.Paths = scan.Files, args
	}
	res, err := scan.Run(ctx, req)
	if err != nil {
		return nil, res.Stats, key, err
	}
	entries := make([]report.Entry, len(res.Findings))
	for i, fd := range res.Findings {
		entries[i] = report.Entry{Finding: fd}
	}
	if f.act.verify {
		if entries, err = act(ctx, cfg, ios, engine, res, f.act, "patrol hook"); err != nil {
			return nil, res.Stats, key, err
		}
	}
	return entries, res.Stats, key, nil
}
