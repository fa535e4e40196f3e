package git

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// goGit reads a repository with go-git, for hosts without the git binary. It gives the same
// history order and attribution as execGit, more slowly; blobs in packs are read by packSet,
// as with execGit, and go-git reads the others.
type goGit struct {
	r    *gogit.Repository
	repo string
	packSet
}

func openGoGit(dir, repo string) (*goGit, error) {
	// PlainOpen takes a work tree or a bare repository; detection of the enclosing work tree
	// (a subdirectory, as git does) only works for non-bare ones.
	r, err := gogit.PlainOpenWithOptions(dir, &gogit.PlainOpenOptions{EnableDotGitCommonDir: true})
	if errors.Is(err, gogit.ErrRepositoryNotExists) {
		r, err = gogit.PlainOpenWithOptions(dir, &gogit.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	}
	if err != nil {
		if errors.Is(err, gogit.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("open repository %s: %w", repo, ErrNotRepository)
		}
		return nil, fmt.Errorf("open repository %s: %w", repo, err)
	}
	g := &goGit{r: r, repo: repo}
	g.packSet = packSet{splitMin: defaultSplitMin, readLoose: g.readLoose, noPacks: true}
	if fs, ok := r.Storer.(*filesystem.Storage); ok {
		g.gitDir, g.noPacks = fs.Filesystem().Root(), false
	}
	return g, nil
}

func (g *goGit) name() string { return "go-git" }

func (g *goGit) refs(context.Context) ([]refTip, error) {
	it, err := g.r.References()
	if err != nil {
		return nil, fmt.Errorf("list refs of %s: %w", g.repo, err)
	}
	var out []refTip
	err = it.ForEach(func(r *plumbing.Reference) error {
		name := r.Name().String()
		if !strings.HasPrefix(name, "refs/") {
			return nil
		}
		t := refTip{name: name}
		if ref, err := g.r.Reference(r.Name(), true); err == nil {
			if o, err := g.r.Storer.EncodedObject(plumbing.AnyObject, ref.Hash()); err == nil && o.Type() == plumbing.TagObject {
				t.tag = ref.Hash().String()
			}
			if c, ok := g.peel(ref.Hash()); ok {
				t.commit = c.String()
			}
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list refs of %s: %w", g.repo, err)
	}
	slices.SortFunc(out, func(a, b refTip) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// head returns the commit of a detached HEAD; a HEAD on a branch adds no tip of its own.
func (g *goGit) head(context.Context) (string, bool) {
	h, err := g.r.Reference(plumbing.HEAD, false)
	if err != nil || h.Type() != plumbing.HashReference {
		return "", false
	}
	c, ok := g.peel(h.Hash())
	return c.String(), ok
}

// present returns the ids, among ids, of the commits the repository has.
func (g *goGit) present(_ context.Context, ids []string) (map[string]bool, error) {
	have := map[string]bool{}
	for _, id := range ids {
		if o, err := g.r.Storer.EncodedObject(plumbing.CommitObject, plumbing.NewHash(id)); err == nil && o.Type() == plumbing.CommitObject {
			have[id] = true
		}
	}
	return have, nil
}

func (g *goGit) resolveCommit(_ context.Context, rev string) (string, bool) {
	h, err := g.r.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return "", false
	}
	c, ok := g.peel(*h)
	if !ok {
		return "", false
	}
	return c.String(), true
}

// peel follows annotated tags to a commit.
func (g *goGit) peel(h plumbing.Hash) (plumbing.Hash, bool) {
	for range 16 {
		o, err := g.r.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return h, false
		}
		switch o.Type() {
		case plumbing.CommitObject:
			return h, true
		case plumbing.TagObject:
			t, err := object.DecodeTag(g.r.Storer, o)
			if err != nil {
				return h, false
			}
			h = t.Target
		default:
			return h, false
		}
	}
	return h, false
}

func (g *goGit) shallow(context.Context) (bool, error) {
	s, err := g.r.Storer.Shallow()
	if err != nil {
		return false, fmt.Errorf("open repository %s: %w", g.repo, err)
	}
	return len(s) > 0, nil
}

type ggNode struct {
	c        *object.Commit
	children int // included children not yet emitted
	seq      int
}

// history walks the selected commits and diffs each against its parents, in the order of
// `git log --date-order --reverse`, so that "first" means the same as with execGit.
// It does not read messages: msg is never called (objects reads them after).
func (g *goGit) history(ctx context.Context, sel gitSelection, _ func(commitMessage) error) (*gitIndex, error) {
	var tips []plumbing.Hash
	for _, c := range sel.refs {
		tips = append(tips, plumbing.NewHash(c))
	}
	excluded := map[plumbing.Hash]bool{}
	var notRevs []plumbing.Hash
	for _, r := range append([]string{sel.notRev}, sel.notRevs...) {
		if r != "" {
			notRevs = append(notRevs, plumbing.NewHash(r))
		}
	}
	if len(notRevs) > 0 {
		stack := notRevs
		for len(stack) > 0 {
			h := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if excluded[h] {
				continue
			}
			excluded[h] = true
			c, err := g.r.CommitObject(h)
			if err != nil {
				continue // a shallow boundary
			}
			stack = append(stack, c.ParentHashes...)
		}
	}
	// Collect the commits.
	nodes := map[plumbing.Hash]*ggNode{}
	var order []plumbing.Hash
	stack := []plumbing.Hash{}
	for _, t := range tips {
		if c, ok := g.peel(t); ok {
			stack = append(stack, c)
		}
	}
	shallow, _ := g.r.Storer.Shallow()
	isShallow := map[plumbing.Hash]bool{}
	for _, h := range shallow {
		isShallow[h] = true
	}
	for len(stack) > 0 {
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if nodes[h] != nil || excluded[h] {
			continue
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c, err := g.r.CommitObject(h)
		if err != nil {
			return nil, fmt.Errorf("read history of %s: commit %s: %w", g.repo, h, missingOr(err))
		}
		if !sel.notOlder.IsZero() && c.Committer.When.Before(sel.notOlder) {
			continue
		}
		nodes[h] = &ggNode{c: c, seq: len(order)}
		order = append(order, h)
		if !isShallow[h] {
			stack = append(stack, c.ParentHashes...)
		}
	}
	for _, h := range order {
		for _, p := range nodes[h].c.ParentHashes {
			if n := nodes[p]; n != nil && !isShallow[h] {
				n.children++
			}
		}
	}
	// git's sort_in_topological_order by date: children first, newest first among ready ones;
	// then reversed.
	q := &ggQueue{}
	for _, h := range order {
		if nodes[h].children == 0 {
			heap.Push(q, nodes[h])
		}
	}
	var topo []*ggNode
	for q.Len() > 0 {
		n := heap.Pop(q).(*ggNode)
		topo = append(topo, n)
		if isShallow[n.c.Hash] {
			continue
		}
		for _, p := range n.c.ParentHashes {
			if pn := nodes[p]; pn != nil {
				if pn.children--; pn.children == 0 {
					heap.Push(q, pn)
				}
			}
		}
	}
	slices.Reverse(topo)

	idx := newGitIndex()
	for _, n := range topo {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		cur := idx.addCommit(oid(n.c.Hash))
		tree, err := g.r.TreeObject(n.c.TreeHash)
		if err != nil {
			return nil, fmt.Errorf("read history of %s: commit %s: tree %s: %w", g.repo, n.c.Hash, n.c.TreeHash, missingOr(err))
		}
		var parents []*object.Tree
		if !isShallow[n.c.Hash] {
			for _, p := range n.c.ParentHashes {
				pc, err := g.r.CommitObject(p)
				if err != nil {
					return nil, fmt.Errorf("read history of %s: commit %s: %w", g.repo, p, missingOr(err))
				}
				pt, err := g.r.TreeObject(pc.TreeHash)
				if err != nil {
					return nil, fmt.Errorf("read history of %s: commit %s: tree %s: %w", g.repo, p, pc.TreeHash, missingOr(err))
				}
				parents = append(parents, pt)
			}
		}
		if err := g.diff(idx, cur, "", tree, parents); err != nil {
			return nil, fmt.Errorf("read history of %s: commit %s: %w", g.repo, n.c.Hash, err)
		}
	}
	return idx, nil
}

func missingOr(err error) error {
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return ErrMissingObject
	}
	return err
}

// diff adds the blobs of tree that differ from the same path in every parent tree (all of
// tree for a root commit): a combined diff, as `git log -c --raw` prints it.
func (g *goGit) diff(idx *gitIndex, cur uint32, prefix string, tree *object.Tree, parents []*object.Tree) error {
	pm := make([]map[string]object.TreeEntry, len(parents))
	for i, p := range parents {
		if p == nil {
			continue
		}
		m := make(map[string]object.TreeEntry, len(p.Entries))
		for _, e := range p.Entries {
			m[e.Name] = e
		}
		pm[i] = m
	}
	for _, e := range tree.Entries {
		same := false
		for _, m := range pm {
			if pe, ok := m[e.Name]; ok && pe.Hash == e.Hash && (pe.Mode == filemode.Dir) == (e.Mode == filemode.Dir) {
				same = true
				break
			}
		}
		if same {
			continue
		}
		path := prefix + e.Name
		switch e.Mode {
		case filemode.Dir:
			sub, err := g.r.TreeObject(e.Hash)
			if err != nil {
				return fmt.Errorf("tree %s (%s): %w", e.Hash, path, missingOr(err))
			}
			subParents := make([]*object.Tree, len(parents))
			for i, m := range pm {
				if pe, ok := m[e.Name]; ok && pe.Mode == filemode.Dir {
					if pt, err := g.r.TreeObject(pe.Hash); err == nil {
						subParents[i] = pt
					}
				}
			}
			if err := g.diff(idx, cur, path+"/", sub, subParents); err != nil {
				return err
			}
		case filemode.Regular, filemode.Executable, filemode.Symlink, filemode.Deprecated:
			idx.add(oid(e.Hash), []byte(path), cur)
		}
	}
	return nil
}

func (g *goGit) blobs(ctx context.Context, idx *gitIndex, maxSize int64, fn func(blobMsg) error) error {
	return g.readIndexed(ctx, idx, maxSize, fn)
}

// readLoose reads blobs through go-git's object store.
func (g *goGit) readLoose(ctx context.Context, ids []oid, maxSize int64, send func(blobMsg) bool) error {
	fn := func(m blobMsg) error {
		if !send(m) {
			return ctx.Err()
		}
		return nil
	}
	missing := func(b oid, err error) error { return fn(blobMsg{sha: b, err: err}) }
	var sl slab
	for i, b := range ids {
		if i&63 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		o, err := g.r.Storer.EncodedObject(plumbing.BlobObject, plumbing.Hash(b))
		if err != nil {
			if err := missing(b, missingOr(err)); err != nil {
				return err
			}
			continue
		}
		size := o.Size()
		if size > maxSize {
			if err := fn(blobMsg{sha: b, size: size}); err != nil {
				return err
			}
			continue
		}
		r, err := o.Reader()
		if err != nil {
			if err := missing(b, err); err != nil {
				return err
			}
			continue
		}
		buf := sl.get(int(size))
		_, err = io.ReadFull(r, buf)
		_ = r.Close()
		if err != nil {
			if err := missing(b, err); err != nil {
				return err
			}
			continue
		}
		if err := fn(blobMsg{sha: b, size: size, data: buf}); err != nil {
			return err
		}
	}
	return nil
}

func (g *goGit) commits(ctx context.Context, shas []oid) (map[oid]gitCommit, error) {
	out := map[oid]gitCommit{}
	for _, s := range shas {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		c, err := g.r.CommitObject(plumbing.Hash(s))
		if err != nil {
			return nil, fmt.Errorf("read commits of %s: commit %s: %w", g.repo, s, missingOr(err))
		}
		out[s] = gitCommit{name: c.Author.Name, email: c.Author.Email, date: c.Author.When.UTC()}
	}
	return out, nil
}

// ggQueue is a max-heap by committer date; ties go to the commit seen first.
type ggQueue []*ggNode

func (q ggQueue) Len() int { return len(q) }
func (q ggQueue) Less(i, j int) bool {
	a, b := q[i].c.Committer.When, q[j].c.Committer.When
	if !a.Equal(b) {
		return a.After(b)
	}
	return q[i].seq < q[j].seq
}
func (q ggQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *ggQueue) Push(x any)   { *q = append(*q, x.(*ggNode)) }
func (q *ggQueue) Pop() any {
	old := *q
	n := old[len(old)-1]
	*q = old[:len(old)-1]
	return n
}
