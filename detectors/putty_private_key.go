package detectors

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
)

func init() { register(PuTTYPrivateKey) }

// PuTTYPrivateKey finds PuTTY private key files (.ppk, format versions 2 and 3): the whole
// file from "PuTTY-User-Key-File-" to the end of its Private-MAC line is the secret.
// Validate parses the structure field by field (known key algorithm, Encryption,
// Public-Lines and Private-Lines counts matching their base64 lines, the Argon2 parameters of
// an encrypted version 3 file, a MAC of the version's length) and checks that the public blob
// names the header's algorithm. An unencrypted file's MAC is keyed by the empty passphrase,
// so it is verified offline (HMAC-SHA-1 for version 2, HMAC-SHA-256 for version 3):
// ConfidenceChecksum. An encrypted file (Encryption: aes256-cbc) is still a finding — the
// passphrase may be weak or leaked beside it — at ConfidencePattern, as is an unencrypted
// one whose MAC does not verify (an edited comment leaves the key material real).
//
// References: https://the.earth.li/~sgtatham/putty/0.78/htmldoc/AppendixC.html
func PuTTYPrivateKey() *Detector {
	return &Detector{
		ID:          "putty-private-key",
		Description: "PuTTY private key file (.ppk)",
		Keywords:    []string{"putty-user-key-file-"},
		Pattern:     `PuTTY-User-Key-File-[23]: [\s\S]*?Private-MAC: [0-9a-fA-F]{40,64}`,
		Before:      8,
		After:       16384,
		// The file holds headers and dashes; validPPK checks its own base64.
		KeepPlaceholders: true,
		Validate:         validPPK,
		Checks:           "HMAC-SHA-1 or HMAC-SHA-256 MAC of unencrypted files",
		RotateURL:        "https://the.earth.li/~sgtatham/putty/0.78/htmldoc/Chapter8.html#pubkey-puttygen",
	}
}

// ppkAlgorithms are the key algorithms PuTTY writes into a .ppk header.
var ppkAlgorithms = map[string]bool{
	"ssh-rsa": true, "ssh-dss": true, "ssh-ed25519": true, "ssh-ed448": true,
	"ecdsa-sha2-nistp256": true, "ecdsa-sha2-nistp384": true, "ecdsa-sha2-nistp521": true,
}

// ppk is a parsed .ppk file.
type ppk struct {
	version           int
	alg, enc, comment string
	public, private   []byte
	privateB64        []byte
	mac               []byte
}

// parsePPK parses a .ppk file. Lines may end in \n, \r\n or a literal `\n` (the file inside a
// JSON or YAML string). It returns false for anything that is not a well-formed file.
func parsePPK(block []byte) (ppk, bool) {
	var k ppk
	text := bytes.ReplaceAll(block, []byte(`\r\n`), []byte("\n"))
	text = bytes.ReplaceAll(text, []byte(`\n`), []byte("\n"))
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	lines := strings.Split(string(text), "\n")
	i := 0
	field := func(name string) (string, bool) {
		if i >= len(lines) {
			return "", false
		}
		v, ok := strings.CutPrefix(lines[i], name+": ")
		if ok {
			i++
		}
		return v, ok
	}
	b64Lines := func(name string) ([]byte, []byte, bool) {
		v, ok := field(name)
		if !ok {
			return nil, nil, false
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 256 || i+n > len(lines) {
			return nil, nil, false
		}
		var enc []byte
		for _, l := range lines[i : i+n] {
			if len(l) == 0 || len(l) > 64 {
				return nil, nil, false
			}
			enc = append(enc, l...)
		}
		i += n
		dec, err := base64.StdEncoding.DecodeString(string(enc))
		if err != nil {
			return nil, nil, false
		}
		return dec, enc, true
	}
	head, ok := strings.CutPrefix(lines[0], "PuTTY-User-Key-File-")
	if !ok || len(head) < 4 || head[1:3] != ": " || (head[0] != '2' && head[0] != '3') {
		return k, false
	}
	i = 1
	k.version, k.alg = int(head[0]-'0'), head[3:]
	if !ppkAlgorithms[k.alg] {
		return k, false
	}
	if k.enc, ok = field("Encryption"); !ok || (k.enc != "none" && k.enc != "aes256-cbc") {
		return k, false
	}
	if k.comment, ok = field("Comment"); !ok {
		return k, false
	}
	if k.public, _, ok = b64Lines("Public-Lines"); !ok {
		return k, false
	}
	if k.version == 3 && k.enc != "none" {
		kdf, ok := field("Key-Derivation")
		if !ok || (kdf != "Argon2id" && kdf != "Argon2i" && kdf != "Argon2d") {
			return k, false
		}
		for _, name := range []string{"Argon2-Memory", "Argon2-Passes", "Argon2-Parallelism"} {
			v, ok := field(name)
			if n, err := strconv.Atoi(v); !ok || err != nil || n < 1 {
				return k, false
			}
		}
		if v, ok := field("Argon2-Salt"); !ok || len(v) < 16 || !isHexString(v) {
			return k, false
		}
	}
	if k.private, k.privateB64, ok = b64Lines("Private-Lines"); !ok {
		return k, false
	}
	if k.enc != "none" && len(k.private)%16 != 0 {
		return k, false
	}
	mac, ok := field("Private-MAC")
	macLen := map[int]int{2: 40, 3: 64}[k.version]
	if !ok || len(mac) != macLen {
		return k, false
	}
	if k.mac, ok = decodeHex(mac); !ok {
		return k, false
	}
	return k, i == len(lines)
}

func isHexString(s string) bool {
	_, ok := decodeHex(s)
	return ok
}

func decodeHex(s string) ([]byte, bool) {
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// sshString reads one SSH wire-format string (uint32 length, bytes) from the front of b.
func sshString(b []byte) ([]byte, bool) {
	if len(b) < 4 {
		return nil, false
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, false
	}
	return b[4 : 4+n], true
}

// macOK verifies an unencrypted file's MAC: HMAC over the SSH strings of the algorithm,
// encryption, comment, public blob and private blob, keyed by SHA-1("putty-private-key-file-
// mac-key") in version 2 and by the empty key in version 3.
func (k ppk) macOK() bool {
	var data []byte
	for _, s := range [][]byte{[]byte(k.alg), []byte(k.enc), []byte(k.comment), k.public, k.private} {
		data = binary.BigEndian.AppendUint32(data, uint32(len(s)))
		data = append(data, s...)
	}
	var sum []byte
	if k.version == 2 {
		key := sha1.Sum([]byte("putty-private-key-file-mac-key"))
		m := hmac.New(sha1.New, key[:])
		m.Write(data)
		sum = m.Sum(nil)
	} else {
		m := hmac.New(sha256.New, nil)
		m.Write(data)
		sum = m.Sum(nil)
	}
	return hmac.Equal(sum, k.mac)
}

// validPPK is PuTTYPrivateKey's Validate: a well-formed file whose public blob names its
// algorithm and whose private base64 is not a placeholder.
func validPPK(block []byte) (Confidence, bool) {
	k, ok := parsePPK(block)
	if !ok {
		return "", false
	}
	if alg, ok := sshString(k.public); !ok || string(alg) != k.alg {
		return "", false
	}
	if len(k.private) < 32 || IsPlaceholder(k.privateB64) || Entropy(k.privateB64) < 4 {
		return "", false
	}
	if k.enc == "none" && k.macOK() {
		return ConfidenceChecksum, true
	}
	return ConfidencePattern, true
}
