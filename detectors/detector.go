package detectors

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Confidence says how sure a detector is that a match is a real token.
type Confidence string

const (
	// ConfidenceChecksum means the token's embedded checksum verified: an offline proof that
	// the provider's generator made it.
	ConfidenceChecksum Confidence = "checksum"
	// ConfidencePattern means shape and context only.
	ConfidencePattern Confidence = "pattern"
	// ConfidenceGeneric means a generic rule matched (a credential-like name assigned a
	// high-entropy value): no known format at all. Generic detectors are off by default.
	ConfidenceGeneric Confidence = "generic"
)

// Run describes the charset prefilter of a detector without a literal keyword: the scanner
// calls the detector only around runs of at least MinLen (and at most MaxLen, when not zero)
// consecutive bytes from Charset.
type Run struct {
	Charset string
	MinLen  int
	MaxLen  int
}

// Detector is one kind of token.
type Detector struct {
	// ID is the frozen, kebab-case rule id, e.g. "azure-devops-pat".
	ID string
	// Provider names the issuer whose API can verify and revoke the token ("azuredevops",
	// "github", …); empty when patrol has no provider for it.
	Provider string
	// Description is one line for people and for SARIF rule metadata.
	Description string
	// Keywords are literal strings, matched ASCII case-insensitively, at least one of which
	// appears in or next to every token. The scanner runs the detector only near a hit.
	Keywords []string
	// Run is the charset prefilter for detectors with no keyword.
	Run *Run
	// Pattern is an RE2 expression. The token is the submatch named "secret", else submatch 1,
	// else the whole match. Several alternatives may each name their own "secret" group (a
	// partner value before or after the token): the token is the first of them that matched.
	Pattern string
	// Before and After bound the window (in bytes) around a keyword hit the pattern runs over;
	// zero means DefaultWindow. Multi-line tokens (PEM keys) need a bigger After.
	Before, After int
	// Validate checks a candidate token's structure or checksum. It returns the confidence and
	// whether the candidate is a finding at all. Nil means every match is ConfidencePattern.
	Validate func(tok []byte) (Confidence, bool)
	// ValidateMatch, when set, checks a candidate with the text the pattern matched around it
	// (a whole URL, connection string or JSON object): match is the pattern's whole match and
	// match[start:end] the token. It runs after Validate, for formats whose proof is in the
	// surroundings (the host of a URL, the other fields of a key file), and its confidence wins.
	ValidateMatch func(match []byte, start, end int) (Confidence, bool)
	// MinEntropy, when above zero, drops candidates whose Shannon entropy (bits per byte) is lower.
	MinEntropy float64
	// KeepPlaceholders turns off the placeholder filter (for formats whose checksum already
	// proves the value was generated).
	KeepPlaceholders bool
	// Checks names the checksum that gives a match ConfidenceChecksum ("CRC32, base62"),
	// for people (the README's detector table); empty when the format has none. The registry's
	// tests hold it to the samples: a detector with Checks has a checksum-confident sample,
	// one without has none.
	Checks string
	// Generic marks a generic rule (ConfidenceGeneric): not in All, only in Generic.
	Generic bool
	// Broad marks a detector whose token is whatever credential sits in a known place (the
	// password of a URL, any PEM private key) rather than one kind of token: when a detector
	// of a specific kind claims the same span at the same confidence (a Hugging Face token as
	// a URL's password, a GCP key file's private key), the scanner keeps the specific one.
	Broad bool
	// RotateURL is the issuer's page on rotating or deleting this kind of token, for the
	// owner's email when patrol cannot revoke it.
	RotateURL string

	once   sync.Once
	re     *regexp.Regexp
	groups []int // the submatches that may hold the token; 0 is the whole match
	err    error
}

// DefaultWindow is the window, in bytes on each side of a keyword hit, that a pattern runs over.
const DefaultWindow = 512

// Match is one token found in a buffer.
type Match struct {
	// Start and End are the byte offsets of the token in the buffer passed to Find.
	Start, End int
	Confidence Confidence
}

// Compile compiles the detector's pattern now, reporting a bad one. Find compiles lazily;
// Compile lets configuration loading report errors early.
func (d *Detector) Compile() error {
	d.once.Do(func() {
		d.re, d.err = regexp.Compile(d.Pattern)
		if d.err != nil {
			d.err = fmt.Errorf("detector %s: pattern: %w", d.ID, d.err)
			return
		}
		d.groups = []int{0}
		if i := d.re.SubexpIndex("secret"); i > 0 {
			d.groups = d.groups[:0]
			for j, name := range d.re.SubexpNames() {
				if name == "secret" {
					d.groups = append(d.groups, j)
				}
			}
		} else if d.re.NumSubexp() > 0 {
			d.groups = []int{1}
		}
	})
	return d.err
}

// Window returns how many bytes before and after a keyword hit the detector needs.
func (d *Detector) Window() (before, after int) {
	before, after = d.Before, d.After
	if before <= 0 {
		before = DefaultWindow
	}
	if after <= 0 {
		after = DefaultWindow
	}
	return before, after
}

// Find returns the tokens in buf. It does not look for keywords first: callers that have a
// prefilter pass the window around a hit.
func (d *Detector) Find(buf []byte) []Match {
	if d.Compile() != nil {
		return nil
	}
	var out []Match
	// Search again from the end of each token rather than the end of the whole match:
	// patterns consume the byte after a token to assert a boundary, and that byte may be the
	// boundary the next token needs ("tok1\ntok2"). A token always starts with a token byte,
	// so a search that resumes on the separator cannot invent a boundary.
	for pos := 0; pos <= len(buf); {
		loc := d.re.FindSubmatchIndex(buf[pos:])
		if loc == nil {
			break
		}
		next := pos + loc[1]
		if s, e := firstGroup(loc, d.groups); s >= 0 && e > s {
			s, e = pos+s, pos+e
			next = e
			if m, ok := d.check(buf, pos+loc[0], pos+loc[1], s, e); ok {
				out = append(out, m)
			}
		}
		if next <= pos {
			next = pos + 1
		}
		pos = next
	}
	return out
}

// firstGroup returns the span of the first of groups that took part in the match loc, or
// -1, -1.
func firstGroup(loc []int, groups []int) (start, end int) {
	for _, g := range groups {
		if loc[2*g] >= 0 {
			return loc[2*g], loc[2*g+1]
		}
	}
	return -1, -1
}

// check applies the entropy, placeholder, Validate and ValidateMatch filters to the candidate
// buf[s:e], which the pattern's match buf[ms:me] holds.
func (d *Detector) check(buf []byte, ms, me, s, e int) (Match, bool) {
	tok := buf[s:e]
	if d.MinEntropy > 0 && Entropy(tok) < d.MinEntropy {
		return Match{}, false
	}
	if !d.KeepPlaceholders && IsPlaceholder(tok) {
		return Match{}, false
	}
	conf := ConfidencePattern
	if d.Validate != nil {
		c, ok := d.Validate(tok)
		if !ok {
			return Match{}, false
		}
		conf = c
	}
	if d.ValidateMatch != nil {
		c, ok := d.ValidateMatch(buf[ms:me], s-ms, e-ms)
		if !ok {
			return Match{}, false
		}
		conf = c
	}
	return Match{Start: s, End: e, Confidence: conf}, true
}

// PrefixLen returns the length of the fixed, public part at the start of tok (the longest
// keyword tok starts with, case-insensitively), which a redacted preview may show.
func (d *Detector) PrefixLen(tok []byte) int {
	n := 0
	for _, k := range d.Keywords {
		if len(k) > n && len(k) <= len(tok) && bytes.EqualFold(tok[:len(k)], []byte(k)) {
			n = len(k)
		}
	}
	return n
}

// checkRegistry validates a detector list: unique ids, a prefilter for each, patterns compile.
func checkRegistry(ds []*Detector) error {
	seen := map[string]bool{}
	for _, d := range ds {
		switch {
		case d.ID == "":
			return fmt.Errorf("detector with empty id")
		case seen[d.ID]:
			return fmt.Errorf("detector %s: duplicate id", d.ID)
		case len(d.Keywords) == 0 && d.Run == nil:
			return fmt.Errorf("detector %s: no keywords and no run prefilter", d.ID)
		}
		for _, k := range d.Keywords {
			if k == "" || strings.ToLower(k) != k {
				return fmt.Errorf("detector %s: keyword %q must be non-empty lower case", d.ID, k)
			}
		}
		seen[d.ID] = true
		if err := d.Compile(); err != nil {
			return err
		}
	}
	return nil
}
