package detectors

import (
	"bytes"
	"encoding/base64"
	"unicode/utf8"
)

// Decoded is a run of encoded text and what it decodes to.
type Decoded struct {
	// Start and End are the offsets of the encoded text in the buffer searched.
	Start, End int
	// Data is the decoded text.
	Data []byte
	// Encoding names the encoding: "base64" or "url".
	Encoding string
}

// MinBase64Run is the shortest base64 run worth decoding: 24 characters decode to 18 bytes,
// shorter than any token patrol knows.
const MinBase64Run = 24

// MaxDecodedRun bounds the size of one run that is decoded, so a huge base64 blob (an embedded
// image) is not decoded as a whole; tokens are short.
const MaxDecodedRun = 64 << 10

var b64Class = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") {
		t[c] = true
	}
	return t
}()

// IsBase64Byte reports whether c belongs to the standard or URL-safe base64 alphabet.
func IsBase64Byte(c byte) bool { return b64Class[c] }

// DecodeBase64Run decodes run (standard or URL-safe alphabet, padding optional) and returns the
// decoded bytes when they are mostly printable text, which is where an encoded token lives
// (":"+PAT in a Basic header, an .npmrc _password). Binary results are dropped.
func DecodeBase64Run(run []byte) ([]byte, bool) {
	for len(run) > 0 && run[len(run)-1] == '=' {
		run = run[:len(run)-1]
	}
	if len(run) < MinBase64Run || len(run) > MaxDecodedRun {
		return nil, false
	}
	enc := base64.RawStdEncoding
	for _, c := range run {
		if c == '-' || c == '_' {
			enc = base64.RawURLEncoding
			break
		}
	}
	if len(run)%4 == 1 {
		run = run[:len(run)-1]
	}
	out := make([]byte, enc.DecodedLen(len(run)))
	n, err := enc.Decode(out, run)
	if err != nil {
		return nil, false
	}
	out = out[:n]
	if !mostlyText(out) {
		return nil, false
	}
	return out, true
}

// mostlyText reports whether b is valid UTF-8 with at least 95% printable characters.
func mostlyText(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	bad := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			bad++
		}
	}
	return bad*20 <= len(b)
}

// LongRuns calls fn for each maximal run of bytes of class cls that is at least minLen long.
// It inspects about one byte in minLen where runs are short (most text), so looking for long
// runs costs far less than a pass over every byte.
func LongRuns(buf []byte, cls *[256]bool, minLen int, fn func(start, end int)) {
	if minLen < 1 {
		minLen = 1
	}
	// Invariant: buf[i-1], when it exists, is not in the class.
	for i := 0; i+minLen <= len(buf); {
		j := i + minLen - 1
		if !cls[buf[j]] {
			i = j + 1
			continue
		}
		k := j
		for k > i && cls[buf[k-1]] {
			k--
		}
		e := j + 1
		for e < len(buf) && cls[buf[e]] {
			e++
		}
		if e-k >= minLen {
			fn(k, e)
		}
		i = e + 1
	}
}

// DecodeRuns finds the encoded runs of buf that decode to text: base64 (Base64Runs) and
// URL-encoded (URLDecodeRuns, only when buf holds a '%'). It is the decoder's one entry: a
// caller that decodes nested encodings calls it again on each run's Data.
func DecodeRuns(buf []byte) []Decoded {
	out := Base64Runs(buf)
	if bytes.IndexByte(buf, '%') >= 0 {
		out = append(out, URLDecodeRuns(buf)...)
	}
	return out
}

// Base64Runs finds runs of base64 text in buf that decode to text.
func Base64Runs(buf []byte) []Decoded {
	var out []Decoded
	LongRuns(buf, &b64Class, MinBase64Run, func(i, j int) {
		end := j
		for end < len(buf) && end-j < 2 && buf[end] == '=' {
			end++
		}
		if d, ok := DecodeBase64Run(buf[i:end]); ok {
			out = append(out, Decoded{Start: i, End: end, Data: d, Encoding: "base64"})
		}
	})
	return out
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// urlRunByte is what may appear inside URL-encoded text.
func urlRunByte(c byte) bool {
	return b64Class[c] || c == '%' || c == '.' || c == '~' || c == '='
}

var urlClass = func() (t [256]bool) {
	for c := range 256 {
		t[c] = urlRunByte(byte(c))
	}
	return t
}()

// URLDecodeRuns finds runs of URL-encoded text (containing at least one %XX escape) and
// returns their decodings. It starts from each escape, so text without one costs one
// bytes.IndexByte pass.
func URLDecodeRuns(buf []byte) []Decoded {
	var out []Decoded
	for from := 0; from < len(buf); {
		p := bytes.IndexByte(buf[from:], '%')
		if p < 0 {
			break
		}
		p += from
		from = p + 1
		if p+2 >= len(buf) {
			break
		}
		if _, ok := unhex(buf[p+1]); !ok {
			continue
		}
		if _, ok := unhex(buf[p+2]); !ok {
			continue
		}
		i, j := p, p+3
		for i > 0 && urlClass[buf[i-1]] {
			i--
		}
		for j < len(buf) && urlClass[buf[j]] {
			j++
		}
		from = j
		if j-i < 16 || j-i > MaxDecodedRun {
			continue
		}
		dec := make([]byte, 0, j-i)
		for k := i; k < j; k++ {
			if buf[k] == '%' && k+2 < j {
				h, ok1 := unhex(buf[k+1])
				l, ok2 := unhex(buf[k+2])
				if ok1 && ok2 {
					dec = append(dec, h<<4|l)
					k += 2
					continue
				}
			}
			dec = append(dec, buf[k])
		}
		out = append(out, Decoded{Start: i, End: j, Data: dec, Encoding: "url"})
	}
	return out
}
