package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/report"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
)

// scanFlags are the flags of patrol scan.
type scanFlags struct {
	format, output, configPath, keyFile  string
	showSecrets, dir, noIgnore, noDecode bool
	since, cloneDir, baseline            string
	branches                             []string
	maxBlobSize                          string
	summary                              bool
	workers                              int
	// Later stages (hook, verify, revoke) register more flags through scanExtensions.
	ext map[string]any
}

// scanExtension lets other files add flags to patrol scan and act on its findings (staged
// scanning, verification and revocation) without growing this file.
type scanExtension struct {
	flags func(c *cobra.Command, f *scanFlags)
	// source returns a source when the extension takes over where content comes from (--staged).
	source func(ctx context.Context, f *scanFlags, target string) (scanner.Source, string, bool, error)
	// after turns findings into report entries (verification, revocation).
	after func(ctx context.Context, f *scanFlags, cfg *config.Config, ios streams, entries []report.Entry) ([]report.Entry, error)
}

var scanExtensions []scanExtension

func newScanCmd(ios streams) *cobra.Command {
	f := &scanFlags{ext: map[string]any{}}
	c := &cobra.Command{
		Use:   "scan [PATH|URL|-]",
		Short: "Scan a repository's history, a directory or stdin for leaked tokens",
		Long: `Scan the full git history of a repository (local path or URL), the files of a directory
(--dir, or any path that is not a git repository), or stdin (-).

Exit status: 0 nothing found, 1 findings, 2 usage, config or input error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := "."
			if len(args) == 1 {
				target = args[0]
			}
			return runScan(cmd.Context(), f, target, ios)
		},
	}
	fl := c.Flags()
	fl.StringVarP(&f.format, "format", "f", "text", "report format: text, json, jsonl or sarif")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to `FILE` instead of stdout")
	fl.StringVarP(&f.configPath, "config", "c", "", "patrol.yaml with custom rules and settings")
	fl.StringVar(&f.keyFile, "fingerprint-key-file", "", "HMAC key `FILE` for fingerprints (default: the config's, else created under the user config dir)")
	fl.BoolVar(&f.showSecrets, "show-secrets", false, "print raw secret values in the report (for audits that must hand them over)")
	fl.BoolVar(&f.dir, "dir", false, "scan the files on disk, even in a git repository")
	fl.BoolVar(&f.noIgnore, "no-ignore", false, "with --dir: do not honour .gitignore files")
	fl.BoolVar(&f.noDecode, "no-decode", false, "do not look for tokens inside base64 or URL-encoded text")
	fl.StringVar(&f.since, "since", "", "git: scan only commits after `REV` or since a date (2024-01-31)")
	fl.StringSliceVar(&f.branches, "branch", nil, "git: scan only this branch or ref (repeatable; default every ref)")
	fl.StringVar(&f.cloneDir, "clone-dir", "", "git URL: clone into (and reuse) this `DIR` (default: the user cache dir)")
	fl.StringVar(&f.maxBlobSize, "max-blob-size", "", "skip (and count) files and blobs bigger than this (default 10MiB; units B, KiB, MiB, GiB)")
	fl.StringVar(&f.baseline, "baseline", "", "suppress the fingerprints of a previous JSON report `FILE`")
	fl.BoolVar(&f.summary, "summary", true, "print a summary on stderr")
	fl.IntVar(&f.workers, "workers", 0, "scanning goroutines (default: all cores)")
	for _, e := range scanExtensions {
		if e.flags != nil {
			e.flags(c, f)
		}
	}
	return c
}

// parseSize parses "10MiB", "512KiB", "1GiB", "1048576".
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	mult := int64(1)
	num := strings.TrimSpace(s)
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			mult, num = u.mult, strings.TrimSpace(strings.TrimSuffix(num, u.suffix))
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 10MiB, 512KiB, 1048576)", s)
	}
	return n * mult, nil
}

// isGitURL reports whether target names a remote repository.
func isGitURL(target string) bool {
	return strings.Contains(target, "://") || (strings.HasPrefix(target, "git@") && strings.Contains(target, ":"))
}

// isGitRepo reports whether path is a work tree (with .git) or a bare repository.
func isGitRepo(path string) bool {
	if _, err := os.Stat(filepath.Join(path, ".git")); err == nil {
		return true
	}
	_, err1 := os.Stat(filepath.Join(path, "HEAD"))
	st, err2 := os.Stat(filepath.Join(path, "objects"))
	return err1 == nil && err2 == nil && st.IsDir()
}

// fingerprintKey resolves the fingerprint key: flag, then config, then the default file.
func fingerprintKey(flag string, cfg *config.Config) ([]byte, error) {
	path := flag
	if path == "" {
		path = cfg.FingerprintKeyFile
	}
	if path != "" {
		return secret.LoadOrCreateKey(path, true)
	}
	def, err := secret.DefaultKeyPath()
	if err != nil {
		return nil, err
	}
	return secret.LoadOrCreateKey(def, true)
}

func runScan(ctx context.Context, f *scanFlags, target string, ios streams) error {
	format, err := report.ParseFormat(f.format)
	if err != nil {
		return withCode(exitError, err)
	}
	if strings.HasPrefix(target, "-") && target != "-" {
		return withCode(exitError, fmt.Errorf("scan target %q looks like an option; use ./%s for a path", target, target))
	}
	cfg, err := loadConfig(f.configPath)
	if err != nil {
		return withCode(exitError, err)
	}
	maxSize := cfg.MaxBlobSize
	if f.maxBlobSize != "" {
		if maxSize, err = parseSize(f.maxBlobSize); err != nil {
			return withCode(exitError, fmt.Errorf("--max-blob-size: %w", err))
		}
	}
	key, err := fingerprintKey(f.keyFile, cfg)
	if err != nil {
		return withCode(exitError, err)
	}

	var sup scanner.Suppressor
	if f.baseline != "" {
		if err := sup.LoadBaseline(f.baseline); err != nil {
			return withCode(exitError, err)
		}
	}

	src, root, isGit, err := openSource(ctx, f, target, maxSize, ios)
	if err != nil {
		return withCode(exitError, err)
	}
	if st, err := os.Stat(root); root != "" && err == nil && st.IsDir() {
		if err := sup.LoadIgnoreFile(filepath.Join(root, scanner.IgnoreFile)); err != nil {
			return withCode(exitError, err)
		}
	}

	engine := scanner.NewEngine(cfg.Detectors(), scanner.EngineOptions{Key: key, NoDecode: f.noDecode})
	opts := scanner.Options{Workers: f.workers, MaxSize: maxSize}
	tty := isTerminal(ios.err)
	if tty && f.summary {
		opts.Progress = func(chunks, nbytes int64) {
			fmt.Fprintf(ios.err, "\rpatrol: scanning… %d %s, %s", chunks, unitName(isGit), humanBytes(nbytes))
		}
	}
	findings, st, scanErr := scanner.Run(ctx, engine, src, opts)
	if tty && f.summary {
		fmt.Fprint(ios.err, "\r\033[K")
	}
	findings, suppressed := sup.Filter(findings)

	entries := make([]report.Entry, len(findings))
	for i, fd := range findings {
		entries[i] = report.Entry{Finding: fd}
	}
	for _, e := range scanExtensions {
		if e.after == nil {
			continue
		}
		if entries, err = e.after(ctx, f, cfg, ios, entries); err != nil {
			scanErr = errors.Join(scanErr, err)
		}
	}

	if err := writeReport(f, format, entries, cfg, ios); err != nil {
		return withCode(exitError, err)
	}
	if f.summary {
		printSummary(ios.err, st, suppressed, isGit)
	}
	for _, e := range st.Errors {
		fmt.Fprintf(ios.err, "patrol: error: %v\n", e)
	}
	if scanErr != nil || len(st.Errors) > 0 {
		if scanErr == nil {
			scanErr = fmt.Errorf("%d input errors (listed above); the report covers what could be read", len(st.Errors))
		}
		return withCode(exitError, scanErr)
	}
	if len(entries) > 0 {
		return withCode(exitFindings, nil)
	}
	return nil
}

// openSource picks the source for target: stdin, a git history, or a directory. It returns
// the root on disk (for .patrolignore) when there is one.
func openSource(ctx context.Context, f *scanFlags, target string, maxSize int64, ios streams) (scanner.Source, string, bool, error) {
	for _, e := range scanExtensions {
		if e.source == nil {
			continue
		}
		if src, root, ok, err := e.source(ctx, f, target); err != nil || ok {
			return src, root, true, err
		}
	}
	switch {
	case target == "-":
		return &scanner.ReaderSource{R: ios.in, Name: "stdin", MaxSize: maxSize}, "", false, nil
	case isGitURL(target):
		src, err := scanner.OpenGit(ctx, scanner.GitOptions{Repo: target, CloneDir: f.cloneDir, Since: f.since, Branches: f.branches, MaxBlobSize: maxSize})
		return src, "", true, err
	}
	if _, err := os.Stat(target); err != nil {
		return nil, "", false, fmt.Errorf("scan %s: %w", target, err)
	}
	if !f.dir && isGitRepo(target) {
		src, err := scanner.OpenGit(ctx, scanner.GitOptions{Repo: target, Since: f.since, Branches: f.branches, MaxBlobSize: maxSize})
		return src, target, true, err
	}
	if f.since != "" || len(f.branches) > 0 {
		return nil, "", false, fmt.Errorf("scan %s: --since and --branch need a git repository", target)
	}
	return &scanner.DirSource{Root: target, NoIgnore: f.noIgnore, MaxSize: maxSize}, target, false, nil
}

func writeReport(f *scanFlags, format report.Format, entries []report.Entry, cfg *config.Config, ios streams) error {
	var w io.Writer = ios.out
	color := false
	if f.output != "" {
		file, err := os.Create(f.output)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		defer file.Close()
		w = file
	} else {
		color = isTerminal(ios.out) && os.Getenv("NO_COLOR") == ""
	}
	opts := report.Options{ShowSecrets: f.showSecrets, Color: color, Detectors: cfg.Detectors(), ToolVersion: version}
	if err := report.Write(w, format, entries, opts); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if file, ok := w.(*os.File); ok && f.output != "" {
		if err := file.Sync(); err != nil {
			return fmt.Errorf("report %s: %w", f.output, err)
		}
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func unitName(git bool) string {
	if git {
		return "blobs"
	}
	return "files"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func printSummary(w io.Writer, st scanner.Stats, suppressed int, git bool) {
	secs := st.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(st.Bytes) / (1 << 20) / secs
	}
	fmt.Fprintf(w, "patrol: scanned %d %s (%s) in %s, %.1f MiB/s\n",
		st.Chunks, unitName(git), humanBytes(st.Bytes), st.Elapsed.Round(time.Millisecond), rate)
	if len(st.Skipped) > 0 {
		var parts []string
		for _, r := range []string{scanner.SkipBinary, scanner.SkipOversize} {
			if n := st.Skipped[r]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, r))
			}
		}
		fmt.Fprintf(w, "patrol: skipped %s\n", strings.Join(parts, ", "))
		for _, s := range st.Skips {
			if s.Reason == scanner.SkipOversize {
				fmt.Fprintf(w, "patrol:   oversize: %s (%s)\n", s.Name, humanBytes(s.Size))
			}
		}
	}
	line := fmt.Sprintf("patrol: %d findings", st.Findings-suppressed)
	if suppressed > 0 {
		line += fmt.Sprintf(" (%d suppressed)", suppressed)
	}
	fmt.Fprintln(w, line)
}
