// Package secret holds the one type that carries a raw token value, and the keyed fingerprint
// and redacted preview that stand in for it everywhere else.
//
// A [Token] redacts itself in every textual form: String, Format (all verbs), slog's LogValue,
// JSON and text marshalling. The raw value is reachable only through [Token.Reveal], a name meant
// to be grepped for in review. The zero Token is empty and safe to print.
package secret

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"unicode/utf8"
)

// Redacted is what a Token prints as in any textual form.
const Redacted = "[REDACTED]"

// Token is a raw secret value that refuses to print itself.
type Token struct {
	value string
}

// New wraps a raw value.
func New(value string) Token { return Token{value: value} }

// Reveal returns the raw value. Only provider clients (which must send it) and the explicit
// --show-secrets report path call it.
func (t Token) Reveal() string { return t.value }

// IsZero reports whether the token is empty.
func (t Token) IsZero() bool { return t.value == "" }

// Len returns the length of the raw value in bytes.
func (t Token) Len() int { return len(t.value) }

// String implements fmt.Stringer and never returns the raw value.
func (t Token) String() string { return Redacted }

// GoString implements fmt.GoStringer for %#v.
func (t Token) GoString() string { return "secret.Token{" + Redacted + "}" }

// Format implements fmt.Formatter so that every verb (%s, %v, %q, %x, %#v …) redacts.
func (t Token) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(t.GoString()))
		return
	}
	_, _ = f.Write([]byte(Redacted))
}

// LogValue implements slog.LogValuer.
func (t Token) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON implements json.Marshaler.
func (t Token) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler (YAML, XML and friends).
func (t Token) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// Fingerprint is the keyed, stable identity of a secret found by one detector:
// hex(HMAC-SHA256(key, detectorID + "\x00" + value)). Without the key it reveals nothing about
// the value, and two patrol installations with different keys cannot correlate findings.
func Fingerprint(key []byte, detectorID string, t Token) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(detectorID))
	m.Write([]byte{0})
	m.Write([]byte(t.value))
	return hex.EncodeToString(m.Sum(nil))
}

// PreviewChars is how many characters after the fixed prefix a preview shows.
const PreviewChars = 4

// Preview returns the fixed, public prefix of the token (prefixLen bytes, e.g. "ghp_") followed by
// the first PreviewChars characters after it and "…". A token too short to keep most of its
// randomness hidden shows only its prefix.
func Preview(t Token, prefixLen int) string {
	v := t.value
	if prefixLen < 0 || prefixLen > len(v) {
		prefixLen = 0
	}
	rest := v[prefixLen:]
	n := 0
	i := 0
	for i < len(rest) && n < PreviewChars {
		_, size := utf8.DecodeRuneInString(rest[i:])
		i += size
		n++
	}
	if utf8.RuneCountInString(rest) < 3*PreviewChars {
		i = 0 // short secret: showing 4 chars would reveal too much of it
	}
	return v[:prefixLen] + rest[:i] + "…"
}
