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
// characters, or a body that is mostly one ascending or descending run (abcdef…, 123456…).
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
	return len(tok) >= 12 && mostlySequential(tok)
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
