package detectors

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"math/big"
	"math/bits"
	"strings"
)

// This file holds the offline checksum algorithms of PROVIDERS.md §7. They are exported so that
// tests elsewhere can build synthetic, checksum-valid tokens at run time instead of keeping
// token-shaped strings in the tree.

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// CRC32Base62 is the GitHub/npm token checksum: CRC32-IEEE of body, in base 62 (alphabet
// 0-9A-Za-z, most significant digit first), left-padded with '0' to 6 characters.
func CRC32Base62(body []byte) string {
	c := crc32.ChecksumIEEE(body)
	var buf [6]byte
	for i := range buf {
		buf[i] = '0'
	}
	for i := 5; c > 0 && i >= 0; i-- {
		buf[i] = base62Alphabet[c%62]
		c /= 62
	}
	return string(buf[:])
}

// validCRC32Base62 checks a token whose last 6 characters are CRC32Base62 of the body
// that starts after prefixLen.
func validCRC32Base62(tok []byte, prefixLen int) bool {
	if len(tok) < prefixLen+7 {
		return false
	}
	body := tok[prefixLen : len(tok)-6]
	return CRC32Base62(body) == string(tok[len(tok)-6:])
}

// ADO legacy PAT CRC seeds (IdentifiableMetadata.cs).
const (
	adoLegacyUserSeed = 0xE0B9692D
	adoLegacyAppSeed  = 0x1019F92E
)

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// ValidADOLegacyPAT reports whether a 52-char lowercase base32 string carries the legacy Azure
// DevOps PAT checksum (CRC32 of 28 scattered bytes, XOR a user or application seed).
func ValidADOLegacyPAT(tok []byte) bool {
	if len(tok) != 52 {
		return false
	}
	var up [52]byte
	for i, c := range tok {
		switch {
		case c >= 'a' && c <= 'z':
			up[i] = c - 'a' + 'A'
		case c >= '2' && c <= '7':
			up[i] = c
		default:
			return false
		}
	}
	var b [33]byte
	n, err := base32NoPad.Decode(b[:], up[:])
	if err != nil || n < 32 {
		return false
	}
	var body [28]byte
	copy(body[0:2], b[0:2])
	copy(body[2:6], b[3:7])
	copy(body[6:19], b[9:22])
	copy(body[19:28], b[23:32])
	stored := uint32(b[22]) | uint32(b[8])<<8 | uint32(b[7])<<16 | uint32(b[2])<<24
	c := crc32.ChecksumIEEE(body[:])
	return stored == c^adoLegacyUserSeed || stored == c^adoLegacyAppSeed
}

// ADOLegacyPAT builds a checksum-valid legacy Azure DevOps PAT from 28 random bytes, for tests.
func ADOLegacyPAT(random [28]byte, application bool) string {
	var b [32]byte
	copy(b[0:2], random[0:2])
	copy(b[3:7], random[2:6])
	copy(b[9:22], random[6:19])
	copy(b[23:32], random[19:28])
	seed := uint32(adoLegacyUserSeed)
	if application {
		seed = adoLegacyAppSeed
	}
	c := crc32.ChecksumIEEE(random[:]) ^ seed
	b[22], b[8], b[7], b[2] = byte(c), byte(c>>8), byte(c>>16), byte(c>>24)
	return strings.ToLower(base32NoPad.EncodeToString(b[:]))
}

// marvinBlock is one SymCrypt Marvin32 mixing round.
func marvinBlock(p0, p1 uint32) (uint32, uint32) {
	p1 ^= p0
	p0 = bits.RotateLeft32(p0, 20)
	p0 += p1
	p1 = bits.RotateLeft32(p1, 9)
	p1 ^= p0
	p0 = bits.RotateLeft32(p0, 27)
	p0 += p1
	p1 = bits.RotateLeft32(p1, 19)
	return p0, p1
}

// Marvin64 is SymCrypt's Marvin hash, both 32-bit halves.
func Marvin64(data []byte, seed uint64) uint64 {
	p0, p1 := uint32(seed), uint32(seed>>32)
	n := len(data) / 4 * 4
	for i := 0; i < n; i += 4 {
		p0 += binary.LittleEndian.Uint32(data[i:])
		p0, p1 = marvinBlock(p0, p1)
	}
	fin := uint32(0x80)
	switch r := data[n:]; len(r) {
	case 1:
		fin = 0x8000 | uint32(r[0])
	case 2:
		fin = 0x800000 | uint32(r[1])<<8 | uint32(r[0])
	case 3:
		fin = 0x80000000 | uint32(r[2])<<16 | uint32(r[1])<<8 | uint32(r[0])
	}
	p0 += fin
	p0, p1 = marvinBlock(p0, p1)
	p0, p1 = marvinBlock(p0, p1)
	return uint64(p1)<<32 | uint64(p0)
}

// Marvin32 folds Marvin64 to 32 bits as the CASK checksum does.
func Marvin32(data []byte, seed uint64) uint32 {
	h := Marvin64(data, seed)
	return uint32(h>>32) ^ uint32(h)
}

// caskSeed is "Default0" read big-endian.
const caskSeed = 0x44656661756C7430

// base62Bytes encodes b as a big-endian integer in base 62 with one '0' per leading zero byte
// (Base62.Net semantics).
func base62Bytes(b []byte) string {
	lead := 0
	for lead < len(b)-1 && b[lead] == 0 {
		lead++
	}
	n, m, s := new(big.Int).SetBytes(b), new(big.Int), ""
	base := big.NewInt(62)
	for n.Sign() > 0 {
		n.DivMod(n, base, m)
		s = string(base62Alphabet[m.Int64()]) + s
	}
	if s == "" {
		s = "0"
	}
	return strings.Repeat("0", lead) + s
}

// caskChecksum returns the 6-char base62 checksum and the raw 4 checksum bytes of the first
// 80 characters of a CASK key.
func caskChecksum(key80 []byte) (string, [4]byte, bool) {
	var cb [4]byte
	var body [60]byte
	n, err := base64.StdEncoding.Decode(body[:], key80)
	if err != nil || n != 60 {
		return "", cb, false
	}
	binary.LittleEndian.PutUint32(cb[:], Marvin32(body[:], caskSeed))
	t := base62Bytes(cb[:])
	if len(t) < 6 {
		t += strings.Repeat("0", 6-len(t))
	}
	return t, cb, true
}

// ValidCASK reports whether an 84- or 88-char CASK key with provider signature sig carries a
// valid Marvin32 checksum, in either the base62 or the older raw-base64 encoding.
func ValidCASK(key []byte, sig string) bool {
	if len(key) != 84 && len(key) != 88 {
		return false
	}
	if string(key[52:56]) != "JQQJ" || string(key[76:80]) != sig || key[59] < 'A' || key[59] > 'L' {
		return false
	}
	t, cb, ok := caskChecksum(key[:80])
	if !ok {
		return false
	}
	tail := strings.TrimRight(string(key[80:]), "=")
	if strings.HasPrefix(t, tail) || (len(tail) == 6 && t[:5] == tail[:5]) {
		return true
	}
	n := 3
	if len(key) == 88 {
		n = 4
	}
	return base64.StdEncoding.EncodeToString(cb[:n]) == string(key[80:])
}

// ADOPAT builds a checksum-valid 84-char Azure DevOps PAT from 52 base62 characters and the
// creation year (2024…2087) and month (1…12), for tests. It returns "" for bad arguments.
func ADOPAT(random52 string, year, month int) string {
	if len(random52) != 52 || year < 2024 || year > 2087 || month < 1 || month > 12 {
		return ""
	}
	b64 := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	k := random52 + "JQQJ99" + string(b64[year-2024]) + string("ABCDEFGHIJKL"[month-1]) +
		"AAAAAAAAAAAA" + "AAAA" + "AZDO"
	t, _, _ := caskChecksum([]byte(k))
	return k + t[:4]
}
