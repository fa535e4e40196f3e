package detectors

import (
	"bufio"
	"encoding/base64"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// rndBytes returns n deterministic pseudo-random bytes; seed varies the output.
func rndBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x2545f4914f6cdd1d))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// idKeyCases builds the true and false positives of an identifiable key family at run time:
// one key per checksum seed (unpadded too, where the format pads), and keys of the right shape
// with a broken checksum, another family's seed, another signature, a placeholder body, or
// more base64 around them.
func idKeyCases(k idKey, seed uint64) ([]tp, []fp) {
	url := k.alpha == alphaURL
	var tps []tp
	for i, s := range k.seeds {
		tok := IdentifiableKey(rndBytes(seed+uint64(i), k.size), k.sig, k.size, url, s)
		tps = append(tps, tp{"seed " + string(rune('a'+i)), tok, ConfidenceChecksum})
		if raw := strings.TrimRight(tok, "="); i == 0 && raw != tok {
			tps = append(tps, tp{"unpadded", raw, ConfidenceChecksum})
		}
	}
	if k.alpha == alphaBoth {
		tps = append(tps, tp{"url-safe", IdentifiableKey(rndBytes(seed+99, k.size), k.sig, k.size, true, k.seeds[0]), ConfidenceChecksum})
	}
	for len(tps) < 3 {
		n := uint64(len(tps))
		tps = append(tps, tp{"another " + string(rune('a'+n)), IdentifiableKey(rndBytes(seed+100+n, k.size), k.sig, k.size, url, k.seeds[0]), ConfidenceChecksum})
	}
	good := strings.TrimRight(tps[0].token, "=")
	n := len(good)
	other := "QUux"
	return tps, []fp{
		{"checksum mismatch", flipLast(good[:n-2]) + good[n-2:]},
		{"foreign seed", IdentifiableKey(rndBytes(seed, k.size), k.sig, k.size, url, 0x5061747230303030)},
		{"other signature", good[:n-10] + other + good[n-6:]},
		{"placeholder body", IdentifiableKey(placeholderBytes(k.size), k.sig, k.size, url, k.seeds[0])},
		{"inside a longer base64 run", "QUJD" + good + "QUJD"},
		{"too short", good[1:]},
	}
}

// placeholderBytes returns size bytes whose base64 is "xxxx…", the shape of a documentation
// sample that a generator could still give a valid checksum.
func placeholderBytes(size int) []byte {
	b, _ := base64.StdEncoding.DecodeString(strings.Repeat("x", (size+2)/3*4))
	return b
}

// TestMicrosoftVectors checks the checksum code against the sample keys in Microsoft's own
// tests (testdata/microsoft-vectors.txt): each must validate under its family's seeds, and
// fail when one character of its checksum changes.
func TestMicrosoftVectors(t *testing.T) {
	t.Parallel()
	fams := map[string]idKey{}
	for _, k := range []idKey{
		azureStorageIdentifiableKey, azureCosmosDBIdentifiableKey, azureBatchIdentifiableKey,
		azureMLClassicIdentifiableKey, azureAPIMIdentifiableKey, azureServiceBusIdentifiableKey,
		azureEventHubsIdentifiableKey, azureRelayIdentifiableKey, azureIoTIdentifiableKey,
		azureSearchIdentifiableKey, azureContainerRegistryIdentifiableKey, azureFunctionsIdentifiableKey,
	} {
		fams[k.sig] = k
	}
	f, err := os.Open("testdata/microsoft-vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		n++
		if len(fields) < 4 {
			t.Fatalf("testdata/microsoft-vectors.txt:%d: want signature, size, alphabet, key", line)
		}
		sig, alpha, key := fields[0], fields[2], fields[3]
		switch sig {
		case "JQQJ":
			checkVector(t, line, key, 80, func(s string) bool { return ValidCASK([]byte(s), s[76:80]) })
		default:
			k, ok := fams[sig]
			if !ok {
				t.Fatalf("testdata/microsoft-vectors.txt:%d: no family with signature %q", line, sig)
			}
			checkVector(t, line, key, len(strings.TrimRight(key, "="))-6, func(s string) bool {
				return ValidIdentifiableKey([]byte(s), k.sig, k.size, alpha == "url", k.seeds...)
			})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 14 {
		t.Errorf("read %d vectors, want at least 14", n)
	}
}

// checkVector checks that valid accepts key and rejects it with the checksum's first
// character, at offset i, changed.
func checkVector(t *testing.T, line int, key string, i int, valid func(string) bool) {
	t.Helper()
	if !valid(key) {
		t.Errorf("line %d: Microsoft's sample key does not validate", line)
	}
	if i < 1 || i >= len(key) {
		t.Fatalf("line %d: key too short", line)
	}
	c := byte('A')
	if key[i] == 'A' {
		c = 'B'
	}
	if bad := key[:i] + string(c) + key[i+1:]; valid(bad) {
		t.Errorf("line %d: the sample key with its checksum changed still validates", line)
	}
}
