package git

import (
	"bufio"
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/patrolsec/patrol/scanner"
)

// KeepAdded keeps the findings of a git history scan (GitSource) that sit on a line their
// commit adds: a line in none of the commit's parents, after rename detection, as for a staged
// commit. A pre-push hook uses it so that a push is not refused for a token the remote already
// has in the lines around a change. dir is a directory of the repository. When git cannot say
// (a parent beyond a shallow boundary), the findings of that commit are kept. Findings in a
// commit or tag message, and in an archive the commit changes, are always kept.
func KeepAdded(ctx context.Context, dir string, findings []scanner.Finding) ([]scanner.Finding, error) {
	var commits []string
	seen := map[string]bool{}
	for _, f := range findings {
		if f.Location.Kind != "" {
			continue // a message: no diff to read
		}
		if c := f.Location.Commit; c != "" && !seen[c] {
			seen[c] = true
			commits = append(commits, c)
		}
	}
	if len(commits) == 0 {
		return findings, nil
	}
	run := hookRunner(dir)
	parents, err := commitParents(ctx, &run, commits)
	if err != nil {
		return nil, err
	}
	type pair struct{ commit, parent string }
	var pairs []pair
	for _, c := range commits {
		ps := parents[c]
		if len(ps) == 0 {
			ps = []string{EmptyTree} // a root commit adds everything
		}
		for _, p := range ps {
			pairs = append(pairs, pair{c, p})
		}
	}
	sets := make([]map[string]lineSet, len(pairs))
	errs := make([]error, len(pairs))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, p := range pairs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			args := append([]string{"diff-tree", "-r", "-U0"}, diffArgs...)
			g := startGit(ctx, &run, nil, append(args, p.parent, p.commit)...)
			if g.err == nil {
				sets[i], errs[i] = addedLines(g.Stdout)
			}
			if err := g.wait(); err != nil && errs[i] == nil {
				errs[i] = err
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// added[commit][path]; a commit whose diff failed is missing, and keeps its findings.
	added := map[string]map[string]lineSet{}
	failed := map[string]bool{}
	for i, p := range pairs {
		if errs[i] != nil {
			failed[p.commit] = true
			continue
		}
		cur, ok := added[p.commit]
		if !ok {
			added[p.commit] = sets[i]
			continue
		}
		for path, a := range cur {
			cur[path] = a.intersect(sets[i][path])
		}
	}
	out := findings[:0:0]
	for _, f := range findings {
		l := f.Location
		if l.Kind != "" {
			// A commit or tag message: the pushed commit or tag brings it whole.
			out = append(out, f)
			continue
		}
		if strings.Contains(l.Path, scanner.ArchiveSep) {
			// A member of an archive: the (binary) archive's diff has no lines, but the commit
			// introduced this version of the archive, which holds the token.
			out = append(out, f)
			continue
		}
		if l.Commit == "" || failed[l.Commit] || added[l.Commit][l.Path].has(l.Line) {
			out = append(out, f)
		}
	}
	return out, nil
}

// commitParents returns the parents of each commit, with one `git log --no-walk`.
func commitParents(ctx context.Context, run *Runner, commits []string) (map[string][]string, error) {
	stdin := strings.NewReader(strings.Join(commits, "\n") + "\n")
	g := startGit(ctx, run, stdin, "log", "--no-walk=unsorted", "--format=%H %P", "--stdin")
	out := map[string][]string{}
	if g.err == nil {
		sc := bufio.NewScanner(g.Stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) > 0 {
				out[f[0]] = f[1:]
			}
		}
	}
	if err := g.wait(); err != nil {
		return nil, fmt.Errorf("parents of pushed commits: %w", err)
	}
	return out, nil
}
