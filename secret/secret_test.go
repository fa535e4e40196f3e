package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// raw is not token-shaped on purpose: these tests are about the wrapper, not detection.
const raw = "raw-value-for-redaction-tests"

func TestTokenNeverPrints(t *testing.T) {
	t.Parallel()
	tok := New(raw)
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("x", "token", tok)
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("x", "token", tok)
	js, _ := json.Marshal(struct{ T Token }{tok})
	txt, _ := tok.MarshalText()
	outs := map[string]string{
		"%s": fmt.Sprintf("%s", tok), "%v": fmt.Sprintf("%v", tok), "%+v": fmt.Sprintf("%+v", tok),
		"%#v": fmt.Sprintf("%#v", tok), "%q": fmt.Sprintf("%q", tok), "%x": fmt.Sprintf("%x", tok),
		"struct %v": fmt.Sprintf("%v", struct{ T Token }{tok}), "struct %+v": fmt.Sprintf("%+v", struct{ T Token }{tok}),
		"String": tok.String(), "slog": logBuf.String(), "json": string(js), "text": string(txt),
		"error": fmt.Errorf("verify %v: failed", tok).Error(),
	}
	for name, out := range outs {
		if strings.Contains(out, raw) {
			t.Errorf("%s output contains the raw value: %q", name, out)
		}
		if !strings.Contains(out, Redacted) {
			t.Errorf("%s output = %q, want %s", name, out, Redacted)
		}
	}
	if tok.Reveal() != raw {
		t.Errorf("Reveal() = %q, want the raw value", tok.Reveal())
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	k1, k2 := []byte("key-one-key-one-"), []byte("key-two-key-two-")
	a := Fingerprint(k1, "det", New(raw))
	if len(a) != 64 || a != Fingerprint(k1, "det", New(raw)) {
		t.Fatalf("Fingerprint not stable 64-hex: %q", a)
	}
	for name, other := range map[string]string{
		"other key":      Fingerprint(k2, "det", New(raw)),
		"other detector": Fingerprint(k1, "det2", New(raw)),
		"other value":    Fingerprint(k1, "det", New(raw+"x")),
		"boundary":       Fingerprint(k1, "de", New("t"+raw)),
	} {
		if other == a {
			t.Errorf("Fingerprint with %s = same fingerprint", name)
		}
	}
}

func TestPreview(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
		prefix      int
		want        string
	}{
		{"prefixed", "pfx_ABCDEFGHIJKLMNOPQRSTUV", 4, "pfx_ABCD…"},
		{"no prefix", "ABCDEFGHIJKLMNOPQRSTUV", 0, "ABCD…"},
		{"short body hides all", "pfx_ABCDEF", 4, "pfx_…"},
		{"bad prefix length", "ABCDEFGHIJKLMNOP", 99, "ABCD…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Preview(New(tt.value), tt.prefix); got != tt.want {
				t.Errorf("Preview(%s) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "fingerprint.key")
	k1, err := LoadOrCreateKey(path, true)
	if err != nil || len(k1) != KeySize {
		t.Fatalf("LoadOrCreateKey(create) = %d bytes, %v", len(k1), err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path, false)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Errorf("LoadOrCreateKey(again) = %x, %v; want the same key", k2, err)
	}
	if _, err := LoadOrCreateKey(filepath.Join(dir, "none"), false); err == nil {
		t.Errorf("LoadOrCreateKey(missing, no create) = nil error")
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("not hex"), 0o600)
	if _, err := LoadOrCreateKey(bad, false); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("LoadOrCreateKey(bad) = %v, want an error naming the file", err)
	}
}
