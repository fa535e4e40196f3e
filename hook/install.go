package hook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/patrolsec/patrol/scanner/git"
)

// Kind names what a hook checks.
type Kind string

const (
	// PreCommit refuses a commit whose staged changes add a token.
	PreCommit Kind = "pre-commit"
	// PrePush refuses a push whose commits add a token.
	PrePush Kind = "pre-push"
	// Files is the check of the files the pre-commit framework passes (patrol hook files);
	// it is not a git hook, and Install does not write it.
	Files Kind = "files"
)

// Marker is a line of every hook script patrol writes: Install replaces and Uninstall removes
// only scripts that hold it.
const Marker = "# patrol-managed hook"

// ChainedSuffix is added to the name of a hook that was in patrol's place when Install ran
// with Force: patrol's script runs it first, and Uninstall puts it back.
const ChainedSuffix = ".patrol-chained"

// SkipEnv is the environment variable that, set to 1, skips patrol's hooks with a warning.
const SkipEnv = "PATROL_SKIP"

// Script returns the hook script for kind (PreCommit or PrePush) that runs the patrol binary
// at the absolute path patrol, with args (flags of the check, such as --verify) after the
// subcommand.
func Script(kind Kind, patrol string, args ...string) string {
	verb, sub := "commit", "hook pre-commit"
	if kind == PrePush {
		verb, sub = "push", "hook pre-push"
	}
	for _, a := range args {
		sub += " " + shellQuote(a)
	}
	if kind == PrePush {
		sub += ` "$@"`
	}
	q := shellQuote(filepath.ToSlash(patrol))
	var b strings.Builder
	fmt.Fprintf(&b, `#!/bin/sh
%s: written by "patrol hook install", removed by "patrol hook uninstall".
# It refuses a %[2]s that adds an access token. To skip it once, knowingly:
# git %[2]s --no-verify, or %[3]s=1 git %[2]s.
if [ "${%[3]s:-}" = 1 ]; then
	echo "patrol: warning: %[3]s=1: this %[2]s is not checked for tokens" >&2
	exit 0
fi
patrol=%[4]s
if [ ! -x "$patrol" ]; then
	echo "patrol: $patrol is missing: reinstall patrol and run \"patrol hook install\" again (or %[3]s=1 to skip)" >&2
	exit 1
fi
`, Marker, verb, SkipEnv, q)
	chained := `"$0` + ChainedSuffix + `"`
	if kind == PrePush {
		// The chained hook and patrol both read the updates on stdin.
		b.WriteString(`if [ -x ` + chained + ` ]; then
	updates=$(cat)
	printf '%s\n' "$updates" | ` + chained + ` "$@" || exit $?
	printf '%s\n' "$updates" | "$patrol" ` + sub + `
	exit $?
fi
`)
	} else {
		b.WriteString(`if [ -x ` + chained + ` ]; then
	` + chained + ` "$@" || exit $?
fi
`)
	}
	b.WriteString(`exec "$patrol" ` + sub + "\n")
	return b.String()
}

// shellQuote quotes s for sh: single quotes, with each ' written as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// HooksDir returns the absolute hooks directory of the repository around dir, as git uses it:
// core.hooksPath when set, else hooks/ in the common git directory (shared by linked worktrees).
func HooksDir(ctx context.Context, dir string) (string, error) {
	r := git.Runner{Dir: dir, Inherit: true}
	out, err := r.Output(ctx, nil, "rev-parse", "--git-path", "hooks")
	if err != nil {
		msg := err.Error()
		if e := (*git.Error)(nil); errors.As(err, &e) && e.Stderr != "" {
			msg = e.Stderr
		}
		return "", fmt.Errorf("hooks directory of %s: %w (%s)", displayDir(dir), ErrNotRepository, msg)
	}
	p := strings.TrimSpace(string(out))
	if !filepath.IsAbs(p) {
		base := dir
		if base == "" {
			base = "."
		}
		if p = filepath.Join(base, p); !filepath.IsAbs(p) {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
		}
	}
	return filepath.Clean(p), nil
}

func displayDir(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// InstallOptions configure Install.
type InstallOptions struct {
	// Dir is a directory in the repository; empty means the current directory.
	Dir string
	// Patrol is the absolute path of the patrol binary the hooks run.
	Patrol string
	// Args are flags the hooks pass to the check (patrol hook pre-commit --verify).
	Args []string
	// Kinds are the hooks to write: PreCommit, PrePush or both.
	Kinds []Kind
	// Force keeps a hook patrol did not write: it is renamed to <hook>.patrol-chained and
	// run before patrol, whose verdict counts only if it passes.
	Force bool
}

// Action is what Install or Uninstall did to one hook.
type Action string

// The actions.
const (
	Installed Action = "installed" // there was no hook
	Updated   Action = "updated"   // patrol's hook was there, and was rewritten
	Chained   Action = "chained"   // a foreign hook was kept as <hook>.patrol-chained
	Removed   Action = "removed"   // patrol's hook was removed
	Restored  Action = "restored"  // patrol's hook was removed and the chained hook put back
	Absent    Action = "absent"    // no hook of this kind
	LeftAlone Action = "left alone"
)

// Result says what happened to one hook.
type Result struct {
	Kind   Kind
	Path   string // the hook file
	Action Action
}

// Install writes patrol's hook scripts into the repository's hooks directory (core.hooksPath
// honoured). It checks every hook before writing any: a foreign hook without Force is
// ErrForeignHook, naming the file.
func Install(ctx context.Context, opts InstallOptions) ([]Result, error) {
	if !filepath.IsAbs(opts.Patrol) {
		return nil, fmt.Errorf("install hooks: patrol path %q is not absolute", opts.Patrol)
	}
	if len(opts.Kinds) == 0 {
		opts.Kinds = []Kind{PreCommit}
	}
	dir, err := HooksDir(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(opts.Kinds))
	for i, k := range opts.Kinds {
		if k != PreCommit && k != PrePush {
			return nil, fmt.Errorf("install hooks: unknown hook %q", k)
		}
		path := filepath.Join(dir, string(k))
		results[i] = Result{Kind: k, Path: path, Action: Installed}
		ours, exists, err := isPatrols(path)
		switch {
		case err != nil:
			return nil, err
		case !exists:
			continue
		case ours:
			results[i].Action = Updated
			continue
		case !opts.Force:
			return nil, fmt.Errorf("%s: %w; nothing was changed. Rerun with --force to keep it: it is renamed to %s and runs before patrol",
				path, ErrForeignHook, filepath.Base(path)+ChainedSuffix)
		}
		if _, err := os.Lstat(path + ChainedSuffix); err == nil {
			return nil, fmt.Errorf("%s: %w, and %s exists too; nothing was changed: merge them by hand",
				path, ErrForeignHook, filepath.Base(path)+ChainedSuffix)
		}
		results[i].Action = Chained
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("install hooks: %w", err)
	}
	for i, r := range results {
		if r.Action == Chained {
			if err := os.Rename(r.Path, r.Path+ChainedSuffix); err != nil {
				return results[:i], fmt.Errorf("install %s hook: keep the existing one: %w", r.Kind, err)
			}
		}
		if err := writeScript(r.Path, Script(r.Kind, opts.Patrol, opts.Args...)); err != nil {
			return results[:i], fmt.Errorf("install %s hook: %w", r.Kind, err)
		}
	}
	return results, nil
}

// isPatrols reports whether path exists and is a script patrol wrote.
func isPatrols(path string) (ours, exists bool, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("hook %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return false, true, nil // a link or a directory: not ours
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return false, true, fmt.Errorf("hook %s: %w", path, err)
	}
	return bytes.Contains(b, []byte("\n"+Marker)), true, nil
}

// writeScript replaces path with an executable script, atomically.
func writeScript(path, text string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".patrol-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.WriteString(text)
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp, 0o755)); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// Uninstall removes patrol's hooks from the repository around dir and puts back the hooks
// they chained. Hooks patrol did not write are left alone.
func Uninstall(ctx context.Context, dir string) ([]Result, error) {
	hooks, err := HooksDir(ctx, dir)
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, k := range []Kind{PreCommit, PrePush} {
		path := filepath.Join(hooks, string(k))
		r := Result{Kind: k, Path: path, Action: Absent}
		ours, exists, err := isPatrols(path)
		if err != nil {
			return results, err
		}
		switch {
		case exists && !ours:
			r.Action = LeftAlone
		case exists:
			if err := os.Remove(path); err != nil {
				return results, fmt.Errorf("uninstall %s hook: %w", k, err)
			}
			r.Action = Removed
		}
		if r.Action != LeftAlone {
			if _, err := os.Lstat(path + ChainedSuffix); err == nil {
				if err := os.Rename(path+ChainedSuffix, path); err != nil {
					return results, fmt.Errorf("uninstall %s hook: restore %s: %w", k, path+ChainedSuffix, err)
				}
				r.Action = Restored
			}
		}
		results = append(results, r)
	}
	return results, nil
}
