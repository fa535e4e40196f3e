package detectors

import (
	"fmt"
	"strings"
	"testing"
)

func TestCRC32Base62(t *testing.T) {
	t.Parallel()
	// CredSweeper's public vector (PROVIDERS.md §2.1).
	if got := CRC32Base62([]byte(strings.Repeat("0", 31))); got != "4WZ4EQ" {
		t.Errorf("CRC32Base62(31 zeros) = %s, want 4WZ4EQ", got)
	}
	// Docs synthetic example, in pieces.
	if got := CRC32Base62([]byte("abcdefghijklmnopqrstuvwxyz0123")); got != "2Lol"+"Cm" {
		t.Errorf("CRC32Base62(docs example) = %s", got)
	}
}

func TestMarvin(t *testing.T) {
	t.Parallel()
	if got := Marvin64([]byte("abc"), 0xd53cd9cecd0893b7); got != 0x22c74339492769bf {
		t.Errorf("Marvin64(abc) = %#x, want 0x22c74339492769bf", got)
	}
}

func TestValidADOLegacyPAT(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tok  string
		want bool
	}{
		// Published test assertions (PROVIDERS.md §1.1.2), joined at run time.
		{"public valid", "cfdgksmyyogbj6b6k7tvu6wfgotk453x" + "xadybrrs22g6qekcaw3y", true},
		{"public invalid", "r5re6wmuyil22fwl7yy7tukhtkr5dh3e" + "x6eaw6qmtbfdikdvjlvq", false},
		{"public invalid words", "advancedthreatprotectiononboard" + "ingdevicesettingstate", false},
		{"synthetic user seed", "aaatoaqdaqc3cyiga4eascqlbqgq4dyq" + "cejhaeyuculbogazdinq", true},
		{"synthetic app seed", "fvy2kfscw4taqlfqiqawe7fj7owdf5oi" + "kmh77mmqhtcnwarfq4lq", true},
		{"too short", "abc", false},
		{"upper case", strings.ToUpper("cfdgksmyyogbj6b6k7tvu6wfgotk453x" + "xadybrrs22g6qekcaw3y"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ValidADOLegacyPAT([]byte(tt.tok)); got != tt.want {
				t.Errorf("ValidADOLegacyPAT(%s) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
	var r [28]byte
	for i := range r {
		r[i] = byte(i * 7)
	}
	for _, app := range []bool{false, true} {
		if tok := ADOLegacyPAT(r, app); !ValidADOLegacyPAT([]byte(tok)) {
			t.Errorf("ADOLegacyPAT(app=%v) does not validate", app)
		}
	}
}

func TestValidCASK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  string
		sig  string
		want bool
	}{
		{"docs synthetic 2025-07", "SyntheticAzureDevOpsPatForDocsOnly0123456789abcdefgh" + "JQQJ99BG" + "AAAAAAAAAAAA" + "AAAA" + "AZDO" + "5Chl", "AZDO", true},
		{"docs synthetic 2026-01", "Q7mZk2VtR9xLp4NwB8sHc1FjD6yGa3TeU5oKi0rYn2bWq7vXz9Mu" + "JQQJ99CA" + "AAAAAAAAAAAA" + "AAAA" + "AZDO" + "nB7d", "AZDO", true},
		{"public CASK vector raw-base64 checksum", strings.Repeat("A", 52) + "JQQJ99AG" + strings.Repeat("A", 16) + "ABCD" + "TZJ9JA==", "ABCD", true},
		{"tampered last char", "Q7mZk2VtR9xLp4NwB8sHc1FjD6yGa3TeU5oKi0rYn2bWq7vXz9Mu" + "JQQJ99CA" + "AAAAAAAAAAAA" + "AAAA" + "AZDO" + "nB7e", "AZDO", false},
		{"wrong signature", "Q7mZk2VtR9xLp4NwB8sHc1FjD6yGa3TeU5oKi0rYn2bWq7vXz9Mu" + "JQQJ99CA" + "AAAAAAAAAAAA" + "AAAA" + "AZDO" + "nB7d", "AZFU", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ValidCASK([]byte(tt.key), tt.sig); got != tt.want {
				t.Errorf("ValidCASK(%s) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
	if k := ADOPAT(rnd(1, alnum, 52), 2026, 3); !ValidCASK([]byte(k), "AZDO") {
		t.Errorf("ADOPAT output does not validate")
	}
}

func TestLongRuns(t *testing.T) {
	t.Parallel()
	var cls [256]bool
	for _, c := range []byte("ab") {
		cls[c] = true
	}
	// naive reference
	naive := func(buf string, min int) (out [][2]int) {
		for i := 0; i < len(buf); {
			if !cls[buf[i]] {
				i++
				continue
			}
			j := i
			for j < len(buf) && cls[buf[j]] {
				j++
			}
			if j-i >= min {
				out = append(out, [2]int{i, j})
			}
			i = j
		}
		return out
	}
	inputs := []string{"", "a", "ab", "abab", "xabababx", "ababxab", "xxxxababababababxxab", "aaaaaaaaaa", "xaxbxabxabbxabbbx"}
	for _, in := range inputs {
		for min := 1; min <= 6; min++ {
			var got [][2]int
			LongRuns([]byte(in), &cls, min, func(s, e int) { got = append(got, [2]int{s, e}) })
			want := naive(in, min)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("LongRuns(%q, %d) = %v, want %v", in, min, got, want)
			}
		}
	}
}
