package detectors

import (
	"strings"
	"testing"
)

// pemBlock builds a synthetic PEM block: the label ("RSA PRIVATE KEY"), optional header
// lines, and lines of 64 random base64 characters, joined by sep ("\n", or `\n` as inside a
// JSON string).
func pemBlock(seed uint64, label string, lines int, sep string, headers ...string) string {
	var b strings.Builder
	b.WriteString("-----" + "BEGIN " + label + "-----" + sep)
	for _, h := range headers {
		b.WriteString(h + sep)
	}
	if len(headers) > 0 {
		b.WriteString(sep)
	}
	for i := range lines {
		b.WriteString(rnd(seed+uint64(i), b64std, 64) + sep)
	}
	b.WriteString("-----" + "END " + label + "-----")
	return b.String()
}

// pgpArmor builds a synthetic OpenPGP armored secret key: armor headers, a blank line, the
// body and the "=" CRC-24 checksum line (RFC 4880 section 6.2).
func pgpArmor(seed uint64) string {
	var b strings.Builder
	b.WriteString("-----" + "BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\nComment: ci signing key\n\n")
	for i := range 20 {
		b.WriteString(rnd(seed+uint64(i), b64std, 64) + "\n")
	}
	b.WriteString(rnd(seed+30, b64std, 28) + "\n=" + rnd(seed+31, b64std, 4) + "\n-----END PGP PRIVATE KEY BLOCK-----")
	return b.String()
}

func init() { registerCases(PrivateKey, casesPrivateKey) }

func casesPrivateKey() ([]tp, []fp) {
	return []tp{
			{"RSA", pemBlock(260, "RSA PRIVATE KEY", 25, "\n"), ConfidencePattern},
			{"PKCS#8 in JSON", pemBlock(300, "PRIVATE KEY", 26, `\n`), ConfidencePattern},
			{"OpenSSH", pemBlock(340, "OPENSSH PRIVATE KEY", 7, "\n"), ConfidencePattern},
			{"EC, one line", pemBlock(350, "EC PRIVATE KEY", 2, "\n"), ConfidencePattern},
			{"encrypted PKCS#1 with headers", pemBlock(360, "RSA PRIVATE KEY", 20, "\n",
				"Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,"+rnd(361, "0123456789ABCDEF", 32)), ConfidencePattern},
			{"PGP", pemBlock(390, "PGP PRIVATE KEY BLOCK", 30, "\n", "Version: Keybase OpenPGP v2.1.15"), ConfidencePattern},
			{"DSA", pemBlock(4900, "DSA PRIVATE KEY", 11, "\n"), ConfidencePattern},
			{"encrypted PKCS#8", pemBlock(4910, "ENCRYPTED PRIVATE KEY", 27, "\n"), ConfidencePattern},
			{"PGP with comment and armor checksum", pgpArmor(4920), ConfidencePattern},
			{"CRLF lines", pemBlock(4950, "EC PRIVATE KEY", 3, "\r\n"), ConfidencePattern},
			{"YAML block, indented", pemBlock(4960, "OPENSSH PRIVATE KEY", 7, "\n    "), ConfidencePattern},
			{"Go string concatenation", pemBlock(4970, "RSA PRIVATE KEY", 25, "\\n\" +\n\t\""), ConfidencePattern},
		}, []fp{
			{"ellipsis body", "-----" + "BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----"},
			{"template body", "-----" + "BEGIN PRIVATE KEY-----\n<your private key here>\n-----END PRIVATE KEY-----"},
			{"short body", "-----" + "BEGIN PRIVATE KEY-----\n" + rnd(420, b64std, 40) + "\n-----END PRIVATE KEY-----"},
			{"low-entropy body", "-----" + "BEGIN PRIVATE KEY-----\n" + strings.Repeat("QUJD", 40) + "\n-----END PRIVATE KEY-----"},
			{"public key", pemBlock(421, "PUBLIC KEY", 6, "\n")},
			{"BEGIN line only", "-----" + "BEGIN RSA PRIVATE KEY-----\n" + rnd(430, b64std, 64)},
		}
}

func TestPrivateKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesPrivateKey()
	checkDetector(t, PrivateKey(), tps, fps)
}
