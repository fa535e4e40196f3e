package detectors

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// bech32Encode encodes data (bytes) as upper-case Bech32 with human-readable part hrp.
func bech32Encode(hrp string, data []byte) string {
	var values []byte
	acc, n := 0, 0
	for _, b := range data {
		acc = acc<<8 | int(b)
		n += 8
		for n >= 5 {
			n -= 5
			values = append(values, byte(acc>>n)&31)
		}
	}
	if n > 0 {
		values = append(values, byte(acc<<(5-n))&31)
	}
	poly := bech32Polymod(append(append(bech32HRPExpand([]byte(hrp)), values...), 0, 0, 0, 0, 0, 0)) ^ 1
	for i := range 6 {
		values = append(values, byte(poly>>(5*(5-i)))&31)
	}
	var b strings.Builder
	b.WriteString(hrp + "1")
	for _, v := range values {
		b.WriteByte(bech32Charset[v])
	}
	return strings.ToUpper(b.String())
}

// ageKey builds a checksum-valid synthetic age identity.
func ageKey(seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 11))
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	return bech32Encode("age-secret-key-", key)
}

func TestBech32(t *testing.T) {
	t.Parallel()
	// BIP 173 valid test vectors.
	for _, s := range []string{"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"} {
		if _, ok := validBech32([]byte(s)); !ok {
			t.Errorf("validBech32(%s) = false, want true", s)
		}
	}
	for _, s := range []string{"A12uEL5L", "a12uel5m", "1nwldj5", "abc1rzg"} {
		if _, ok := validBech32([]byte(s)); ok {
			t.Errorf("validBech32(%s) = true, want false", s)
		}
	}
}

// upper32 is the Bech32 alphabet in upper case.
var upper32 = strings.ToUpper(bech32Charset)

func init() { registerCases(AgeSecretKey, casesAgeSecretKey) }

func casesAgeSecretKey() ([]tp, []fp) {
	tok := ageKey(620)
	return []tp{
			{"random 1", tok, ConfidenceChecksum},
			{"random 2", ageKey(621), ConfidenceChecksum},
			{"random 3", ageKey(622), ConfidenceChecksum},
		}, []fp{
			{"checksum mismatch", tok[:len(tok)-1] + string(upper32[(strings.IndexByte(upper32, tok[len(tok)-1])+1)%32])},
			{"all Q", "AGE-SECRET-KEY-1" + strings.Repeat("Q", 58)},
			{"lower case", strings.ToLower(tok)},
			{"too short", tok[:len(tok)-1]},
			{"public key", "age1" + strings.ToLower(tok[16:])},
		}
}

func TestAgeSecretKey(t *testing.T) {
	t.Parallel()
	tps, fps := casesAgeSecretKey()
	checkDetector(t, AgeSecretKey(), tps, fps)
}
