package scanner

import (
	"bytes"
	"sort"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/secret"
)

// AllowMarker on the same line as a token suppresses it.
const AllowMarker = "patrol:allow"

// Engine finds secrets in byte slices: one multi-keyword pass (keywordIndex) over all detector keywords,
// a charset pass for keyword-less detectors and for encoded runs, and regexes only in windows
// around prefilter hits. An Engine is immutable after NewEngine and safe for concurrent use.
type Engine struct {
	dets     []*detectors.Detector
	kwIndex  *keywordIndex
	kwLen    []int
	kwDets   [][]int // keyword index → detector indexes
	runDets  []int
	runClass [][256]bool
	key      []byte
	decode   bool
	depth    int // levels of nested encoding decoded
}

// EngineOptions configure an Engine.
type EngineOptions struct {
	// Key is the fingerprint HMAC key.
	Key []byte
	// NoDecode turns off looking inside base64 and URL-encoded text.
	NoDecode bool
	// MaxDecodeDepth is how many levels of nested encoding are decoded (base64 in base64, the
	// base64 auth inside the base64 of a Kubernetes dockerconfigjson Secret); zero means
	// DefaultMaxDecodeDepth. Whatever the depth, one chunk decodes at most
	// DecodeBudgetFactor times its own size.
	MaxDecodeDepth int
}

// DefaultMaxDecodeDepth is the default EngineOptions.MaxDecodeDepth.
const DefaultMaxDecodeDepth = 3

// DecodeBudgetFactor bounds the bytes decoded from one chunk, over every level, to this many
// times the chunk's size: base64 shrinks by a quarter a level, so the budget holds every level
// of well-formed nesting (three times the chunk at most), and 30 levels cost no more than a
// few. Runs past the budget are not decoded.
const DecodeBudgetFactor = 4

// NewEngine builds an engine over dets.
func NewEngine(dets []*detectors.Detector, opts EngineOptions) *Engine {
	e := &Engine{dets: dets, key: opts.Key, decode: !opts.NoDecode, depth: opts.MaxDecodeDepth}
	if e.depth <= 0 {
		e.depth = DefaultMaxDecodeDepth
	}
	index := map[string]int{}
	var patterns []string
	for i, d := range dets {
		for _, k := range d.Keywords {
			k = string(bytes.ToLower([]byte(k)))
			j, ok := index[k]
			if !ok {
				j = len(patterns)
				index[k] = j
				patterns = append(patterns, k)
				e.kwLen = append(e.kwLen, len(k))
				e.kwDets = append(e.kwDets, nil)
			}
			e.kwDets[j] = append(e.kwDets[j], i)
		}
		if d.Run != nil {
			var cls [256]bool
			for _, c := range []byte(d.Run.Charset) {
				cls[c] = true
			}
			e.runDets = append(e.runDets, i)
			e.runClass = append(e.runClass, cls)
		}
	}
	e.kwIndex = newKeywordIndex(patterns)
	return e
}

// rawMatch is a detector match in a buffer, possibly inside decoded text.
type rawMatch struct {
	det        int
	start, end int // of the token, in the buffer scanned (decoded buffer when encoding != "")
	conf       detectors.Confidence
	tok        []byte
	broad      bool // the detector is Broad: a specific one claiming the same span wins
	encoding   string
	locStart   int // offset in the original buffer that locates the match
	locEnd     int // and where that span ends (the encoded text's end when encoding != "")
}

type window struct{ start, end int }

// matches finds every token in buf, which is depth levels of decoding deep; budget is what is
// left of the chunk's decoded bytes (DecodeBudgetFactor).
func (e *Engine) matches(buf []byte, depth int, budget *int) []rawMatch {
	var out []rawMatch
	var wins map[int][]window
	if len(e.kwLen) > 0 {
		e.kwIndex.find(buf, func(kw, start int) {
			if wins == nil {
				wins = make(map[int][]window)
			}
			for _, di := range e.kwDets[kw] {
				before, after := e.dets[di].Window()
				wins[di] = append(wins[di], window{max(0, start-before), min(len(buf), start+e.kwLen[kw]+after)})
			}
		})
	}
	for k, di := range e.runDets {
		if ws := runWindows(buf, &e.runClass[k], e.dets[di].Run); len(ws) > 0 {
			if wins == nil {
				wins = make(map[int][]window)
			}
			wins[di] = append(wins[di], ws...)
		}
	}
	for di, ws := range wins {
		d := e.dets[di]
		for _, w := range mergeWindows(ws) {
			w = widen(buf, w)
			for _, m := range d.Find(buf[w.start:w.end]) {
				s, en := w.start+m.Start, w.start+m.End
				out = append(out, rawMatch{det: di, start: s, end: en, conf: m.Confidence, tok: buf[s:en], broad: d.Broad, locStart: s, locEnd: en})
			}
		}
	}
	if e.decode && depth < e.depth && *budget > 0 {
		out = append(out, e.decoded(detectors.DecodeRuns(buf), depth, budget)...)
	}
	return dedupe(out)
}

// decoded finds the tokens in decoded runs, and, up to the engine's depth and within budget,
// in the runs nested in them. A match is located at the run of this level (the outermost
// encoded text, once every level has returned); its encoding lists the levels, outermost
// first ("base64+base64").
func (e *Engine) decoded(runs []detectors.Decoded, depth int, budget *int) []rawMatch {
	var out []rawMatch
	for _, r := range runs {
		if len(r.Data) > *budget {
			*budget = 0
			break
		}
		*budget -= len(r.Data)
		for _, m := range e.matches(r.Data, depth+1, budget) {
			if m.encoding == "" {
				m.encoding = r.Encoding
			} else {
				m.encoding = r.Encoding + "+" + m.encoding
			}
			m.locStart, m.locEnd = r.Start, r.End
			out = append(out, m)
		}
	}
	return out
}

// runWindows returns the windows around runs of the charset whose length fits r.
func runWindows(buf []byte, cls *[256]bool, r *detectors.Run) []window {
	var out []window
	detectors.LongRuns(buf, cls, r.MinLen, func(i, j int) {
		if r.MaxLen == 0 || j-i <= r.MaxLen {
			out = append(out, window{max(0, i-1), min(len(buf), j+1)})
		}
	})
	return out
}

// mergeWindows sorts windows and merges those that overlap or touch.
func mergeWindows(ws []window) []window {
	if len(ws) < 2 {
		return ws
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].start < ws[j].start })
	out := ws[:1]
	for _, w := range ws[1:] {
		if last := &out[len(out)-1]; w.start <= last.end {
			last.end = max(last.end, w.end)
		} else {
			out = append(out, w)
		}
	}
	return out
}

// widen moves window edges out of the middle of a word (at most 256 bytes), so that a pattern's
// boundary assertions see the real neighbours of a token, not an edge that cuts it.
func widen(buf []byte, w window) window {
	for n := 0; w.start > 0 && n < 256 && !isSep(buf[w.start-1]); n++ {
		w.start--
	}
	for n := 0; w.end < len(buf) && n < 256 && !isSep(buf[w.end]); n++ {
		w.end++
	}
	return w
}

func isSep(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', ',', ';', '(', ')', '[', ']', '{', '}', '<', '>':
		return true
	}
	return false
}

// dedupe drops repeated spans: the same token found twice (overlapping windows) and the same
// span claimed by several detectors (the most confident wins, then a specific detector over a
// Broad one, then the earlier).
func dedupe(ms []rawMatch) []rawMatch {
	if len(ms) < 2 {
		return ms
	}
	sort.SliceStable(ms, func(i, j int) bool {
		a, b := ms[i], ms[j]
		if a.locStart != b.locStart {
			return a.locStart < b.locStart
		}
		if a.encoding != b.encoding {
			return a.encoding < b.encoding
		}
		if a.start != b.start {
			return a.start < b.start
		}
		if a.end != b.end {
			return a.end < b.end
		}
		// Of detectors claiming the same span, the most confident one is kept.
		if ra, rb := detectors.Rank(a.conf), detectors.Rank(b.conf); ra != rb {
			return ra > rb
		}
		// Of equally confident ones, a specific detector before a Broad one.
		if a.broad != b.broad {
			return b.broad
		}
		return a.det < b.det
	})
	out := ms[:1]
	for _, m := range ms[1:] {
		p := out[len(out)-1]
		if m.locStart == p.locStart && m.encoding == p.encoding && m.start == p.start && m.end == p.end {
			continue
		}
		out = append(out, m)
	}
	return out
}

// Scan finds the secrets in data and calls emit once per secret and location. Tokens on a line
// holding AllowMarker are not reported. Line, Column, Offset and Length are computed here (the
// span of the token in data, or of the encoded text it was found in); sources supply the rest
// of each location.
//
// UTF-16 content (UTF16) is transcoded first: see scanUTF16.
func (e *Engine) Scan(data []byte, locs []Location, emit func(Finding)) int {
	if enc := UTF16(data); enc != "" {
		return e.scanUTF16(data, enc, locs, emit)
	}
	return e.scanText(data, locs, emit)
}

// scanText is Scan of text that is not UTF-16.
func (e *Engine) scanText(data []byte, locs []Location, emit func(Finding)) int {
	budget := DecodeBudgetFactor * len(data)
	ms := e.matches(data, 0, &budget)
	n := 0
	line, lineStart, pos := 1, 0, 0
	for _, m := range ms {
		// ms is sorted by locStart: count lines incrementally.
		if pos < m.locStart {
			seg := data[pos:m.locStart]
			if nl := bytes.Count(seg, []byte{'\n'}); nl > 0 {
				line += nl
				lineStart = pos + bytes.LastIndexByte(seg, '\n') + 1
			}
			pos = m.locStart
		}
		lineEnd := bytes.IndexByte(data[m.locStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(data)
		} else {
			lineEnd += m.locStart
		}
		if bytes.Contains(data[lineStart:lineEnd], []byte(AllowMarker)) {
			continue
		}
		d := e.dets[m.det]
		tok := secret.New(string(m.tok))
		nearby := nearbyText(data, lineStart, lineEnd)
		prev := lineStart
		if prev > 0 {
			prev = bytes.LastIndexByte(data[:prev-1], '\n') + 1
		}
		f := Finding{
			DetectorID:  d.ID,
			Provider:    d.Provider,
			Confidence:  m.conf,
			Fingerprint: secret.Fingerprint(e.key, d.ID, tok),
			Redacted:    secret.Preview(tok, d.PrefixLen(m.tok)),
			Encoding:    m.encoding,
			Secret:      tok,
			Nearby:      nearby,
			FakeName:    m.locStart-prev <= 4096 && fakeName.Match(data[prev:max(prev, m.locStart)]),
		}
		for _, l := range locs {
			l.Line = line
			l.Column = m.locStart - lineStart + 1
			l.Offset, l.Length = int64(m.locStart), m.locEnd-m.locStart
			f.Location = l
			emit(f)
			n++
		}
	}
	return n
}

// NearbyMax bounds Finding.Nearby.
const NearbyMax = 2048

// nearbyText returns the line [lineStart, lineEnd) with up to two lines on each side, at most
// NearbyMax bytes.
func nearbyText(data []byte, lineStart, lineEnd int) string {
	s, e := lineStart, lineEnd
	for n := 0; n < 3 && s > 0; n++ {
		if i := bytes.LastIndexByte(data[:s-1], '\n'); i >= 0 {
			s = i + 1
		} else {
			s = 0
		}
	}
	for n := 0; n < 2 && e < len(data); n++ {
		if i := bytes.IndexByte(data[e+1:], '\n'); i >= 0 {
			e = e + 1 + i
		} else {
			e = len(data)
		}
	}
	s = max(s, lineStart-NearbyMax/2)
	e = min(e, lineEnd+NearbyMax/2, len(data))
	return string(data[s:e])
}

// IsBinary reports whether data looks binary: a NUL byte in the first 8000 bytes, git's rule.
// UTF-16 text passes this test too: ask UTF16 before dropping content as binary.
func IsBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}
