package scanner

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// UTF-16 text (Windows PowerShell scripts, .reg and .ini files are often saved that way) puts
// a NUL byte next to every ASCII character: matched byte by byte, a token in it is invisible,
// and IsBinary takes the file for binary. The engine transcodes such content to UTF-8 before
// the detectors run; a finding then says the encoding (Finding.Encoding), its Line and Column
// count characters of the decoded text, and its Offset and Length stay in the original bytes,
// so that the span can be read again.

// Encodings of UTF-16 content, as written in Finding.Encoding (alone, or before "+" and the
// encoding of text found inside it, such as "utf-16le+base64").
const (
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
)

// utf16Probe is how many leading bytes decide whether BOM-less content is UTF-16, and
// utf16MinZero the share (in tenths) of its odd or even bytes that must be NUL.
const (
	utf16Probe   = 512
	utf16MinZero = 9
)

// UTF16 returns EncodingUTF16LE or EncodingUTF16BE when data is UTF-16 text: it starts with a
// byte order mark, or, without one, at least 90% of the odd (LE) or even (BE) bytes of its
// first 512 are NUL and fewer than 10% of the others; "" otherwise. For content without a NUL byte
// near its start (all UTF-8 text) it costs a two-byte compare and one IndexByte.
func UTF16(data []byte) string {
	if len(data) >= 2 {
		switch {
		case data[0] == 0xFF && data[1] == 0xFE:
			return EncodingUTF16LE
		case data[0] == 0xFE && data[1] == 0xFF:
			return EncodingUTF16BE
		}
	}
	p := data[:min(len(data), utf16Probe)]
	if len(p) < 8 || bytes.IndexByte(p, 0) < 0 {
		return ""
	}
	var zero [2]int
	for i, c := range p {
		if c == 0 {
			zero[i&1]++
		}
	}
	half := len(p) / 2
	switch {
	case zero[1]*10 >= half*utf16MinZero && zero[0]*10 < half*(10-utf16MinZero):
		return EncodingUTF16LE
	case zero[0]*10 >= half*utf16MinZero && zero[1]*10 < half*(10-utf16MinZero):
		return EncodingUTF16BE
	}
	return ""
}

// utf16Text is UTF-16 content transcoded to UTF-8, with what maps its offsets back.
type utf16Text struct {
	orig []byte // the content, byte order mark included
	be   bool
	text []byte // UTF-8; unpaired surrogates become U+FFFD
	// A cursor for origOffset: decoded offset dec is original offset org. Offsets are asked
	// in increasing order (Scan's order), so the walk is linear overall.
	dec, org int
}

// decodeUTF16 transcodes data, of encoding enc (UTF16), to UTF-8.
func decodeUTF16(data []byte, enc string) *utf16Text {
	t := &utf16Text{orig: data, be: enc == EncodingUTF16BE}
	start := t.bomLen()
	t.text = make([]byte, 0, len(data)-start+len(data)/4)
	for i := start; i+1 < len(data); {
		r, n := t.rune(i)
		t.text = utf8.AppendRune(t.text, r)
		i += n
	}
	t.org = start
	return t
}

func (t *utf16Text) bomLen() int {
	if len(t.orig) >= 2 && ((t.orig[0] == 0xFF && t.orig[1] == 0xFE) || (t.orig[0] == 0xFE && t.orig[1] == 0xFF)) {
		return 2
	}
	return 0
}

func (t *utf16Text) unit(i int) rune {
	if t.be {
		return rune(t.orig[i])<<8 | rune(t.orig[i+1])
	}
	return rune(t.orig[i+1])<<8 | rune(t.orig[i])
}

// rune decodes the character at byte i of the original content and says how many bytes it
// takes (2, or 4 for a surrogate pair).
func (t *utf16Text) rune(i int) (rune, int) {
	u := t.unit(i)
	if !utf16.IsSurrogate(u) {
		return u, 2
	}
	if i+3 < len(t.orig) {
		if r := utf16.DecodeRune(u, t.unit(i+2)); r != utf8.RuneError {
			return r, 4
		}
	}
	return utf8.RuneError, 2
}

// origOffset maps an offset in the decoded text (at a character boundary) to the original
// content. Offsets before the last one asked restart the walk.
func (t *utf16Text) origOffset(dec int) int {
	if dec < t.dec {
		t.dec, t.org = 0, t.bomLen()
	}
	for t.dec < dec && t.org+1 < len(t.orig) {
		r, n := t.rune(t.org)
		t.dec += utf8.RuneLen(r)
		t.org += n
	}
	return t.org
}

// scanUTF16 scans the transcoded text of data and reports findings located in data: Offset and
// Length in its bytes, Line and Column in characters of the text.
func (e *Engine) scanUTF16(data []byte, enc string, locs []Location, emit func(Finding)) int {
	t := decodeUTF16(data, enc)
	return e.scanText(t.text, locs, func(f Finding) {
		l := &f.Location
		dec := int(l.Offset)
		lineStart := dec - (l.Column - 1)
		l.Column = utf8.RuneCount(t.text[lineStart:dec]) + 1
		start := t.origOffset(dec)
		l.Offset, l.Length = int64(start), t.origOffsetAhead(dec+l.Length)-start
		if f.Encoding == "" {
			f.Encoding = enc
		} else {
			f.Encoding = enc + "+" + f.Encoding
		}
		emit(f)
	})
}

// origOffsetAhead maps dec (past the cursor) without moving the cursor.
func (t *utf16Text) origOffsetAhead(dec int) int {
	d, o := t.dec, t.org
	n := t.origOffset(dec)
	t.dec, t.org = d, o
	return n
}
