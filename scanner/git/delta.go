package git

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/patrolsec/patrol/scanner"
)

// window is a byte range [start, end) of a blob.
type window struct{ start, end int }

// deltaPair says that child was scanned around its delta's edits only, and inherits the
// findings of base.
type deltaPair struct{ child, base oid }

// windowChunk joins the windows of data into one buffer to scan (each window ends a line) and
// returns it with the chunk's blob key: "<sha>#L:O:C:B:W;…", one group per window: the line
// of the buffer where the window starts, the number of newlines in data before it, the column
// offset of its first line, and the offsets where it starts in the buffer and in data. unwindow
// turns a finding's line, column and offset back into data's.
func windowChunk(sha oid, data []byte, wins []window) ([]byte, string) {
	n := len(wins)
	for _, w := range wins {
		n += w.end - w.start
	}
	buf := make([]byte, 0, n)
	var key strings.Builder
	key.WriteString(sha.String())
	key.WriteByte('#')
	line, nl, lineStart, pos := 1, 0, 0, 0
	for _, w := range wins {
		seg := data[pos:w.start]
		nl += bytes.Count(seg, []byte{'\n'})
		if i := bytes.LastIndexByte(seg, '\n'); i >= 0 {
			lineStart = pos + i + 1
		}
		fmt.Fprintf(&key, "%d:%d:%d:%d:%d;", line, nl, w.start-lineStart, len(buf), w.start)
		seg = data[w.start:w.end]
		buf = append(buf, seg...)
		k := bytes.Count(seg, []byte{'\n'})
		nl += k
		line += k
		if i := bytes.LastIndexByte(seg, '\n'); i >= 0 {
			lineStart = w.start + i + 1
		}
		if len(seg) == 0 || seg[len(seg)-1] != '\n' {
			buf = append(buf, '\n')
			line++
		}
		pos = w.end
	}
	return buf, key.String()
}

// unwindow maps the findings of window chunks back to their blob's lines, columns and offsets,
// and leaves Location.Blob the plain blob id.
func unwindow(fs []scanner.Finding) []scanner.Finding {
	for i := range fs {
		f := &fs[i]
		sha, spec, ok := strings.Cut(f.Location.Blob, "#")
		if !ok {
			continue
		}
		f.Location.Blob = sha
		var bestL, bestO, bestC, bestB, bestW int
		for _, t := range strings.Split(strings.TrimSuffix(spec, ";"), ";") {
			p := strings.Split(t, ":")
			if len(p) != 5 {
				continue
			}
			l, _ := strconv.Atoi(p[0])
			if l > f.Location.Line {
				break
			}
			bestL = l
			bestO, _ = strconv.Atoi(p[1])
			bestC, _ = strconv.Atoi(p[2])
			bestB, _ = strconv.Atoi(p[3])
			bestW, _ = strconv.Atoi(p[4])
		}
		if bestL == 0 {
			continue
		}
		if f.Location.Line == bestL {
			f.Location.Column += bestC
		}
		f.Location.Line = bestO + (f.Location.Line - bestL) + 1
		f.Location.Offset += int64(bestW - bestB)
	}
	return fs
}

// propagate carries findings from delta bases into the blobs that were scanned only around
// their delta's edits: a token that a delta copies from its base, with its context, is in the
// delta's blob too, at the mapped offset. Each such blob has one base, so a walk down the delta
// forest from its roots sees a base's findings complete before carrying them on; the walk keeps
// the contents of the current path only, each built from its parent by one delta.
func (s *GitSource) propagate(ctx context.Context, fs []scanner.Finding) ([]scanner.Finding, error) {
	ps, ok := s.b.(interface{ packList() []*packIndex })
	if !ok || len(ps.packList()) == 0 {
		return fs, nil
	}
	r := newPackReader(ps.packList(), 8<<20)
	// Number the blobs of the delta forest: deltaBase[i] is node i's base node, or -1.
	var nodes []oid
	for _, p := range s.pairs {
		nodes = append(nodes, p.child, p.base)
	}
	slices.SortFunc(nodes, func(a, b oid) int { return bytes.Compare(a[:], b[:]) })
	nodes = slices.Compact(nodes)
	node := func(o oid) (int32, bool) {
		i, ok := slicesBinarySearchOID(nodes, o)
		return int32(i), ok
	}
	deltaBase := make([]int32, len(nodes))
	for i := range deltaBase {
		deltaBase[i] = -1
	}
	for _, p := range s.pairs {
		c, _ := node(p.child)
		b, _ := node(p.base)
		deltaBase[c] = b
	}
	byBlob := map[int32][]int{}
	for k, f := range fs {
		if b, ok := parseOID(f.Location.Blob); ok {
			if i, ok := node(b); ok {
				byBlob[i] = append(byBlob[i], k)
			}
		}
	}
	// The interesting blobs: those with findings and their ancestors.
	interesting := map[int32]bool{}
	var roots []int32
	for i := range byBlob {
		for x, n := i, 0; !interesting[x] && n <= len(deltaBase); n++ {
			interesting[x] = true
			if deltaBase[x] < 0 {
				roots = append(roots, x)
				break
			}
			x = deltaBase[x]
		}
	}
	children := map[int32][]int32{}
	for i, b := range deltaBase {
		if b >= 0 {
			children[b] = append(children[b], int32(i))
		}
	}
	type at struct {
		det       string
		line, col int
	}
	type frame struct {
		x     int32
		data  []byte
		owned bool // data is ours to recycle (not the reader's cache)
		next  int  // next child to visit
	}
	pop := func(stack []frame) []frame {
		if top := stack[len(stack)-1]; top.owned && len(r.free) < 8 {
			r.free = append(r.free, top.data[:0])
		}
		return stack[:len(stack)-1]
	}
	slices.Sort(roots)
	for _, root := range roots {
		if len(children[root]) == 0 {
			continue
		}
		p, off, ok := r.locate(nodes[root])
		if !ok {
			continue
		}
		_, data, err := r.object(p, off)
		if err != nil {
			return nil, fmt.Errorf("blob %s: %w", nodes[root], err)
		}
		stack := []frame{{x: root, data: data}}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			kids := children[top.x]
			if top.next >= len(kids) {
				stack = pop(stack)
				continue
			}
			b := kids[top.next]
			top.next++
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			xf := byBlob[top.x]
			if len(xf) == 0 && !interesting[b] {
				continue // nothing to carry, nothing below
			}
			bp, boff, ok := r.locate(nodes[b])
			if !ok {
				continue
			}
			h, comp, err := r.header(bp, boff)
			if err != nil {
				return nil, fmt.Errorf("blob %s: %w", nodes[b], err)
			}
			delta, err := r.inflate(h, comp)
			if err != nil {
				return nil, fmt.Errorf("blob %s: %w", nodes[b], err)
			}
			var ops []copyOp
			bdata, err := applyDelta(top.data, delta, &ops, r.alloc)
			if err != nil {
				return nil, fmt.Errorf("blob %s: %w", nodes[b], err)
			}
			have := map[at]bool{}
			for _, k := range byBlob[b] {
				have[at{fs[k].DetectorID, fs[k].Location.Line, fs[k].Location.Column}] = true
			}
			for _, k := range xf {
				f := fs[k]
				st, n := int(f.Location.Offset), f.Location.Length
				if st < 0 || n <= 0 || st+n > len(top.data) {
					continue
				}
				lo, hi := max(0, st-propagateMargin), min(len(top.data), st+n+propagateMargin)
				for _, t := range copied(ops, lo, hi) {
					t += st - lo
					line, col := lineCol(bdata, t)
					if have[at{f.DetectorID, line, col}] {
						continue
					}
					have[at{f.DetectorID, line, col}] = true
					f.Location.Line, f.Location.Column, f.Location.Offset = line, col, int64(t)
					f.Location.Blob = nodes[b].String()
					byBlob[b] = append(byBlob[b], len(fs))
					fs = append(fs, f)
				}
			}
			if top.next >= len(kids) {
				stack = pop(stack) // its last child: the walk needs it no more (chains stay shallow)
			}
			if len(children[b]) > 0 && (len(byBlob[b]) > 0 || interesting[b]) {
				stack = append(stack, frame{x: b, data: bdata, owned: true})
			} else if len(r.free) < 8 {
				r.free = append(r.free, bdata[:0])
			}
		}
	}
	return fs, nil
}

// lineCol returns the 1-based line and column of off.
func lineCol(data []byte, off int) (int, int) {
	return 1 + bytes.Count(data[:off], []byte{'\n'}), off - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
}
