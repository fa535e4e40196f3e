package git

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/patrolsec/patrol/scanner"
)

// packSet reads the blobs of a repository's pack files in process, for both backends: whatever
// reads the history, this is where the bytes come from (git_pack.go has the format).
type packSet struct {
	gitDir string
	// splitMin is the total blob size under which one goroutine reads every blob.
	splitMin int64
	// readLoose reads blobs that are not in a pack (loose, in an alternate, or missing).
	readLoose func(ctx context.Context, ids []oid, maxSize int64, send func(blobMsg) bool) error
	// packs are the pack files, opened on first use and kept for Resolve; noPacks says they
	// could not be read, or must not be (everything then goes through readLoose).
	packs   []*packIndex
	noPacks bool
}

const defaultSplitMin = 16 << 20

// packList returns the open packs.
func (g *packSet) packList() []*packIndex { return g.packs }

// closePacks releases the pack files.
func (g *packSet) closePacks() {
	closePacks(g.packs)
	g.packs = nil
}

// blobReaders bounds the number of goroutines (and cat-file processes) that read blobs at once.
const blobReaders = 4

// Delta scanning: the margin scanned on each side of the bytes a delta inserts, and how much
// further a window may grow to reach a line boundary. The margin exceeds any detector's reach
// around a token (DefaultWindow) so that a token next to an edit is judged in its new context.
const (
	deltaMargin  = 1024
	deltaLineMax = 4096
	// propagateMargin: a base's finding is carried into a delta only when this much context on
	// each side is copied with it; closer to an edit, the delta's own window decides.
	propagateMargin = 512
)

// packItem is a blob in a pack: entry pos of packs[p], at off; w weighs it for splitting.
type packItem struct {
	p   int32
	pos int32
	off uint64
	w   int64
}

// openPacksOnce opens the pack files the first time; when they cannot be read, everything
// goes through cat-file.
func (g *packSet) openPacksOnce() {
	if g.packs == nil && !g.noPacks {
		packs, err := openPacks(g.gitDir)
		if err != nil || len(packs) == 0 { // none: later calls need not look again
			g.noPacks = true
		} else {
			g.packs = packs
		}
	}
}

// readIndexed reads the blobs of idx. Blobs in pack files are read in process, in pack order,
// split into contiguous runs of about equal size read in parallel: a full object is inflated
// and scanned whole; a delta is rebuilt over its (cached) base and only the bytes it changes
// are scanned, when the base is a blob of this scan. Loose blobs, and everything when the
// packs cannot be read, go through readLoose.
func (g *packSet) readIndexed(ctx context.Context, idx *gitIndex, maxSize int64, fn func(blobMsg) error) error {
	g.openPacksOnce()
	var (
		items []packItem
		loose []oid
	)
	pi := map[*packIndex]int32{}
	for k, p := range g.packs {
		pi[p] = int32(k)
	}
	for _, b := range idx.blobs {
		found := false
		for _, p := range g.packs {
			if pos, ok := p.find(b); ok {
				off := p.offs[pos]
				items = append(items, packItem{pi[p], int32(pos), off, int64(p.end(off)-off) + 256})
				found = true
				break
			}
		}
		if !found {
			loose = append(loose, b)
		}
	}
	slices.SortFunc(items, func(a, b packItem) int {
		if a.p != b.p {
			return int(a.p - b.p)
		}
		return cmpUint64(a.off, b.off)
	})
	return g.readItems(ctx, items, idx.has, loose, maxSize, fn)
}

// readItems reads packed blobs (items, in pack order) in parallel runs and loose ones through
// readLoose, and calls fn for each from the calling goroutine. scanned says whether a blob is
// read and scanned whole or as deltas in this scan (a delta base must be, for the delta to be
// scanned around its edits only).
func (g *packSet) readItems(ctx context.Context, items []packItem, scanned func(oid) bool, loose []oid, maxSize int64, fn func(blobMsg) error) error {
	var total int64
	for _, it := range items {
		total += it.w
	}
	readers := min(max(runtime.GOMAXPROCS(0), 1), blobReaders)
	if total < g.splitMin {
		readers = 1
	}
	var runs [][]packItem
	per := total/int64(readers) + 1
	start, acc := 0, int64(0)
	for k, it := range items {
		acc += it.w
		if acc >= per && len(runs) < readers-1 {
			runs = append(runs, items[start:k+1])
			start, acc = k+1, 0
		}
	}
	if start < len(items) {
		runs = append(runs, items[start:])
	}

	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs := make(chan blobMsg, 16)
	send := func(m blobMsg) bool {
		select {
		case msgs <- m:
			return true
		case <-rctx.Done():
			return false
		}
	}
	nworkers := len(runs)
	if len(loose) > 0 {
		nworkers++
	}
	errs := make(chan error, nworkers)
	var wg sync.WaitGroup
	for _, run := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := newPackReader(g.packs, 16<<20)
			var err error
			for k, it := range run {
				if k&63 == 0 && rctx.Err() != nil {
					err = rctx.Err()
					break
				}
				p := g.packs[it.p]
				m := g.packBlob(r, scanned, p.name(int(it.pos)), p, it.off, maxSize)
				if !send(m) {
					err = rctx.Err()
					break
				}
			}
			errs <- err
		}()
	}
	if len(loose) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- g.readLoose(rctx, loose, maxSize, send)
		}()
	}
	go func() {
		wg.Wait()
		close(msgs)
	}()
	var ferr error
	for m := range msgs {
		if ferr != nil {
			continue // drain
		}
		if ferr = fn(m); ferr != nil {
			cancel()
		}
	}
	if ferr != nil {
		return ferr
	}
	for range nworkers {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// packBlob reads blob sha at off in p: whole, or (a delta over a scanned blob) as the windows
// around its edits.
func (g *packSet) packBlob(r *packReader, scanned func(oid) bool, sha oid, p *packIndex, off uint64, maxSize int64) blobMsg {
	m := blobMsg{sha: sha}
	fail := func(err error) blobMsg {
		m.err = fmt.Errorf("%s: %w", p.path, err)
		return m
	}
	h, comp, err := r.header(p, off)
	if err != nil {
		return fail(err)
	}
	if h.typ != objOfsDelta && h.typ != objRefDelta {
		m.size = h.size
		if h.typ != objBlob {
			return fail(fmt.Errorf("%w: object is not a blob", errBadPack))
		}
		if h.size > maxSize {
			return m
		}
		if m.data, err = r.inflate(h, comp); err != nil {
			return fail(err)
		}
		r.cache.put(p, off, objBlob, m.data, true)
		return m
	}
	delta, err := r.inflate(h, comp)
	if err != nil {
		return fail(err)
	}
	_, size, _, err := deltaSizes(delta)
	if err != nil {
		return fail(err)
	}
	m.size = int64(size)
	if m.size > maxSize {
		return m
	}
	bp, boff, err := r.base(p, h)
	if err != nil {
		return fail(err)
	}
	btyp, bdata, err := r.object(bp, boff)
	if err != nil {
		return fail(err)
	}
	if btyp != objBlob {
		return fail(fmt.Errorf("%w: delta base is not a blob", errBadPack))
	}
	var ops []copyOp
	target, err := applyDelta(bdata, delta, &ops, r.alloc)
	if err != nil {
		return fail(err)
	}
	// The edits suffice only when the base was scanned whole or the same way: a blob of this
	// scan, not skipped, not UTF-16.
	whole := true
	if pos, ok := bp.at(boff); ok {
		if b := bp.name(pos); scanned(b) && int64(len(bdata)) <= maxSize && !scanner.IsBinary(bdata) && scanner.UTF16(bdata) == "" {
			m.base, m.hasBase = b, true
			whole = false
		}
	}
	var wins []window
	if !whole {
		wins = insertWindows(target, ops, len(bdata), deltaMargin, deltaLineMax)
		n := 0
		for _, w := range wins {
			n += w.end - w.start
		}
		whole = n*10 > len(target)*9 // nearly all new: scan it whole
	}
	switch {
	case scanner.IsArchive(target):
		m.data, m.hasBase = target, false // whole: the scan looks inside it
	case scanner.UTF16(target) != "": // whole: windows would cut its characters in two
		m.data, m.hasBase = target, false
	case scanner.IsBinary(target):
		m.binary, m.hasBase = true, false
	case whole:
		m.data, m.hasBase = target, false
	default:
		// Copy the windows out, so that target stays the reader's to recycle.
		m.data, m.key = windowChunk(sha, target, wins)
	}
	r.cache.put(p, off, objBlob, target, whole)
	return m
}
