package scanner

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// encodeUTF16 encodes s as UTF-16 in the byte order of enc, with a byte order mark when bom.
func encodeUTF16(s, enc string, bom bool) []byte {
	return []byte(scantest.UTF16(s, enc == EncodingUTF16BE, bom))
}

// decodeSpan decodes the UTF-16 bytes of a span (which may start after a byte order mark).
func decodeSpan(b []byte, enc string) string {
	t := decodeUTF16(b, enc)
	return string(t.text)
}

func TestUTF16(t *testing.T) {
	t.Parallel()
	text := "# settings\r\n$token = 'x'\r\n"
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"le with bom", encodeUTF16(text, EncodingUTF16LE, true), EncodingUTF16LE},
		{"be with bom", encodeUTF16(text, EncodingUTF16BE, true), EncodingUTF16BE},
		{"le without bom", encodeUTF16(text, EncodingUTF16LE, false), EncodingUTF16LE},
		{"be without bom", encodeUTF16(text, EncodingUTF16BE, false), EncodingUTF16BE},
		{"bom only", []byte{0xFF, 0xFE}, EncodingUTF16LE},
		{"utf-8", []byte(text), ""},
		{"utf-8 with its bom", append([]byte{0xEF, 0xBB, 0xBF}, text...), ""},
		{"binary with nuls", []byte("\x00\x01\x02\x00\x00\x00abc\x00\x7f\x00\x00\x10"), ""},
		{"short", []byte("a\x00b\x00"), ""},
		{"empty", nil, ""},
		{"mostly zeros", make([]byte, 600), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := UTF16(tc.data); got != tc.want {
				t.Errorf("UTF16(%q) = %q, want %q", tc.data, got, tc.want)
			}
		})
	}
}

// TestEngineScanUTF16: a token in UTF-16 text is found with its location in characters of the
// decoded text and its span in the original bytes.
func TestEngineScanUTF16(t *testing.T) {
	t.Parallel()
	e := newTestEngine()
	g := ghp(7)
	// Non-ASCII characters before the token on its line (é is one UTF-16 unit, 😀 two): the
	// column counts characters, the span still lands on the token's bytes.
	text := "# réglages 😀\r\n$t = 'é😀 " + g + "'\r\n"
	for _, enc := range []string{EncodingUTF16LE, EncodingUTF16BE} {
		for _, bom := range []bool{true, false} {
			t.Run(enc, func(t *testing.T) {
				t.Parallel()
				data := encodeUTF16(text, enc, bom)
				var got []Finding
				e.Scan(data, []Location{{Source: SourceStdin}}, func(f Finding) { got = append(got, f) })
				if len(got) != 1 {
					t.Fatalf("bom %v: %d findings, want 1", bom, len(got))
				}
				f := got[0]
				line := strings.Split(text, "\n")[1]
				wantCol := utf8.RuneCountInString(line[:strings.Index(line, "ghp_")]) + 1
				if f.DetectorID != "github-classic-pat" || f.Encoding != enc || f.Location.Line != 2 || f.Location.Column != wantCol {
					t.Errorf("bom %v: %s %q at %d:%d, want github-classic-pat %q at 2:%d", bom, f.DetectorID, f.Encoding, f.Location.Line, f.Location.Column, enc, wantCol)
				}
				l := f.Location
				if span := data[l.Offset : l.Offset+int64(l.Length)]; decodeSpan(span, enc) != f.Secret.Reveal() {
					t.Errorf("bom %v: span %d+%d does not hold the token", bom, l.Offset, l.Length)
				}
			})
		}
	}
}

// TestRunUTF16: Run does not drop UTF-16 text as binary; real binary content is still skipped.
func TestRunUTF16(t *testing.T) {
	t.Parallel()
	src := sliceSource{
		{Data: encodeUTF16("T="+ghp(8)+"\n", EncodingUTF16LE, false), Name: "a.ps1", Locations: []Location{{Source: SourceDir, Path: "a.ps1"}}},
		{Data: []byte("\x00\x01\x02\x03 T=" + ghp(9) + "\n"), Name: "b.bin", Locations: []Location{{Source: SourceDir, Path: "b.bin"}}},
	}
	fs, st, err := Run(t.Context(), newTestEngine(), src, Options{Workers: 1})
	if err != nil || len(fs) != 1 || fs[0].Location.Path != "a.ps1" || st.Skipped[SkipBinary] != 1 {
		t.Errorf("Run = %d findings, %v skipped, %v; want the token of a.ps1 and b.bin skipped as binary", len(fs), st.Skipped, err)
	}
}

// FuzzUTF16 feeds UTF-16-looking content to the engine: spans stay inside the input, and the
// span of a finding without a further encoding decodes to its token.
func FuzzUTF16(f *testing.F) {
	f.Add(encodeUTF16("T="+ghp(1)+"\n", EncodingUTF16LE, true), false)
	f.Add(encodeUTF16("x\n"+ado(2)+" y", EncodingUTF16BE, false), true)
	f.Add([]byte{0xFF, 0xFE, 0x00, 0xD8, 'a', 0}, false)
	e := newTestEngine()
	f.Fuzz(func(t *testing.T, data []byte, be bool) {
		if !bytes.HasPrefix(data, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
			data = append([]byte{0xFF, 0xFE}, data...)
			if be {
				data[0], data[1] = 0xFE, 0xFF
			}
		}
		enc := UTF16(data)
		e.Scan(data, []Location{{Source: SourceStdin}}, func(fd Finding) {
			l := fd.Location
			if l.Offset < 0 || l.Length <= 0 || l.Offset+int64(l.Length) > int64(len(data)) {
				t.Fatalf("span %d+%d out of bounds of %d bytes", l.Offset, l.Length, len(data))
			}
			if l.Line < 1 || l.Column < 1 {
				t.Errorf("location %d:%d out of bounds", l.Line, l.Column)
			}
			if fd.Encoding == enc && decodeSpan(data[l.Offset:l.Offset+int64(l.Length)], enc) != fd.Secret.Reveal() {
				t.Errorf("span %d+%d is not the secret", l.Offset, l.Length)
			}
		})
	})
}

// sliceSource yields its chunks in order.
type sliceSource []Chunk

func (s sliceSource) Chunks(ctx context.Context, yield func(Chunk) error) error {
	for _, c := range s {
		if err := yield(c); err != nil {
			return err
		}
	}
	return nil
}
