package detectors

import (
	"bytes"
)

func init() { register(PrivateKey) }

// PrivateKey finds PEM-armoured private keys (PKCS#1 RSA, SEC1 EC, PKCS#8 plain and
// encrypted, OpenSSH, DSA, PGP "PRIVATE KEY BLOCK"): the whole block from -----BEGIN … PRIVATE
// KEY----- to the matching -----END line is the secret. Blocks inside string literals (JSON
// "\n" escapes, quoted and concatenated lines, YAML indentation) are understood. A block is a
// finding only when its body is at least 64 characters of base64 with real entropy: bodies
// like "...", "<your key>" or "MIIE…" are documentation.
//
// References: https://www.rfc-editor.org/rfc/rfc7468
func PrivateKey() *Detector {
	return &Detector{
		ID:          "private-key",
		Description: "PEM private key block",
		Keywords:    []string{"private key-----", "private key block-----"},
		Pattern: `-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?` +
			`-----END (?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?-----`,
		Before: 64,
		After:  16384,
		Broad:  true, // any PEM key; a GCP key file's detector is more specific
		// The block holds dashes and headers that trip the generic filter; validPEMBody
		// does its own placeholder check on the base64 body.
		KeepPlaceholders: true,
		Validate:         validPEMBody,
	}
}

// minPEMBody is the shortest body worth reporting: a PKCS#8 Ed25519 key is 48 bytes, 64
// base64 characters.
const minPEMBody = 64

// validPEMBody accepts a PEM block whose body, once string-literal noise and RFC 1421
// headers are removed, is base64 of at least minPEMBody characters that does not look like
// a placeholder.
func validPEMBody(block []byte) (Confidence, bool) {
	if len(block) < 10 {
		return "", false // shorter than its own armor: not from the pattern, but never panic
	}
	start := bytes.Index(block[5:], []byte("-----"))
	end := bytes.LastIndex(block, []byte("-----END"))
	if start < 0 || end < 0 || start+10 > end {
		return "", false
	}
	body := block[start+10 : end]
	// Escaped line breaks inside string literals become real ones.
	body = bytes.ReplaceAll(body, []byte(`\r`), []byte("\n"))
	body = bytes.ReplaceAll(body, []byte(`\n`), []byte("\n"))
	var b64 []byte
	for line := range bytes.SplitSeq(body, []byte("\n")) {
		line = bytes.Trim(line, " \t\r\"'`+,;()\\")
		switch {
		case len(line) == 0:
			continue
		case bytes.IndexByte(line, ':') >= 0:
			continue // RFC 1421 / OpenPGP armor header (Proc-Type:, DEK-Info:, Version:)
		case line[0] == '=' && len(line) <= 5:
			continue // OpenPGP armor checksum (=abcd)
		}
		for _, c := range line {
			if !isStdBase64(c) {
				return "", false
			}
		}
		b64 = append(b64, line...)
	}
	if len(b64) < minPEMBody || IsPlaceholder(b64) || Entropy(b64) < 4 {
		return "", false
	}
	return ConfidencePattern, true
}

// isStdBase64 reports whether c belongs to the standard base64 alphabet or is padding.
func isStdBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}
