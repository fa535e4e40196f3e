package git

import (
	"bytes"
	"container/list"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/klauspost/compress/zlib"
)

// This file reads git pack files directly, for the shape where blob-level scanning costs most: a
// few big files rewritten in most commits, stored as deltas. A delta is a list of instructions
// over its base: copy a range of the base, or insert literal bytes. Only the inserted bytes (with
// a margin) can hold a token the base does not, so only they are scanned; tokens in copied ranges
// are carried over from the base's findings in Resolve. Reconstructing each version is a memcpy
// in process, which costs far less than inflating it and piping it out of git.

// Pack object types.
const (
	objCommit   = 1
	objTree     = 2
	objBlob     = 3
	objTag      = 4
	objOfsDelta = 6
	objRefDelta = 7
)

var errBadPack = errors.New("malformed pack")

// trustedSize is the largest object size allocated up front from a header; bigger objects grow
// as their data arrives.
const trustedSize = 64 << 20

// packIndex is one pack and its .idx (version 2).
type packIndex struct {
	path  string
	f     *os.File
	size  int64  // of the .pack
	names []byte // n × 20, sorted
	offs  []uint64
	// byOff lists entry positions by offset: the reverse index, for object ends and for the
	// id of a delta's base.
	byOff []uint32
}

// openPacks opens every pack of the object directory of gitDir (alternates are not followed:
// what is not found here is read through cat-file).
func openPacks(gitDir string) ([]*packIndex, error) {
	idxs, err := filepath.Glob(filepath.Join(gitDir, "objects", "pack", "*.idx"))
	if err != nil {
		return nil, err
	}
	var packs []*packIndex
	for _, ip := range idxs {
		p, err := openPackIndex(ip)
		if err != nil {
			closePacks(packs)
			return nil, fmt.Errorf("pack %s: %w", filepath.Base(ip), err)
		}
		packs = append(packs, p)
	}
	return packs, nil
}

func closePacks(packs []*packIndex) {
	for _, p := range packs {
		_ = p.f.Close()
	}
}

func openPackIndex(idxPath string) (*packIndex, error) {
	data, err := os.ReadFile(idxPath)
	if err != nil {
		return nil, err
	}
	p, err := parsePackIndex(data)
	if err != nil {
		return nil, err
	}
	p.path = strings.TrimSuffix(idxPath, ".idx") + ".pack"
	f, err := os.Open(p.path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	p.f, p.size = f, fi.Size()
	return p, nil
}

// parsePackIndex parses a version 2 pack index.
func parsePackIndex(data []byte) (*packIndex, error) {
	if len(data) < 8+256*4 || !bytes.Equal(data[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(data[4:8]) != 2 {
		return nil, fmt.Errorf("%w: not a version 2 index", errBadPack)
	}
	fan := data[8 : 8+256*4]
	n := int(binary.BigEndian.Uint32(fan[255*4:]))
	base := 8 + 256*4
	need := base + n*20 + n*4 + n*4
	if len(data) < need+40 {
		return nil, fmt.Errorf("%w: index truncated", errBadPack)
	}
	p := &packIndex{names: data[base : base+n*20]}
	off32 := data[base+n*24 : base+n*28]
	off64 := data[base+n*28:]
	p.offs = make([]uint64, n)
	for i := range n {
		o := binary.BigEndian.Uint32(off32[i*4:])
		if o&0x80000000 != 0 {
			k := int(o & 0x7fffffff)
			if len(off64) < (k+1)*8 {
				return nil, fmt.Errorf("%w: bad large offset", errBadPack)
			}
			p.offs[i] = binary.BigEndian.Uint64(off64[k*8:])
		} else {
			p.offs[i] = uint64(o)
		}
	}
	p.byOff = make([]uint32, n)
	for i := range p.byOff {
		p.byOff[i] = uint32(i)
	}
	sort.Slice(p.byOff, func(a, b int) bool { return p.offs[p.byOff[a]] < p.offs[p.byOff[b]] })
	return p, nil
}

func (p *packIndex) name(i int) oid {
	var o oid
	copy(o[:], p.names[i*20:])
	return o
}

// find returns the entry position of o.
func (p *packIndex) find(o oid) (int, bool) {
	n := len(p.offs)
	i := sort.Search(n, func(i int) bool { return bytes.Compare(p.names[i*20:i*20+20], o[:]) >= 0 })
	return i, i < n && bytes.Equal(p.names[i*20:i*20+20], o[:])
}

// at returns the entry position of the object at off.
func (p *packIndex) at(off uint64) (int, bool) {
	k := sort.Search(len(p.byOff), func(k int) bool { return p.offs[p.byOff[k]] >= off })
	if k < len(p.byOff) && p.offs[p.byOff[k]] == off {
		return int(p.byOff[k]), true
	}
	return 0, false
}

// end returns where the object at off ends (the next object, or the trailing checksum).
func (p *packIndex) end(off uint64) uint64 {
	k := sort.Search(len(p.byOff), func(k int) bool { return p.offs[p.byOff[k]] > off })
	if k < len(p.byOff) {
		return p.offs[p.byOff[k]]
	}
	return uint64(p.size - 20)
}

// packObj is an object's header.
type packObj struct {
	typ     int
	size    int64  // inflated size (of the delta, for deltas)
	data    uint64 // offset of the compressed data
	baseOff uint64 // objOfsDelta
	baseRef oid    // objRefDelta
}

// packReader reads objects from packs, keeping recently built objects (delta bases) in a cache
// bounded in bytes. It is not safe for concurrent use: each reading goroutine has its own.
type packReader struct {
	packs []*packIndex
	buf   []byte
	zr    io.ReadCloser
	cache objCache
	// free holds buffers evicted from the cache that nothing else references, for reuse: the
	// delta-heavy shape rebuilds many big versions, and recycling keeps the heap (and RSS) flat.
	free [][]byte
}

func newPackReader(packs []*packIndex, cacheBytes int) *packReader {
	r := &packReader{packs: packs, cache: objCache{limit: cacheBytes, items: map[cacheKey]*list.Element{}}}
	r.cache.evict = func(it *cacheItem) {
		if !it.shared && len(r.free) < 8 {
			r.free = append(r.free, it.data[:0])
		}
	}
	return r
}

// alloc returns a buffer of n bytes, reusing a free one that fits without much waste.
func (r *packReader) alloc(n int) []byte {
	for k, b := range r.free {
		if cap(b) >= n && cap(b) <= 2*n+4096 {
			r.free[k] = r.free[len(r.free)-1]
			r.free = r.free[:len(r.free)-1]
			return b[:n]
		}
	}
	return make([]byte, n)
}

// read returns the raw bytes of [off, end) of p, reusing a buffer.
func (r *packReader) read(p *packIndex, off, end uint64) ([]byte, error) {
	if end < off || end-off > 1<<34 {
		return nil, errBadPack
	}
	n := int(end - off)
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	b := r.buf[:n]
	if _, err := p.f.ReadAt(b, int64(off)); err != nil {
		return nil, err
	}
	return b, nil
}

func (r *packReader) header(p *packIndex, off uint64) (packObj, []byte, error) {
	raw, err := r.read(p, off, p.end(off))
	if err != nil {
		return packObj{}, nil, err
	}
	return parseHeader(raw, off)
}

// parseHeader parses the object header at the start of raw (read at off).
func parseHeader(raw []byte, off uint64) (packObj, []byte, error) {
	var h packObj
	i := 0
	if len(raw) == 0 {
		return h, nil, errBadPack
	}
	c := raw[0]
	h.typ = int(c>>4) & 7
	h.size = int64(c & 15)
	shift := 4
	for i = 1; c&0x80 != 0; i++ {
		if i >= len(raw) || shift > 56 {
			return h, nil, errBadPack
		}
		c = raw[i]
		h.size |= int64(c&0x7f) << shift
		shift += 7
	}
	switch h.typ {
	case objOfsDelta:
		if i >= len(raw) {
			return h, nil, errBadPack
		}
		c = raw[i]
		i++
		rel := uint64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(raw) || rel > 1<<56 {
				return h, nil, errBadPack
			}
			c = raw[i]
			i++
			rel = (rel+1)<<7 | uint64(c&0x7f)
		}
		if rel > off {
			return h, nil, errBadPack
		}
		h.baseOff = off - rel
	case objRefDelta:
		if i+20 > len(raw) {
			return h, nil, errBadPack
		}
		copy(h.baseRef[:], raw[i:i+20])
		i += 20
	case objCommit, objTree, objBlob, objTag:
	default:
		return h, nil, fmt.Errorf("%w: object type %d at %d", errBadPack, h.typ, off)
	}
	h.data = off + uint64(i)
	return h, raw[i:], nil
}

// inflate decompresses an object's data (exactly h.size bytes) into a new slice.
func (r *packReader) inflate(h packObj, compressed []byte) ([]byte, error) {
	if h.size < 0 || h.size > 1<<34 {
		return nil, errBadPack
	}
	br := bytes.NewReader(compressed)
	var err error
	if r.zr == nil {
		r.zr, err = zlib.NewReader(br)
	} else {
		err = r.zr.(zlib.Resetter).Reset(br, nil)
	}
	if err != nil {
		return nil, err
	}
	var out []byte
	if h.size > trustedSize {
		// A size this big is read as it inflates, so that a damaged or hostile header cannot
		// make us allocate what the data does not hold.
		var b bytes.Buffer
		if n, err := io.CopyN(&b, r.zr, h.size); err != nil || n != h.size {
			return nil, fmt.Errorf("%w: inflate: %v", errBadPack, err)
		}
		out = b.Bytes()
	} else {
		out = make([]byte, h.size)
		if h.typ != objOfsDelta && h.typ != objRefDelta {
			out = r.alloc(int(h.size))
		}
		if _, err := io.ReadFull(r.zr, out); err != nil {
			return nil, fmt.Errorf("%w: inflate: %v", errBadPack, err)
		}
	}
	// Read to the end of the stream, which checks its Adler-32: a damaged object is an error,
	// never silently wrong content.
	var one [1]byte
	if n, err := r.zr.Read(one[:]); n != 0 || err != io.EOF {
		return nil, fmt.Errorf("%w: inflate: object longer than its header says, or checksum mismatch", errBadPack)
	}
	return out, nil
}

// typeOf returns the type of the object at entry pos of p (following delta bases), memoized in
// types (one slice per pack, by entry position).
func (r *packReader) typeOf(p *packIndex, pos int, types map[*packIndex][]int8, depth int) (int, error) {
	t := types[p]
	if t == nil {
		t = make([]int8, len(p.offs))
		types[p] = t
	}
	if t[pos] != 0 {
		return int(t[pos]), nil
	}
	if depth > 10000 {
		return 0, fmt.Errorf("%w: delta chain too long", errBadPack)
	}
	off := p.offs[pos]
	var small [64]byte
	n := min(uint64(len(small)), p.end(off)-off)
	if _, err := p.f.ReadAt(small[:n], int64(off)); err != nil {
		return 0, err
	}
	h, _, err := parseHeader(small[:n], off)
	if err != nil {
		return 0, err
	}
	typ := h.typ
	switch h.typ {
	case objOfsDelta:
		bpos, ok := p.at(h.baseOff)
		if !ok {
			return 0, fmt.Errorf("%w: no object at delta base offset %d", errBadPack, h.baseOff)
		}
		if typ, err = r.typeOf(p, bpos, types, depth+1); err != nil {
			return 0, err
		}
	case objRefDelta:
		bp, boff, ok := r.locate(h.baseRef)
		if !ok {
			return 0, fmt.Errorf("delta base %s: %w", h.baseRef, ErrMissingObject)
		}
		bpos, _ := bp.at(boff)
		if typ, err = r.typeOf(bp, bpos, types, depth+1); err != nil {
			return 0, err
		}
	}
	t[pos] = int8(typ)
	return typ, nil
}

// locate finds o in the packs.
func (r *packReader) locate(o oid) (*packIndex, uint64, bool) {
	for _, p := range r.packs {
		if i, ok := p.find(o); ok {
			return p, p.offs[i], true
		}
	}
	return nil, 0, false
}

// base returns where a delta's base lives.
func (r *packReader) base(p *packIndex, h packObj) (*packIndex, uint64, error) {
	if h.typ == objOfsDelta {
		return p, h.baseOff, nil
	}
	bp, bo, ok := r.locate(h.baseRef)
	if !ok {
		return nil, 0, fmt.Errorf("delta base %s: %w", h.baseRef, ErrMissingObject)
	}
	return bp, bo, nil
}

// object returns the type and content of the object at off, building it from its delta chain
// (cached). Deltas are followed iteratively, so a deep chain cannot overflow the stack.
func (r *packReader) object(p *packIndex, off uint64) (int, []byte, error) {
	type step struct {
		p     *packIndex
		off   uint64
		delta []byte
	}
	var chain []step
	typ, data := 0, []byte(nil)
	for {
		if t, d, ok := r.cache.get(p, off); ok {
			typ, data = t, d
			break
		}
		h, comp, err := r.header(p, off)
		if err != nil {
			return 0, nil, err
		}
		raw, err := r.inflate(h, comp)
		if err != nil {
			return 0, nil, err
		}
		if h.typ != objOfsDelta && h.typ != objRefDelta {
			typ, data = h.typ, raw
			r.cache.put(p, off, typ, data, false)
			break
		}
		chain = append(chain, step{p, off, raw})
		if len(chain) > 10000 {
			return 0, nil, fmt.Errorf("%w: delta chain too long", errBadPack)
		}
		if p, off, err = r.base(p, h); err != nil {
			return 0, nil, err
		}
	}
	for i := len(chain) - 1; i >= 0; i-- {
		out, err := applyDelta(data, chain[i].delta, nil, r.alloc)
		if err != nil {
			return 0, nil, err
		}
		data = out
		r.cache.put(chain[i].p, chain[i].off, typ, data, false)
	}
	return typ, data, nil
}

// deltaSizes returns the base and result sizes a delta declares.
func deltaSizes(delta []byte) (baseSize, size uint64, rest []byte, err error) {
	v := func() (uint64, bool) {
		var x uint64
		for shift := uint(0); len(delta) > 0 && shift < 64; shift += 7 {
			c := delta[0]
			delta = delta[1:]
			x |= uint64(c&0x7f) << shift
			if c&0x80 == 0 {
				return x, true
			}
		}
		return 0, false
	}
	var ok1, ok2 bool
	baseSize, ok1 = v()
	size, ok2 = v()
	if !ok1 || !ok2 {
		return 0, 0, nil, fmt.Errorf("%w: delta header", errBadPack)
	}
	return baseSize, size, delta, nil
}

// copyOp is one copy instruction of a delta: n bytes from base offset from, to target offset to.
type copyOp struct{ to, from, n int }

// applyDelta builds the target of delta over base, in a buffer from alloc (nil: a new one).
// When ops is not nil, it receives every copy instruction; the bytes between copies are the
// inserted ones.
func applyDelta(base, delta []byte, ops *[]copyOp, alloc func(int) []byte) ([]byte, error) {
	bs, size, d, err := deltaSizes(delta)
	if err != nil {
		return nil, err
	}
	if bs != uint64(len(base)) || size > 1<<34 {
		return nil, fmt.Errorf("%w: delta base size %d, base is %d", errBadPack, bs, len(base))
	}
	var out []byte
	switch {
	case size > trustedSize:
		out = make([]byte, 0, trustedSize) // grows only as instructions really produce bytes
	case alloc != nil:
		out = alloc(int(size))[:0]
	default:
		out = make([]byte, 0, size)
	}
	for len(d) > 0 {
		c := d[0]
		d = d[1:]
		switch {
		case c&0x80 != 0:
			var off, n uint32
			for k := range 4 {
				if c&(1<<k) != 0 {
					if len(d) == 0 {
						return nil, fmt.Errorf("%w: delta copy", errBadPack)
					}
					off |= uint32(d[0]) << (8 * k)
					d = d[1:]
				}
			}
			for k := range 3 {
				if c&(0x10<<k) != 0 {
					if len(d) == 0 {
						return nil, fmt.Errorf("%w: delta copy", errBadPack)
					}
					n |= uint32(d[0]) << (8 * k)
					d = d[1:]
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if uint64(off)+uint64(n) > uint64(len(base)) || uint64(len(out))+uint64(n) > size {
				return nil, fmt.Errorf("%w: delta copy out of range", errBadPack)
			}
			if ops != nil {
				// Coalesce copies that continue each other (git splits long ones).
				if k := len(*ops) - 1; k >= 0 && (*ops)[k].to+(*ops)[k].n == len(out) && (*ops)[k].from+(*ops)[k].n == int(off) {
					(*ops)[k].n += int(n)
				} else {
					*ops = append(*ops, copyOp{to: len(out), from: int(off), n: int(n)})
				}
			}
			out = append(out, base[off:off+n]...)
		case c != 0:
			if int(c) > len(d) || uint64(len(out))+uint64(c) > size {
				return nil, fmt.Errorf("%w: delta insert", errBadPack)
			}
			out = append(out, d[:c]...)
			d = d[c:]
		default:
			return nil, fmt.Errorf("%w: delta opcode 0", errBadPack)
		}
	}
	if uint64(len(out)) != size {
		return nil, fmt.Errorf("%w: delta result size", errBadPack)
	}
	return out, nil
}

// objCache is an LRU of built objects, bounded in bytes.
type cacheKey struct {
	p   *packIndex
	off uint64
}

type cacheItem struct {
	key    cacheKey
	typ    int
	data   []byte
	shared bool // handed out beyond the reader: never recycle
}

type objCache struct {
	limit, used int
	lru         list.List
	items       map[cacheKey]*list.Element
	evict       func(*cacheItem)
}

func (c *objCache) get(p *packIndex, off uint64) (int, []byte, bool) {
	e, ok := c.items[cacheKey{p, off}]
	if !ok {
		return 0, nil, false
	}
	c.lru.MoveToFront(e)
	it := e.Value.(*cacheItem)
	return it.typ, it.data, true
}

// put caches data; shared says it is referenced elsewhere too (so never recycled).
func (c *objCache) put(p *packIndex, off uint64, typ int, data []byte, shared bool) {
	k := cacheKey{p, off}
	if e, ok := c.items[k]; ok {
		e.Value.(*cacheItem).shared = e.Value.(*cacheItem).shared || shared
		return
	}
	if len(data) > c.limit/2 {
		return
	}
	c.items[k] = c.lru.PushFront(&cacheItem{k, typ, data, shared})
	c.used += len(data)
	for c.used > c.limit {
		e := c.lru.Back()
		it := e.Value.(*cacheItem)
		c.lru.Remove(e)
		delete(c.items, it.key)
		c.used -= len(it.data)
		if c.evict != nil {
			c.evict(it)
		}
	}
}

// insertWindows returns the ranges of target to scan: each edit (the bytes inserted between
// copies, or the seam where two copies of distant base ranges meet: a deletion, also one at
// the start or the end of the base of baseLen bytes), widened by margin on each side and then
// out to line boundaries (at most lineMax further), merged where they touch. ops must be
// coalesced (applyDelta does it).
func insertWindows(target []byte, ops []copyOp, baseLen, margin, lineMax int) []window {
	var ins []window
	pos := 0
	for k, op := range ops {
		if op.to > pos || k > 0 || op.from > 0 {
			ins = append(ins, window{pos, op.to})
		}
		pos = op.to + op.n
	}
	if n := len(ops); pos < len(target) || n > 0 && ops[n-1].from+ops[n-1].n < baseLen {
		ins = append(ins, window{pos, len(target)})
	}
	var out []window
	for _, w := range ins {
		s, e := max(0, w.start-margin), min(len(target), w.end+margin)
		if i := bytes.LastIndexByte(target[max(0, s-lineMax):s], '\n'); i >= 0 {
			s = max(0, s-lineMax) + i + 1
		} else {
			s = max(0, s-lineMax)
		}
		if i := bytes.IndexByte(target[e:min(len(target), e+lineMax)], '\n'); i >= 0 {
			e += i + 1
		} else {
			e = min(len(target), e+lineMax)
		}
		if n := len(out); n > 0 && out[n-1].end >= s {
			out[n-1].end = max(out[n-1].end, e)
			continue
		}
		out = append(out, window{s, e})
	}
	return out
}

// copied returns where the target holds the base range [s, e): once per copy instruction that
// copies all of it.
func copied(ops []copyOp, s, e int) []int {
	var out []int
	for _, op := range ops {
		if op.from <= s && e <= op.from+op.n {
			out = append(out, op.to+s-op.from)
		}
	}
	return out
}
