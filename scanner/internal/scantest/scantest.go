// Package scantest builds what the scanner's tests need at run time: synthetic tokens that pass
// the detectors' checksums (never a real token, never a token-shaped literal in the tree).
package scantest

import (
	"crypto/rand"
	"encoding/binary"
	"unicode/utf16"

	"github.com/patrolsec/patrol/detectors"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Base62 returns n random base62 characters.
func Base62(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = base62[int(b[i])%len(base62)]
	}
	return string(b)
}

// GitHubToken returns a random, checksum-valid GitHub classic PAT.
func GitHubToken() string {
	body := Base62(30)
	return "ghp_" + body + detectors.CRC32Base62([]byte(body))
}

// ADOToken returns a random, checksum-valid 84-character Azure DevOps PAT.
func ADOToken() string { return detectors.ADOPAT(Base62(52), 2025, 7) }

// UTF16 encodes s as UTF-16, big-endian when be, with a byte order mark when bom: the content
// of a file saved as UTF-16 (Windows PowerShell, .reg files).
func UTF16(s string, be, bom bool) string {
	var order binary.AppendByteOrder = binary.LittleEndian
	if be {
		order = binary.BigEndian
	}
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	out := make([]byte, 0, 2*len(units))
	for _, u := range units {
		out = order.AppendUint16(out, u)
	}
	return string(out)
}
