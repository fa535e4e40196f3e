package git

import (
	"bytes"
	"testing"

	"github.com/patrolsec/patrol/scanner"
)

// deltaHeader encodes the two sizes that start a delta.
func deltaHeader(base, size int) []byte {
	var out []byte
	for _, v := range []int{base, size} {
		for {
			c := byte(v & 0x7f)
			v >>= 7
			if v != 0 {
				c |= 0x80
			}
			out = append(out, c)
			if v == 0 {
				break
			}
		}
	}
	return out
}

func TestApplyDelta(t *testing.T) {
	t.Parallel()
	base := []byte("0123456789abcdefghij")
	// copy base[10:20], insert "XY", copy base[0:5]
	delta := append(deltaHeader(len(base), 17), 0x91, 10, 10, 2, 'X', 'Y', 0x91, 0, 5)
	var ops []copyOp
	got, err := applyDelta(base, delta, &ops, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "abcdefghijXY01234" {
		t.Errorf("applyDelta = %q, want %q", got, "abcdefghijXY01234")
	}
	want := []copyOp{{to: 0, from: 10, n: 10}, {to: 12, from: 0, n: 5}}
	if len(ops) != 2 || ops[0] != want[0] || ops[1] != want[1] {
		t.Errorf("ops = %v, want %v", ops, want)
	}
	wins := insertWindows(got, ops, len(base), 1, 100)
	if len(wins) != 1 || wins[0].start > 10 || wins[0].end < 14 {
		t.Errorf("insertWindows = %v, want one window around [10,14)", wins)
	}
	if c := copied(ops, 12, 15); len(c) != 1 || c[0] != 2 {
		t.Errorf("copied(12,15) = %v, want [2]", c)
	}
}

func TestWindowChunk(t *testing.T) {
	t.Parallel()
	data := []byte("l1\nl2 abc\nl3\nl4 xyz tail\nl5\n")
	// Windows on "abc" (mid-line) and on line 4 from its start.
	wins := []window{{6, 10}, {13, 25}}
	buf, key := windowChunk(oid{1}, data, wins)
	if string(buf) != "abc\nl4 xyz tail\n" {
		t.Fatalf("buf = %q", buf)
	}
	fs := unwindow([]scanner.Finding{
		{Location: scanner.Location{Blob: key, Line: 1, Column: 1, Offset: 0}}, // "abc"
		{Location: scanner.Location{Blob: key, Line: 2, Column: 4, Offset: 7}}, // "xyz"
	})
	if l := fs[0].Location; l.Line != 2 || l.Column != 4 {
		t.Errorf("abc at %d:%d, want 2:4", l.Line, l.Column)
	}
	if l := fs[1].Location; l.Line != 4 || l.Column != 4 {
		t.Errorf("xyz at %d:%d, want 4:4", l.Line, l.Column)
	}
	for i, word := range []string{"abc", "xyz"} {
		if off := fs[i].Location.Offset; string(data[off:off+3]) != word {
			t.Errorf("%s at offset %d, which holds %q", word, off, data[off:off+3])
		}
	}
	if fs[0].Location.Blob != (oid{1}).String() {
		t.Errorf("blob = %q, want the plain id", fs[0].Location.Blob)
	}
}

// FuzzApplyDelta: deltas come from repositories, which may be hostile: no panic, and a result
// that is either an error or exactly the size the delta declares.
func FuzzApplyDelta(f *testing.F) {
	base := []byte("0123456789abcdefghij")
	f.Add(base, append(deltaHeader(len(base), 17), 0x91, 10, 10, 2, 'X', 'Y', 0x91, 0, 5))
	f.Add(base, append(deltaHeader(len(base), 3), 3, 'a', 'b', 'c'))
	f.Add([]byte{}, deltaHeader(0, 1<<40))
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		var ops []copyOp
		out, err := applyDelta(base, delta, &ops, nil)
		if err != nil {
			return
		}
		_, size, _, _ := deltaSizes(delta)
		if uint64(len(out)) != size {
			t.Fatalf("len = %d, declared %d", len(out), size)
		}
		for _, op := range ops {
			if !bytes.Equal(out[op.to:op.to+op.n], base[op.from:op.from+op.n]) {
				t.Fatalf("copy %v does not match", op)
			}
		}
		insertWindows(out, ops, len(base), 16, 64)
	})
}

// FuzzPackIndex: a damaged index is an error, never a panic.
func FuzzPackIndex(f *testing.F) {
	f.Add([]byte{0xff, 't', 'O', 'c', 0, 0, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parsePackIndex(data)
		if err != nil {
			return
		}
		for i := range p.offs {
			p.name(i)
		}
	})
}
