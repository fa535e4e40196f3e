package detectors

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"regexp"
	"strconv"
	"strings"
)

// This file holds Microsoft's "identifiable key" format (security-utilities,
// IdentifiableSecrets.GenerateBase64KeyHelper and ValidateBase64Key), shared by the detectors of
// the Azure key families that use it. A key of n bytes is n-4 random bytes in which the bits
// that encode as the 4 characters before the last 6 are overwritten with a fixed signature
// ("+ASt", "ACDb", …), then 4 bytes of checksum: Marvin32 (IdentifiableSecrets' seeds, one per
// key kind, from IdentifiableMetadata.cs) of the n-4 bytes before it, little-endian. The whole
// is base64, standard or URL-safe, with or without padding. A checksum match is an offline
// proof that Microsoft's generator made the key; every family requires it.

// idKey describes one identifiable key family.
type idKey struct {
	sig   string   // the 4-character signature in the encoded key
	size  int      // length of the key in bytes
	alpha alphabet // which base64 alphabet the family's keys use
	seeds []uint64 // Marvin32 seeds, one per key kind of the family
}

// alphabet is the base64 alphabet of an identifiable key family.
type alphabet int

const (
	alphaStd  alphabet = iota // "+/"
	alphaURL                  // "-_"
	alphaBoth                 // either, not mixed in one key
)

// encLen is the length of the key's base64 text without padding.
func (k idKey) encLen() int { return (k.size*8 + 5) / 6 }

// pattern is the RE2 pattern of the family: a token of encLen characters with the signature
// 10 characters from the end, padding optional, and no base64 character on either side.
func (k idKey) pattern() string {
	cls := map[alphabet]string{alphaStd: `A-Za-z0-9+/`, alphaURL: `A-Za-z0-9_\-`, alphaBoth: `A-Za-z0-9+/_\-`}[k.alpha]
	pad := ""
	if n := (4 - k.encLen()%4) % 4; n > 0 {
		pad = `(?:` + strings.Repeat("=", n) + `)?`
	}
	return `(?:^|[^A-Za-z0-9+/_\-])([` + cls + `]{` + strconv.Itoa(k.encLen()-10) + `}` +
		regexp.QuoteMeta(k.sig) + `[` + cls + `]{6}` + pad + `)(?:[^A-Za-z0-9+/_\-=]|$)`
}

// detector builds the Detector of the family. Its keyword is the signature: it sits inside
// every token, so the prefilter window needs to reach only the token's own length.
func (k idKey) detector(id, desc string) *Detector {
	n := k.encLen() + 3
	return &Detector{
		ID:          id,
		Description: desc,
		Checks:      "Marvin32",
		Keywords:    []string{strings.ToLower(k.sig)},
		Pattern:     k.pattern(),
		Before:      n,
		After:       n,
		Validate: func(tok []byte) (Confidence, bool) {
			url := k.alpha == alphaURL || k.alpha == alphaBoth && bytes.ContainsAny(tok, "-_")
			if ValidIdentifiableKey(tok, k.sig, k.size, url, k.seeds...) {
				return ConfidenceChecksum, true
			}
			return "", false
		},
	}
}

// ValidIdentifiableKey reports whether tok is a size-byte identifiable key with signature sig
// whose checksum matches one of seeds. url selects the URL-safe alphabet; padding is optional.
func ValidIdentifiableKey(tok []byte, sig string, size int, url bool, seeds ...uint64) bool {
	raw := strings.TrimRight(string(tok), "=")
	enc := base64.RawStdEncoding
	if url {
		enc = base64.RawURLEncoding
	}
	if len(raw) != (size*8+5)/6 || len(raw) < 10 || raw[len(raw)-10:len(raw)-6] != sig {
		return false
	}
	b, err := enc.DecodeString(raw)
	if err != nil || len(b) != size {
		return false
	}
	want := binary.LittleEndian.Uint32(b[size-4:])
	for _, s := range seeds {
		if Marvin32(b[:size-4], s) == want {
			return true
		}
	}
	return false
}

// IdentifiableKey builds a checksum-valid size-byte identifiable key with signature sig from
// the random bytes (at least size of them), for tests; it follows GenerateBase64KeyHelper:
// the signature's bits are written over the random ones, then the checksum over the last 4
// bytes. The result is padded as Microsoft's generator pads it. It returns "" for bad arguments.
func IdentifiableKey(random []byte, sig string, size int, url bool, seed uint64) string {
	if size < 24 || len(random) < size || len(sig) != 4 {
		return ""
	}
	enc := base64.StdEncoding
	if url {
		enc = base64.URLEncoding
	}
	n := (size*8 + 5) / 6
	text := []byte(enc.EncodeToString(random[:size]))
	copy(text[n-10:], sig)
	b, err := enc.DecodeString(string(text))
	if err != nil || len(b) != size {
		return ""
	}
	binary.LittleEndian.PutUint32(b[size-4:], Marvin32(b[:size-4], seed))
	return enc.EncodeToString(b)
}
