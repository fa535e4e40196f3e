package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanMaxDecodeDepth: --max-decode-depth, else the config's max_decode_depth, else 3
// levels of nested encoding are decoded; a depth below 1 is a usage error.
func TestScanMaxDecodeDepth(t *testing.T) {
	t.Parallel()
	in := "u:" + ghp(41)
	for range 4 {
		in = base64.StdEncoding.EncodeToString([]byte(in))
	}
	cfg := filepath.Join(t.TempDir(), "patrol.yaml")
	if err := os.WriteFile(cfg, []byte("max_decode_depth: 4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"default depth 3", nil, 0, ""},
		{"flag 4", []string{"--max-decode-depth", "4"}, 1, `"encoding":"base64+base64+base64+base64"`},
		{"config 4", []string{"-c", cfg}, 1, `"encoding":"base64+base64+base64+base64"`},
		{"flag over config", []string{"-c", cfg, "--max-decode-depth", "2"}, 0, ""},
		{"flag 0", []string{"--max-decode-depth", "0"}, 2, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"scan", "-", "-f", "jsonl", "--summary=false"}, tc.args...)
			code, out, errOut := runPatrol(t, "x: "+in+"\n", args...)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("patrol %v: exit %d, output %q, stderr %q; want exit %d with %q", tc.args, code, out, errOut, tc.code, tc.want)
			}
			if tc.code == 2 && !strings.Contains(errOut, "--max-decode-depth") {
				t.Errorf("patrol %v: stderr %q does not name the flag", tc.args, errOut)
			}
		})
	}
}
