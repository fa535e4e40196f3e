package git

import (
	"bytes"
	"encoding/hex"
	"slices"
)

// oid is a SHA-1 git object id.
type oid [20]byte

func (o oid) String() string { return hex.EncodeToString(o[:]) }

func parseOID(s string) (oid, bool) {
	var o oid
	if len(s) != 40 {
		return o, false
	}
	if _, err := hex.Decode(o[:], []byte(s)); err != nil {
		return o, false
	}
	return o, true
}

func parseOIDBytes(b []byte) (oid, bool) {
	var o oid
	if len(b) != 40 {
		return o, false
	}
	if _, err := hex.Decode(o[:], b); err != nil {
		return o, false
	}
	return o, true
}

// gitEntry says: blob first appeared at path in commit (indexes into gitIndex).
type gitEntry struct {
	blob   oid
	path   uint32
	commit uint32
}

// gitIndex maps blobs to the (path, commit) pairs that introduced them. Entries are appended
// in history order (parents first); finish keeps the first per (blob, path). It holds ids and
// interned paths only, 28 bytes per entry, so that big histories stay small in memory.
type gitIndex struct {
	commits []oid
	paths   []string
	pathIDs map[string]uint32
	entries []gitEntry
	blobs   []oid // distinct blobs, sorted (after finish)
	// messagesRead says the commits' messages were delivered with the history (execGit), so
	// only the tags' remain to be read.
	messagesRead bool
}

func newGitIndex() *gitIndex {
	return &gitIndex{pathIDs: map[string]uint32{}}
}

// addCommit starts a commit; its entries follow.
func (x *gitIndex) addCommit(c oid) uint32 {
	x.commits = append(x.commits, c)
	return uint32(len(x.commits) - 1)
}

// add records that blob appeared at path in commit.
func (x *gitIndex) add(blob oid, path []byte, commit uint32) {
	id, ok := x.pathIDs[string(path)]
	if !ok {
		id = uint32(len(x.paths))
		p := string(path)
		x.paths = append(x.paths, p)
		x.pathIDs[p] = id
	}
	x.entries = append(x.entries, gitEntry{blob: blob, path: id, commit: commit})
}

// finish sorts the entries by blob and path, keeps the earliest per (blob, path), and lists
// the distinct blobs.
func (x *gitIndex) finish() {
	slices.SortStableFunc(x.entries, func(a, b gitEntry) int {
		if c := bytes.Compare(a.blob[:], b.blob[:]); c != 0 {
			return c
		}
		return int(a.path) - int(b.path)
	})
	out := x.entries[:0]
	for i, e := range x.entries {
		if i > 0 {
			p := out[len(out)-1]
			if p.blob == e.blob && p.path == e.path {
				continue
			}
		}
		out = append(out, e)
	}
	x.entries = slices.Clip(out)
	x.pathIDs = nil // no more adds
	x.blobs = x.blobs[:0]
	for i, e := range x.entries {
		if i == 0 || x.entries[i-1].blob != e.blob {
			x.blobs = append(x.blobs, e.blob)
		}
	}
}

// lookup returns the entries of blob (after finish).
func (x *gitIndex) lookup(blob oid) []gitEntry {
	i, _ := slices.BinarySearchFunc(x.entries, blob, func(e gitEntry, b oid) int {
		return bytes.Compare(e.blob[:], b[:])
	})
	j := i
	for j < len(x.entries) && x.entries[j].blob == blob {
		j++
	}
	return x.entries[i:j]
}

// has reports whether blob is in the index (after finish).
func (x *gitIndex) has(blob oid) bool {
	_, ok := slices.BinarySearchFunc(x.blobs, blob, func(a, b oid) int { return bytes.Compare(a[:], b[:]) })
	return ok
}

// first returns the entry of blob whose commit comes first in history, or nil.
func (x *gitIndex) first(blob oid) *gitEntry {
	var best *gitEntry
	es := x.lookup(blob)
	for i := range es {
		if best == nil || es[i].commit < best.commit {
			best = &es[i]
		}
	}
	return best
}
