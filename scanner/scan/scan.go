// Package scan is the one library entry point for "scan this target from this cursor":
// [Run] picks the source for a target (a git history, a work tree's staged changes, the
// commits a push sends, a directory, named files or stdin), runs the engine over it, applies
// the team's suppressions and returns the findings with what a caller needs to go on: the
// stats, the ref tips scanned (the next cursor) and where the repository lives. patrol scan,
// the git hooks and patrol serve all call it, so that they compose a scan the same way.
//
// [Rehydrate] reads a token again from where a finding says it lives, for pipeline steps that
// need the raw value after the scan that found it: the store keeps only where a token is.
//
// It does not verify, revoke, report or store anything.
package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/patrolsec/patrol/hook"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/secret"
)

// Mode says what to scan at Request.Target. Modes combine as flags do on the command line;
// Run refuses combinations that mean nothing, with the command line's words.
type Mode uint

const (
	// Auto reads the target as patrol scan does: "-" is stdin, a URL or a repository its git
	// history, anything else the files of a directory.
	Auto Mode = 0
	// Dir scans the files on disk, even in a git repository (--dir).
	Dir Mode = 1 << iota
	// Git scans the git history of a repository path or URL.
	Git
	// Staged scans what the next commit adds: the work tree's index against HEAD (--staged,
	// the pre-commit hook). Only the lines it adds are reported.
	Staged
	// Stdin scans Request.Stdin.
	Stdin
	// Push scans the commits a push sends, given as a pre-push hook reads them on
	// Request.Stdin; only the lines those commits add are reported.
	Push
	// Files scans the files of Request.Paths under the target directory (the pre-commit
	// framework's file list).
	Files
)

// Request is one scan.
type Request struct {
	// Fixtures keeps test fixtures (scanner.IsFixture: a token assigned to a fake-sounding
	// name in a test file) among the findings; by default they are left out and counted.
	Fixtures bool
	// Target is a path, a URL or "-" (stdin). Empty means ".".
	Target string
	// Mode says how to read Target; the zero value is Auto.
	Mode Mode
	// Stdin is read for "-", Stdin, and the updates of Push.
	Stdin io.Reader
	// Since, Branches and Exclude select history (git only); see git.GitOptions.
	Since    string
	Branches []string
	Exclude  []string
	// Cursor and SkipBlobs make a git scan incremental; see git.GitOptions.
	Cursor    map[string]string
	SkipBlobs func(ctx context.Context, ids []string) (map[string]bool, error)
	// CloneDir is where URLs are cloned; empty means the user cache directory.
	CloneDir string
	// Token authenticates the clone or fetch of an https URL; empty means git.GitTokenEnv.
	Token secret.Token
	// MaxBlobSize skips (and counts) bigger files and blobs; zero means the default.
	MaxBlobSize int64
	// MaxArchiveDepth is how many levels of archives to look inside; zero means
	// scanner.DefaultMaxArchiveDepth, a negative value turns archives off (see ArchiveDepth).
	MaxArchiveDepth int
	// NoIgnore: with Dir, do not honour .gitignore files.
	NoIgnore bool
	// Paths are the files of Files, relative to Target or absolute.
	Paths []string
	// Engine finds the tokens; required.
	Engine *scanner.Engine
	// Workers and Progress are passed to scanner.Run.
	Workers  int
	Progress func(chunks, bytes int64)
	// Suppress holds suppressions decided by the caller; it is not changed. Baseline is the
	// path of a previous JSON report whose fingerprints are suppressed too. .patrolignore at
	// Result.Root is always read.
	Suppress *scanner.Suppressor
	Baseline string
	// Logger receives warnings; nil discards.
	Logger *slog.Logger
}

// Result is what a scan found and where it stood.
type Result struct {
	// Findings are sorted, without the suppressed ones; Suppressed counts those.
	Findings   []scanner.Finding
	Suppressed int
	// Fixtures counts the test fixtures left out (scanner.IsFixture), unless Request.Fixtures.
	Fixtures int
	Stats    scanner.Stats
	// Tips are the refs a git history scan read, with their commits: the Cursor of the next
	// incremental scan. Nil for other sources.
	Tips map[string]string
	// Blobs are the ids of the blobs a git history scan covered (git.GitSource.Blobs), for a
	// service's record of scanned blobs.
	Blobs []string
	// Shallow says the repository's history is cut (a shallow clone).
	Shallow bool
	// Root is the directory on disk the scan read .patrolignore from ("" for stdin and URLs).
	Root string
	// Git says the content came from git (history, staged or pushed): units are blobs.
	Git bool
	// Repository is the repository as findings name it (absolute path, or URL without
	// credentials); empty for directories and stdin.
	Repository string
	// Remote is the origin URL of a local repository (without credentials), read once, or
	// the URL itself for a URL target; empty when there is none. Azure DevOps needs the
	// organization it names.
	Remote string
}

// Run scans r.Target as r says. Errors in the request, and errors opening the target, come
// before any scan; the findings found before a scan error are returned with it, as by
// scanner.Run. Problems with single files or blobs are in Result.Stats.Errors.
func Run(ctx context.Context, r Request) (Result, error) {
	var res Result
	if r.Engine == nil {
		return res, errors.New("scan: no engine")
	}
	if r.Target == "" {
		r.Target = "."
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	if err := check(r); err != nil {
		return res, err
	}
	var sup scanner.Suppressor
	if r.Suppress != nil {
		sup.Fingerprints = maps.Clone(r.Suppress.Fingerprints)
		sup.Globs = append(sup.Globs, r.Suppress.Globs...)
	}
	if r.Baseline != "" {
		if err := sup.LoadBaseline(r.Baseline); err != nil {
			return res, err
		}
	}
	src, post, err := open(ctx, r, &res)
	if err != nil || src == nil {
		return res, err
	}
	if st, err := os.Stat(res.Root); res.Root != "" && err == nil && st.IsDir() {
		if err := sup.LoadIgnoreFile(filepath.Join(res.Root, scanner.IgnoreFile)); err != nil {
			return res, err
		}
	}
	findings, st, scanErr := scanner.Run(ctx, r.Engine, src, scanner.Options{Workers: r.Workers, MaxSize: r.MaxBlobSize, Progress: r.Progress, MaxArchiveDepth: r.MaxArchiveDepth})
	res.Stats = st
	if g, ok := src.(*git.GitSource); ok {
		res.Blobs = g.Blobs()
		if scanErr == nil {
			if res.Tips, err = g.Tips(ctx); err != nil {
				scanErr = err
			}
		}
	}
	if post != nil && scanErr == nil {
		findings, scanErr = post(findings)
	}
	if !r.Fixtures {
		kept := findings[:0]
		for _, f := range findings {
			if scanner.IsFixture(f) {
				res.Fixtures++
				continue
			}
			kept = append(kept, f)
		}
		findings = kept
	}
	res.Findings, res.Suppressed = sup.Filter(findings)
	return res, scanErr
}

// check refuses combinations of modes and options that mean nothing, in the words of the
// command line that sets them.
func check(r Request) error {
	m := r.Mode
	switch {
	case m&Staged != 0 && m&Dir != 0:
		return errors.New("--staged and --dir cannot be combined")
	case m&Staged != 0 && (r.Since != "" || len(r.Branches) > 0):
		return errors.New("--staged scans the index: --since and --branch do not apply")
	case m&Staged != 0 && (r.Target == "-" || git.IsURL(r.Target)):
		return fmt.Errorf("--staged needs a git work tree, not %q", r.Target)
	case m&^(Dir|Staged) != 0 && m&(m-1) != 0:
		return fmt.Errorf("scan: modes %s cannot be combined", m)
	case strings.HasPrefix(r.Target, "-") && r.Target != "-":
		return fmt.Errorf("scan target %q looks like an option; use ./%s for a path", r.Target, r.Target)
	}
	return nil
}

func (m Mode) String() string {
	if m == Auto {
		return "auto"
	}
	var names []string
	for _, n := range []struct {
		m    Mode
		name string
	}{{Dir, "dir"}, {Git, "git"}, {Staged, "staged"}, {Stdin, "stdin"}, {Push, "push"}, {Files, "files"}} {
		if m&n.m != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, "+")
}

// open picks and opens the source, filling in what res says about it. A nil source with no
// error means there is nothing to scan (a push that sends no commit). post, when set, runs
// over the findings before suppression.
func open(ctx context.Context, r Request, res *Result) (scanner.Source, func([]scanner.Finding) ([]scanner.Finding, error), error) {
	gitOpts := git.GitOptions{
		Repo: r.Target, CloneDir: r.CloneDir, Since: r.Since, Branches: r.Branches, Exclude: r.Exclude,
		Cursor: r.Cursor, SkipBlobs: r.SkipBlobs, MaxBlobSize: r.MaxBlobSize, Logger: r.Logger, Token: r.Token,
	}
	switch {
	case r.Mode&Staged != 0:
		dir := r.Target
		if dir == "." {
			dir = "" // inside a hook, where git runs it, with GIT_INDEX_FILE relative to it
		}
		s, err := git.OpenStaged(ctx, git.StagedOptions{Dir: dir, MaxSize: r.MaxBlobSize})
		if err != nil {
			return nil, nil, err
		}
		res.Root, res.Git, res.Repository = s.Root(), true, s.Root()
		res.Remote = remote(ctx, s.Root(), r.Logger)
		return s, nil, nil
	case r.Mode == Push:
		updates, err := hook.ParseUpdates(stdin(r))
		if err != nil {
			return nil, nil, err
		}
		dir := r.Target
		if dir == "." {
			dir = ""
		}
		tips, exclude, err := hook.Range(ctx, dir, updates)
		if err != nil || len(tips) == 0 {
			return nil, nil, err
		}
		gitOpts.Branches, gitOpts.Exclude = tips, exclude
		res.Root = r.Target
		return openGit(ctx, gitOpts, r, res, func(fs []scanner.Finding) ([]scanner.Finding, error) {
			return git.KeepAdded(ctx, dir, fs)
		})
	case r.Mode == Files:
		res.Root = r.Target
		return &scanner.DirSource{Root: r.Target, Paths: r.Paths, MaxSize: r.MaxBlobSize}, nil, nil
	case r.Mode == Stdin, r.Mode&^Dir == 0 && r.Target == "-":
		return &scanner.ReaderSource{R: stdin(r), Name: "stdin", MaxSize: r.MaxBlobSize}, nil, nil
	case (r.Mode&^Dir == 0 || r.Mode == Git) && git.IsURL(r.Target):
		// A URL is a repository to clone, whatever --dir says.
		return openGit(ctx, gitOpts, r, res, nil)
	case r.Target == "-":
		return nil, nil, fmt.Errorf("scan %s: stdin is not a %s target", r.Target, r.Mode)
	}
	if _, err := os.Stat(r.Target); err != nil {
		return nil, nil, fmt.Errorf("scan %s: %w", r.Target, err)
	}
	if r.Mode == Git || (r.Mode == Auto && IsRepository(r.Target)) {
		res.Root = r.Target
		return openGit(ctx, gitOpts, r, res, nil)
	}
	if r.Since != "" || len(r.Branches) > 0 {
		return nil, nil, fmt.Errorf("scan %s: --since and --branch need a git repository", r.Target)
	}
	res.Root = r.Target
	return &scanner.DirSource{Root: r.Target, NoIgnore: r.NoIgnore, MaxSize: r.MaxBlobSize}, nil, nil
}

func openGit(ctx context.Context, opts git.GitOptions, r Request, res *Result, post func([]scanner.Finding) ([]scanner.Finding, error)) (scanner.Source, func([]scanner.Finding) ([]scanner.Finding, error), error) {
	g, err := git.OpenGit(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	res.Git, res.Shallow, res.Repository = true, g.Shallow(), g.Repository()
	if git.IsURL(r.Target) {
		res.Remote = g.Repository()
	} else {
		res.Remote = remote(ctx, r.Target, r.Logger)
	}
	return g, post, nil
}

// remote reads the origin URL of the repository at dir; a failure is logged, not fatal: the
// URL only helps providers name an organization.
func remote(ctx context.Context, dir string, log *slog.Logger) string {
	u, err := git.RemoteURL(ctx, dir)
	if err != nil {
		log.Warn("no remote URL", "repo", dir, "err", err)
	}
	return u
}

func stdin(r Request) io.Reader {
	if r.Stdin == nil {
		return strings.NewReader("")
	}
	return r.Stdin
}

// ArchiveDepth maps a depth as users give it (--max-archive-depth, max_archive_depth: 0 turns
// archives off) to Request.MaxArchiveDepth (where zero means the default).
func ArchiveDepth(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// IsRepository reports whether path is a work tree (with .git) or a bare repository.
func IsRepository(path string) bool {
	if _, err := os.Stat(filepath.Join(path, ".git")); err == nil {
		return true
	}
	_, err1 := os.Stat(filepath.Join(path, "HEAD"))
	st, err2 := os.Stat(filepath.Join(path, "objects"))
	return err1 == nil && err2 == nil && st.IsDir()
}
