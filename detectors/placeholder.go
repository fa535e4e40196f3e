package detectors

import (
	"bytes"
	"math"
)

// placeholderWords mark documentation and template values. Words short enough to occur by
// chance in a random token ("your", "test") are not listed; template brackets catch "<your-PAT>".
var placeholderWords = [][]byte{
	[]byte("example"), []byte("dummy"), []byte("placeholder"), []byte("changeme"),
	[]byte("redacted"), []byte("xxxxxx"), []byte("******"), []byte("sample"), []byte("notreal"),
	[]byte("fake_"), []byte("_fake"), []byte("insert"),
}

// IsPlaceholder reports whether tok looks like a stand-in rather than a generated secret:
// template brackets, documentation words (EXAMPLE, dummy, xxxxxx …), very few distinct
// characters, a body that is mostly one ascending or descending run (abcdef…, 123456…), or
// one made of several short ascending runs, as vendors' documentation samples are
// (…AbC123dEf456…).
func IsPlaceholder(tok []byte) bool {
	if bytes.ContainsAny(tok, "<>{}$") {
		return true
	}
	lower := bytes.ToLower(tok)
	for _, w := range placeholderWords {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	var seen [256]bool
	distinct := 0
	for _, c := range tok {
		if !seen[c] {
			seen[c] = true
			distinct++
		}
	}
	if distinct <= 4 {
		return true
	}
	if len(tok) >= 12 && mostlySequential(tok) {
		return true
	}
	// Three stepped runs covering a quarter of the token: a long generated body (a PEM
	// key's base64) holds a few by chance, a documentation sample is made of them.
	r := steppedRuns(tok)
	return r >= 3 && r*3*4 >= len(tok)
}

// steppedRuns counts the runs of three characters that step up by one, ignoring case
// (AbC, dEf, 123, 789, 012): the keyboard-made bodies of vendors' documentation samples, such
// as the Firebase web-config example key "AIzaSyDOC" + "AbC123dEf456GhI789jKl01-MnO". Each
// position of a generated token starts one about once in 1,300.
func steppedRuns(tok []byte) int {
	n := 0
	for i := 0; i+2 < len(tok); {
		a, b, c := stepKey(tok[i]), stepKey(tok[i+1]), stepKey(tok[i+2])
		if a >= 0 && b == a+1 && c == b+1 || a == 9 && b == 0 && c == 1 {
			n++
			i += 3
			continue
		}
		i++
	}
	return n
}

// stepKey places a letter (any case) or digit on its own ladder (digits 0–9, letters
// 100–125), or returns -10 for other bytes, so that a step never crosses from one to another.
func stepKey(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return 100 + int(c-'a')
	case c >= 'A' && c <= 'Z':
		return 100 + int(c-'A')
	}
	return -10
}

// mostlySequential reports whether 60% of tok's neighbouring bytes step by one or repeat
// (abcd1234, aaaa1111): IsPlaceholder applies it from 12 bytes,
// the generic rule from 8.
func mostlySequential(tok []byte) bool {
	seq := 0
	for i := 1; i < len(tok); i++ {
		if d := int(tok[i]) - int(tok[i-1]); d >= -1 && d <= 1 {
			seq++
		}
	}
	return seq*10 >= (len(tok)-1)*6
}

// Entropy returns the Shannon entropy of b in bits per byte.
func Entropy(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	n := float64(len(b))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}
