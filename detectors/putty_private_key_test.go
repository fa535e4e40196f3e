package detectors

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ppkOpts describe a synthetic .ppk file.
type ppkOpts struct {
	version  int
	alg, enc string
	privLen  int
	sep      string // line separator: "\n", "\r\n" or `\n`
	badMAC   bool   // flip the MAC's last digit
}

// ppkFile builds a synthetic PuTTY key file: random key material, the structure PuTTY writes,
// and, for an unencrypted file, the MAC computed as PuTTY's format document says.
func ppkFile(seed uint64, o ppkOpts) string {
	sshStr := func(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }
	pub := append(sshStr([]byte(o.alg)), rndBytes(seed, 51)...)
	priv := rndBytes(seed+1, o.privLen)
	comment := "key-" + strconv.FormatUint(seed, 10)
	lines := func(b []byte) []string {
		s := base64.StdEncoding.EncodeToString(b)
		var out []string
		for len(s) > 64 {
			out = append(out, s[:64])
			s = s[64:]
		}
		return append(out, s)
	}
	var mac []byte
	if o.enc == "none" {
		var m hash.Hash
		if o.version == 2 {
			key := sha1.Sum([]byte("putty-private-key-file-mac-key"))
			m = hmac.New(sha1.New, key[:])
		} else {
			m = hmac.New(sha256.New, nil)
		}
		for _, s := range [][]byte{[]byte(o.alg), []byte(o.enc), []byte(comment), pub, priv} {
			m.Write(sshStr(s))
		}
		mac = m.Sum(nil)
	} else {
		mac = rndBytes(seed+2, map[int]int{2: 20, 3: 32}[o.version])
	}
	macHex := hex.EncodeToString(mac)
	if o.badMAC {
		macHex = flipLast(macHex)
	}
	out := []string{"PuTTY-User-Key-File-" + strconv.Itoa(o.version) + ": " + o.alg, "Encryption: " + o.enc, "Comment: " + comment}
	pl := lines(pub)
	out = append(out, "Public-Lines: "+strconv.Itoa(len(pl)))
	out = append(out, pl...)
	if o.version == 3 && o.enc != "none" {
		out = append(out, "Key-Derivation: Argon2id", "Argon2-Memory: 8192", "Argon2-Passes: 13",
			"Argon2-Parallelism: 1", "Argon2-Salt: "+rnd(seed+3, hexLo, 32))
	}
	vl := lines(priv)
	out = append(out, "Private-Lines: "+strconv.Itoa(len(vl)))
	out = append(out, vl...)
	out = append(out, "Private-MAC: "+macHex)
	return strings.Join(out, o.sep)
}

func init() { registerCases(PuTTYPrivateKey, casesPuTTYPrivateKey) }

func casesPuTTYPrivateKey() ([]tp, []fp) {
	v2rsa := ppkOpts{version: 2, alg: "ssh-rsa", enc: "none", privLen: 660, sep: "\n"}
	v3ed := ppkOpts{version: 3, alg: "ssh-ed25519", enc: "none", privLen: 36, sep: "\n"}
	v3enc := ppkOpts{version: 3, alg: "ecdsa-sha2-nistp256", enc: "aes256-cbc", privLen: 48, sep: "\n"}
	crlf, escaped, bad := v2rsa, v3ed, v3ed
	crlf.sep, escaped.sep, bad.badMAC = "\r\n", `\n`, true
	broken := func(seed uint64, o ppkOpts, old, new string) string {
		return strings.Replace(ppkFile(seed, o), old, new, 1)
	}
	return []tp{
			{"version 2 RSA", ppkFile(4400, v2rsa), ConfidenceChecksum},
			{"version 3 Ed25519", ppkFile(4410, v3ed), ConfidenceChecksum},
			{"version 3 encrypted", ppkFile(4420, v3enc), ConfidencePattern},
			{"CRLF lines", ppkFile(4430, crlf), ConfidenceChecksum},
			{"inside a JSON string", ppkFile(4440, escaped), ConfidenceChecksum},
			{"MAC does not verify", ppkFile(4450, bad), ConfidencePattern},
		}, []fp{
			{"header only", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-MAC: " + strings.Repeat("0", 64)},
			{"wrong line count", broken(4460, v3ed, "Private-Lines: 1", "Private-Lines: 2")},
			{"unknown algorithm", broken(4470, v3ed, "ssh-ed25519\n", "ssh-foo\n")},
			{"public blob of another algorithm", broken(4480, v2rsa, ": ssh-rsa\n", ": ssh-dss\n")},
			{"encrypted without Argon2 parameters", broken(4490, v3enc, "Key-Derivation: Argon2id\n", "")},
			{"MAC of the wrong length", broken(4500, v3ed, "Private-MAC: ", "Private-MAC: 0123456789abcdef0123456789abcdef01234567\nX: ")},
			{"placeholder body", "PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: imported\nPublic-Lines: 1\n...\nPrivate-Lines: 1\n...\nPrivate-MAC: <mac>"},
		}
}

func TestPuTTYPrivateKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesPuTTYPrivateKey()
	checkDetector(t, PuTTYPrivateKey(), tps, fps)
}

// TestPuTTYPrivateKeyPuTTYgen checks the MAC verification against files PuTTY's own
// puttygen writes, when it is installed: unencrypted ones verify, an encrypted one is found.
func TestPuTTYPrivateKeyPuTTYgen(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("puttygen")
	if err != nil {
		t.Skip("puttygen not installed")
	}
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	if err := os.WriteFile(pass, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want Confidence
	}{
		{"v2 rsa", []string{"-t", "rsa", "-b", "2048", "--ppk-param", "version=2", "--new-passphrase", os.DevNull}, ConfidenceChecksum},
		{"v3 ed25519", []string{"-t", "ed25519", "--new-passphrase", os.DevNull}, ConfidenceChecksum},
		{"v3 ecdsa", []string{"-t", "ecdsa", "-b", "384", "--new-passphrase", os.DevNull}, ConfidenceChecksum},
		{"v3 encrypted", []string{"-t", "ed25519", "--new-passphrase", pass}, ConfidencePattern},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(dir, strconv.Itoa(i)+".ppk")
			cmd := exec.CommandContext(t.Context(), bin, append(tt.args, "-o", out)...)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("puttygen %v: %v: %s", tt.args, err, b)
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			ms := PuTTYPrivateKey().Find(b)
			if len(ms) != 1 || ms[0].Confidence != tt.want {
				t.Fatalf("Find(puttygen %s) = %+v, want one %s match", tt.name, ms, tt.want)
			}
			if got := strings.TrimRight(string(b), "\n"); string(b[ms[0].Start:ms[0].End]) != got {
				t.Errorf("Find(puttygen %s) span [%d,%d), want the whole %d-byte file", tt.name, ms[0].Start, ms[0].End, len(got))
			}
		})
	}
}
