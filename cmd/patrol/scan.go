package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/report"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/scanner/scan"
	"github.com/patrolsec/patrol/secret"
)

// scanFlags are the flags of patrol scan.
type scanFlags struct {
	format, output, configPath, keyFile                    string
	showSecrets, dir, noIgnore, noDecode, staged, fixtures bool
	generic                                                bool
	since, cloneDir, baseline, maxBlobSize                 string
	branches                                               []string
	summary, failOnShallow                                 bool
	workers, maxArchiveDepth, maxDecodeDepth               int
	archiveDepthSet                                        bool // --max-archive-depth was given
	maxDecodeDepthSet                                      bool
	act                                                    actFlags
}

func newScanCmd(ios streams) *cobra.Command {
	f := &scanFlags{}
	c := &cobra.Command{
		Use:   "scan [PATH|URL|-]",
		Short: "Scan a repository's history, a directory or stdin for leaked tokens",
		Long: `Scan the full git history of a repository (local path or URL), the files of a directory
(--dir, or any path that is not a git repository), or stdin (-).

Exit status: 0 nothing found, 1 findings, 2 usage, config or input error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target := "."
			f.archiveDepthSet = cmd.Flags().Changed("max-archive-depth")
			if len(args) == 1 {
				target = args[0]
			}
			f.maxDecodeDepthSet = cmd.Flags().Changed("max-decode-depth")
			return runScan(cmd.Context(), f, target, ios)
		},
	}
	fl := c.Flags()
	fl.StringVarP(&f.format, "format", "f", "text", "report format: text, json, jsonl or sarif")
	fl.StringVarP(&f.output, "output", "o", "", "write the report to `FILE` instead of stdout")
	fl.StringVarP(&f.configPath, "config", "c", "", "patrol.yaml with custom rules and settings")
	fl.StringVar(&f.keyFile, "fingerprint-key-file", "", "HMAC key `FILE` for fingerprints (default: $PATROL_FINGERPRINT_KEY, $PATROL_FINGERPRINT_KEY_FILE, the config's, else created under the user config dir)")
	fl.BoolVar(&f.showSecrets, "show-secrets", false, "print raw secret values in the report (for audits that must hand them over)")
	fl.BoolVar(&f.dir, "dir", false, "scan the files on disk, even in a git repository")
	fl.BoolVar(&f.noIgnore, "no-ignore", false, "with --dir: do not honour .gitignore files")
	fl.BoolVar(&f.noDecode, "no-decode", false, "do not look for tokens inside base64 or URL-encoded text")
	fl.BoolVar(&f.fixtures, "fixtures", false, "report test fixtures too: tokens assigned to a fake-sounding name (fakeKey, testToken…) in test files, which are left out and counted by default")
	fl.BoolVar(&f.generic, "generic", false, "also run the generic rules: credential-like names (password, secret, token, api_key…) assigned high-entropy values, reported as confidence generic (default: the config's generic)")
	fl.IntVar(&f.maxDecodeDepth, "max-decode-depth", scanner.DefaultMaxDecodeDepth, "levels of nested encoding to decode (base64 in base64; default: the config's max_decode_depth, else 3)")
	fl.BoolVar(&f.staged, "staged", false, "scan what the next commit adds: the staged changes (index against HEAD); only added lines are reported")
	fl.StringVar(&f.since, "since", "", "git: scan only commits after `REV` or since a date (2024-01-31)")
	fl.StringSliceVar(&f.branches, "branch", nil, "git: scan only this branch or ref (repeatable; default every ref)")
	fl.StringVar(&f.cloneDir, "clone-dir", "", "git URL: clone into (and reuse) this `DIR` (default: the user cache dir)")
	fl.StringVar(&f.maxBlobSize, "max-blob-size", "", "skip (and count) files and blobs bigger than this (default 10MiB; units B, KiB, MiB, GiB)")
	fl.IntVar(&f.maxArchiveDepth, "max-archive-depth", config.DefaultMaxArchiveDepth, "levels of archives (zip, jar, gzip, tar…) to look inside; 0 turns archives off (default: the config's, else 2)")
	fl.StringVar(&f.baseline, "baseline", "", "suppress the fingerprints of a previous JSON report `FILE`")
	fl.BoolVar(&f.summary, "summary", true, "print a summary on stderr")
	fl.IntVar(&f.workers, "workers", 0, "scanning goroutines (default: all cores)")
	fl.BoolVar(&f.failOnShallow, "fail-on-shallow", false, "git: exit 2 when the repository is a shallow clone (default: scan the history it has, and say so)")
	f.act.register(c, true)
	return c
}

// scanLogger is the scan's logger: the scanner's own log (clone, fetch, old tips) at
// --log-level info or debug. Its warnings (a shallow clone, an unreadable blob) are in the
// summary already, so at the default level it logs nothing.
func scanLogger(ios streams) (*slog.Logger, error) {
	log, level, err := ios.cliLogger()
	if err != nil || level > slog.LevelInfo {
		return nil, err
	}
	return log, nil
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

// maxBlobSize is --max-blob-size, else the config's limit.
func maxBlobSize(flag string, cfg *config.Config) (int64, error) {
	if flag == "" {
		return cfg.MaxBlobSize, nil
	}
	n, err := parseSize(flag)
	if err != nil {
		return 0, fmt.Errorf("--max-blob-size: %w", err)
	}
	return n, nil
}

// newEngine builds the engine of a command: the config's detectors and decode depth, and the
// fingerprint key (secret.ResolveKey: the flag's file, then PATROL_FINGERPRINT_KEY,
// PATROL_FINGERPRINT_KEY_FILE, the config's file, the default file). The key is returned for
// announceKey.
func newEngine(cfg *config.Config, keyFlag string, noDecode bool) (*scanner.Engine, secret.Key, error) {
	k, err := secret.ResolveKey(secret.KeySources{File: keyFlag, ConfigFile: cfg.FingerprintKeyFile})
	if err != nil {
		return nil, k, err
	}
	return scanner.NewEngine(cfg.Detectors(), scanner.EngineOptions{Key: k.Bytes, NoDecode: noDecode, MaxDecodeDepth: cfg.MaxDecodeDepth}), k, nil
}

// announceKey says on stderr that k was created by this run, and where: fingerprints made
// with a new key match no other machine's until the key is shared.
func announceKey(ios streams, k secret.Key) {
	if k.Created {
		fmt.Fprintf(ios.err, "patrol: created a new fingerprint key in %s: fingerprints (baselines, .patrolignore, code-scanning alerts) "+
			"depend on it; share it with your team and CI (%s or %s, see README) so that theirs match\n", k.From, secret.KeyEnv, secret.KeyFileEnv)
	}
}

func runScan(ctx context.Context, f *scanFlags, target string, ios streams) error {
	format, err := report.ParseFormat(f.format)
	if err != nil {
		return withCode(exitError, err)
	}
	if err := f.act.check(); err != nil {
		return withCode(exitError, err)
	}
	cfg, err := loadConfig(f.configPath)
	if err != nil {
		return withCode(exitError, err)
	}
	if err := requireNotifier(f.act, cfg); err != nil {
		return withCode(exitError, err)
	}
	maxSize, err := maxBlobSize(f.maxBlobSize, cfg)
	if err != nil {
		return withCode(exitError, err)
	}
	if f.maxDecodeDepthSet {
		if f.maxDecodeDepth < 1 {
			return withCode(exitError, fmt.Errorf("--max-decode-depth: %d is not a depth (at least 1; --no-decode turns decoding off)", f.maxDecodeDepth))
		}
		cfg.MaxDecodeDepth = f.maxDecodeDepth
	}
	cfg.Generic = cfg.Generic || f.generic
	engine, key, err := newEngine(cfg, f.keyFile, f.noDecode)
	if err != nil {
		return withCode(exitError, err)
	}
	announceKey(ios, key)
	req := scan.Request{Target: target, Stdin: ios.in, Since: f.since, Branches: f.branches, CloneDir: f.cloneDir,
		MaxBlobSize: maxSize, NoIgnore: f.noIgnore, Engine: engine, Workers: f.workers, Baseline: f.baseline, Fixtures: f.fixtures,
		MaxArchiveDepth: scan.ArchiveDepth(cfg.MaxArchiveDepth)}
	if f.archiveDepthSet {
		req.MaxArchiveDepth = scan.ArchiveDepth(f.maxArchiveDepth)
	}
	if f.dir {
		req.Mode |= scan.Dir
	}
	if f.staged {
		req.Mode |= scan.Staged
	}
	req.Logger, err = scanLogger(ios)
	if err != nil {
		return withCode(exitError, err)
	}
	unit := unitName(f.staged || git.IsURL(target) || !f.dir && target != "-" && scan.IsRepository(target))
	tty := isTerminal(ios.err)
	if tty && f.summary {
		req.Progress = func(chunks, nbytes int64) {
			fmt.Fprintf(ios.err, "\rpatrol: scanning… %d %s, %s", chunks, unit, humanBytes(nbytes))
		}
	}
	res, scanErr := scan.Run(ctx, req)
	if tty && f.summary {
		fmt.Fprint(ios.err, "\r\033[K")
	}
	if scanErr != nil && res.Stats.Chunks == 0 && len(res.Findings) == 0 {
		return withCode(exitError, scanErr)
	}
	entries := make([]report.Entry, len(res.Findings))
	for i, fd := range res.Findings {
		entries[i] = report.Entry{Finding: fd}
	}
	if f.act.any() {
		acted, err := act(ctx, cfg, ios, engine, res, f.act, "patrol scan")
		if err != nil {
			return withCode(exitError, err)
		}
		entries = acted
	}
	if err := writeReport(f, format, entries, cfg, ios); err != nil {
		return withCode(exitError, err)
	}
	if f.summary {
		printSummary(ios.err, res.Stats, res.Suppressed, res.Fixtures, res.Git)
	}
	// A shallow clone (a CI checkout) is scanned for what it has: a warning, not an input
	// error, unless --fail-on-shallow.
	var inputErrs []error
	for _, e := range res.Stats.Errors {
		if !errors.Is(e, git.ErrShallow) {
			inputErrs = append(inputErrs, e)
			continue
		}
		fmt.Fprintf(ios.err, "patrol: warning: %s is a shallow clone: history is cut at the shallow boundary, and older commits were not scanned "+
			"(git fetch --unshallow, or fetch-depth: 0 in CI, scans all of it)\n", res.Repository)
		if f.failOnShallow {
			inputErrs = append(inputErrs, fmt.Errorf("%w (--fail-on-shallow)", e))
		}
	}
	res.Stats.Errors = inputErrs
	for _, e := range res.Stats.Errors {
		fmt.Fprintf(ios.err, "patrol: error: %v\n", e)
	}
	if scanErr != nil || len(res.Stats.Errors) > 0 {
		if scanErr == nil {
			scanErr = fmt.Errorf("%d input errors (listed above); the report covers what could be read", len(res.Stats.Errors))
		}
		return withCode(exitError, scanErr)
	}
	if len(entries) > 0 {
		return withCode(exitFindings, nil)
	}
	return nil
}

func writeReport(f *scanFlags, format report.Format, entries []report.Entry, cfg *config.Config, ios streams) error {
	var w io.Writer = ios.out
	color := false
	var file *os.File
	regular := false
	if f.output != "" {
		var err error
		if file, regular, err = openOutput(f.output, f.showSecrets); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		defer file.Close()
		w = file
	} else {
		color = isTerminal(ios.out) && os.Getenv("NO_COLOR") == ""
	}
	opts := report.Options{ShowSecrets: f.showSecrets, Color: color, Detectors: cfg.Detectors(), ToolVersion: patrolVersion()}
	if err := report.Write(w, format, entries, opts); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if file == nil {
		return nil
	}
	if regular {
		// A report is evidence: it is on disk before patrol exits.
		if err := file.Sync(); err != nil {
			return fmt.Errorf("report %s: %w", f.output, err)
		}
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("report %s: %w", f.output, err)
	}
	return nil
}

// openOutput opens the -o file for writing. A path that exists and is not a regular file
// (/dev/null, /dev/stdout, a FIFO, a terminal) is opened as it is, without truncating or
// replacing it; regular reports that it is a regular file, which is then synced. A regular
// file that will hold raw secrets is made 0600 before anything is written to it, also when
// it existed with a wider mode.
func openOutput(path string, secrets bool) (file *os.File, regular bool, err error) {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return nil, false, fmt.Errorf("%s is a directory", path)
		}
		file, err := os.OpenFile(path, os.O_WRONLY, 0)
		return file, false, err
	}
	perm := os.FileMode(0o666)
	if secrets {
		perm = 0o600
	}
	file, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return nil, true, err
	}
	if secrets {
		if err := file.Chmod(0o600); err != nil {
			file.Close()
			return nil, true, fmt.Errorf("%s: make it private (0600) before writing raw secrets: %w", path, err)
		}
	}
	return file, true, nil
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

// archiveSkips are the skip reasons of archive walks, in the order the summary names them.
var archiveSkips = []string{scanner.SkipArchiveTooLarge, scanner.SkipArchiveRatio, scanner.SkipArchiveDepth,
	scanner.SkipArchiveMembers, scanner.SkipArchiveInvalid}

func printSummary(w io.Writer, st scanner.Stats, suppressed, fixtures int, git bool) {
	secs := st.Elapsed.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(st.Bytes) / (1 << 20) / secs
	}
	fmt.Fprintf(w, "patrol: scanned %d %s (%s) in %s, %.1f MiB/s\n",
		st.Chunks, unitName(git), humanBytes(st.Bytes), st.Elapsed.Round(time.Millisecond), rate)
	if st.Messages > 0 {
		fmt.Fprintf(w, "patrol: read %d distinct commit and tag messages\n", st.Messages)
	}
	if st.Archives > 0 {
		fmt.Fprintf(w, "patrol: looked inside %d archives (%d members scanned)\n", st.Archives, st.Members)
	}
	if len(st.Skipped) > 0 {
		var parts []string
		for _, r := range append([]string{scanner.SkipBinary, scanner.SkipOversize, scanner.SkipSeen}, archiveSkips...) {
			if n := st.Skipped[r]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, r))
			}
		}
		fmt.Fprintf(w, "patrol: skipped %s\n", strings.Join(parts, ", "))
		for _, s := range st.Skips {
			switch {
			case s.Reason == scanner.SkipOversize:
				fmt.Fprintf(w, "patrol:   oversize: %s (%s)\n", s.Name, humanBytes(s.Size))
			case slices.Contains(archiveSkips, s.Reason):
				fmt.Fprintf(w, "patrol:   %s: %s\n", s.Reason, s.Name)
			}
		}
	}
	line := fmt.Sprintf("patrol: %d findings", st.Findings-suppressed-fixtures)
	if fixtures > 0 {
		line += fmt.Sprintf(" (%d test fixtures left out: a fake-sounding name in a test file; --fixtures reports them)", fixtures)
	}
	if suppressed > 0 {
		line += fmt.Sprintf(" (%d suppressed)", suppressed)
	}
	fmt.Fprintln(w, line)
}
