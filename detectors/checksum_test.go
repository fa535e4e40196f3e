package detectors

import (
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
