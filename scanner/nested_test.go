package scanner

import (
	"encoding/base64"
	"strings"
	"testing"
)

// nest wraps s in n levels of base64.
func nest(s string, n int) string {
	for range n {
		s = base64.StdEncoding.EncodeToString([]byte(s))
	}
	return s
}

func TestEngineNestedDecoding(t *testing.T) {
	t.Parallel()
	g := ghp(11)
	tests := []struct {
		name     string
		depth    int // EngineOptions.MaxDecodeDepth
		input    string
		encoding string // "" when nothing is to be found
	}{
		{"one level", 0, "x: " + nest("u:"+g, 1) + "\n", "base64"},
		{"three levels, the default", 0, "x: " + nest("u:"+g, 3) + "\n", "base64+base64+base64"},
		{"four levels, past the default", 0, "x: " + nest("u:"+g, 4) + "\n", ""},
		{"four levels, depth 4", 4, "x: " + nest("u:"+g, 4) + "\n", "base64+base64+base64+base64"},
		{"base64 of url-encoded", 0, "x: " + nest("p=a%3A"+g+"%26", 1) + "\n", "base64+url"},
		{"twelve levels, depth 30", 30, "x: " + nest("u:"+g, 12) + "\n", strings.Repeat("base64+", 11) + "base64"},
		// 30 levels of base64 grow a token 5,000-fold: past detectors.MaxDecodedRun, not decoded.
		{"thirty levels, depth 30", 30, "x: " + nest("u:"+g, 30) + "\n", ""},
		{"thirty levels, default depth", 0, "x: " + nest("u:"+g, 30) + "\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := NewEngine(newTestEngine().dets, EngineOptions{Key: testKey, MaxDecodeDepth: tc.depth})
			fs := scanString(e, tc.input)
			if tc.encoding == "" {
				if len(fs) != 0 {
					t.Errorf("%d findings, want none", len(fs))
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1", len(fs))
			}
			f := fs[0]
			if f.Secret.Reveal() != g || f.Encoding != tc.encoding || f.Location.Offset != 3 || f.Location.Length != len(tc.input)-4 || f.Location.Column != 4 {
				t.Errorf("found %s %q at %d+%d col %d; want the token, %q, at 3+%d col 4", f.DetectorID, f.Encoding, f.Location.Offset, f.Location.Length, f.Location.Column, tc.encoding, len(tc.input)-4)
			}
		})
	}
}

// TestDecodeBudget: however deep the nesting and the depth allowed, one chunk decodes at most
// DecodeBudgetFactor times its size.
func TestDecodeBudget(t *testing.T) {
	t.Parallel()
	// Many runs that each decode to more runs: the budget, not the depth, stops them.
	inner := strings.Repeat(nest("x", 1)+" ", 1) + nest(strings.Repeat("abcdefgh", 8), 1)
	var b strings.Builder
	for range 200 {
		b.WriteString(nest(strings.Repeat(inner+" ", 4), 2) + "\n")
	}
	data := []byte(b.String())
	for _, depth := range []int{1, 3, 30} {
		e := NewEngine(newTestEngine().dets, EngineOptions{Key: testKey, MaxDecodeDepth: depth})
		budget := DecodeBudgetFactor * len(data)
		e.matches(data, 0, &budget)
		if budget < 0 {
			t.Errorf("depth %d: decoded %d bytes past the budget", depth, -budget)
		}
	}
	// 12 levels of nesting: every level decoded within the budget, in less than three times
	// the chunk's size.
	data = []byte(nest("u:"+ghp(12), 12))
	e := NewEngine(newTestEngine().dets, EngineOptions{Key: testKey, MaxDecodeDepth: 30})
	budget := DecodeBudgetFactor * len(data)
	if ms := e.matches(data, 0, &budget); len(ms) != 1 || budget < len(data) {
		t.Errorf("12 levels: %d matches, %d of %d bytes of budget left; want 1 match and more than a chunk's worth left", len(ms), budget, DecodeBudgetFactor*len(data))
	}
}

// FuzzNestedDecoding feeds arbitrary content, wrapped in up to 30 levels of base64, to an
// engine that decodes 30 levels: no panic, spans inside the input, the budget kept.
func FuzzNestedDecoding(f *testing.F) {
	f.Add([]byte("u:"+ghp(1)), uint8(3))
	f.Add([]byte("p=a%3A"+ghp(2)+"%26"), uint8(2))
	f.Add([]byte("{\"auths\":{\"r\":{\"auth\":\""+nest("u:"+ado(3), 1)+"\"}}}"), uint8(1))
	e := NewEngine(newTestEngine().dets, EngineOptions{Key: testKey, MaxDecodeDepth: 30})
	f.Fuzz(func(t *testing.T, raw []byte, levels uint8) {
		data := []byte(nest(string(raw), int(levels%31)))
		budget := DecodeBudgetFactor * len(data)
		e.matches(data, 0, &budget)
		if budget < 0 {
			t.Fatalf("decoded %d bytes past the budget", -budget)
		}
		e.Scan(data, []Location{{Source: SourceStdin}}, func(fd Finding) {
			l := fd.Location
			if l.Offset < 0 || l.Length <= 0 || l.Offset+int64(l.Length) > int64(len(data)) {
				t.Fatalf("span %d+%d out of bounds of %d bytes", l.Offset, l.Length, len(data))
			}
		})
	})
}
