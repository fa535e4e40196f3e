package scanner

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// naiveFind is the reference: every keyword at every offset.
func naiveFind(kws []string, data []byte) []string {
	var out []string
	lower := make([]byte, len(data)) // ASCII-only lower casing, byte for byte
	for i, c := range data {
		lower[i] = lowerTab[c]
	}
	for ki, k := range kws {
		for s := 0; s+len(k) <= len(lower); s++ {
			if string(lower[s:s+len(k)]) == k {
				out = append(out, fmt.Sprintf("%d@%d", ki, s))
			}
		}
	}
	sort.Strings(out)
	return out
}

func indexFind(x *keywordIndex, data []byte) []string {
	var out []string
	x.find(data, func(kw, start int) { out = append(out, fmt.Sprintf("%d@%d", kw, start)) })
	sort.Strings(out)
	return out
}

var testKeywords = []string{"ghp_", "xoxb-", "jqqj99", "akia", "hf_", "sg.", "aa", "aaa", "aaaa", "ab"}

func TestKeywordIndex(t *testing.T) {
	t.Parallel()
	x := newKeywordIndex(testKeywords)
	inputs := []string{"", "g", "ghp_", "xghp_", "GHP_xoxb-", "aaaaaa", "abab", "xJQQJ99y", "sg.hf_akiA", "hhf_", "....ghp"}
	for _, in := range inputs {
		if got, want := indexFind(x, []byte(in)), naiveFind(testKeywords, []byte(in)); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("find(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzKeywordIndex(f *testing.F) {
	for _, s := range []string{"ghp_abc", "AKIAxx", "aaaa", "zzsg.hf_"} {
		f.Add([]byte(s))
	}
	x := newKeywordIndex(testKeywords)
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := indexFind(x, data), naiveFind(testKeywords, data); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("find(%q) = %v, want %v", data, got, want)
		}
	})
}

// FuzzEngineScan checks the engine on arbitrary input: no panic, locations in bounds, and every
// reported secret is a substring of the input or of a decoding of it.
func FuzzEngineScan(f *testing.F) {
	g, a := ghp(1), ado(2)
	f.Add([]byte("T=" + g + "\n"))
	f.Add([]byte("x\n" + a + " y"))
	f.Add([]byte("Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(":"+a))))
	f.Add([]byte("u=" + url.QueryEscape(g+"&")))
	e := newTestEngine()
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte{'\n'}) + 1
		e.Scan(data, []Location{{Source: SourceStdin}}, func(fd Finding) {
			if fd.Location.Line < 1 || fd.Location.Line > lines || fd.Location.Column < 1 {
				t.Errorf("location %d:%d out of bounds", fd.Location.Line, fd.Location.Column)
			}
			raw := fd.Secret.Reveal()
			if fd.Encoding == "" && !bytes.Contains(data, []byte(raw)) {
				t.Errorf("secret is not a substring of the input")
			}
			l := fd.Location
			if l.Offset < 0 || l.Length <= 0 || l.Offset+int64(l.Length) > int64(len(data)) {
				t.Fatalf("span %d+%d out of bounds", l.Offset, l.Length)
			}
			if fd.Encoding == "" && string(data[l.Offset:l.Offset+int64(l.Length)]) != raw {
				t.Errorf("span %d+%d is not the secret", l.Offset, l.Length)
			}
			if strings.Contains(fd.Redacted, raw) {
				t.Errorf("redacted preview holds the whole secret")
			}
		})
	})
}

// FuzzSuppressionFiles feeds arbitrary .patrolignore and baseline contents to their parsers:
// an error or a suppressor, never a panic; an accepted fingerprint is 64 hex characters.
func FuzzSuppressionFiles(f *testing.F) {
	f.Add([]byte("# c\n"+strings.Repeat("ab", 32)+"  # note\ntestdata/**\n"), []byte(`[{"fingerprint":"`+strings.Repeat("0", 64)+`"}]`))
	f.Add([]byte("[bad\n"), []byte("{"))
	f.Fuzz(func(t *testing.T, ignore, baseline []byte) {
		var s Suppressor
		_ = s.parseIgnore(bytes.NewReader(ignore), ".patrolignore")
		_ = s.parseBaseline(baseline, "baseline.json")
		for fp := range s.Fingerprints {
			if !hex64.MatchString(fp) {
				t.Errorf("accepted fingerprint %q", fp)
			}
		}
		s.Suppressed(Finding{Fingerprint: "x", Location: Location{Path: "a/b.txt"}})
	})
}
