package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeZip writes a zip of name → content pairs at path.
func writeZip(t *testing.T, path string, files ...[2]string) {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := w.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestScanArchives(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok := ghp(16)
	writeZip(t, filepath.Join(dir, "conf.zip"), [2]string{"conf/.env", "A=1\nGH=" + tok + "\n"})
	// 12 MiB of zeros in 1 MiB members: past 8 MiB at far more than 100:1.
	zeros := strings.Repeat("\x00", 1<<20)
	var bomb [][2]string
	for i := range 12 {
		bomb = append(bomb, [2]string{"zeros-" + string(rune('a'+i)), zeros})
	}
	writeZip(t, filepath.Join(dir, "bomb.zip"), bomb...)
	off := filepath.Join(dir, "off.yaml")
	if err := os.WriteFile(off, []byte("max_archive_depth: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		code      int
		stdoutHas string
		stderrHas []string
	}{
		{"default", []string{"scan", "--dir", "-f", "json", dir}, 1, `"path": "conf.zip!conf/.env"`,
			[]string{"looked inside 2 archives", "1 archive-ratio", "archive-ratio: bomb.zip!zeros-i", "1 findings"}},
		{"flag off", []string{"scan", "--dir", "--max-archive-depth", "0", dir}, 0, "", []string{"0 findings"}},
		{"config off", []string{"scan", "--dir", "-c", off, dir}, 0, "", []string{"0 findings"}},
		{"flag over config", []string{"scan", "--dir", "-c", off, "--max-archive-depth", "1", dir}, 1, "", []string{"1 findings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := runPatrol(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit = %d, want %d; stderr: %s", code, tt.code, errs)
			}
			if !strings.Contains(out, tt.stdoutHas) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.stdoutHas)
			}
			for _, s := range tt.stderrHas {
				if !strings.Contains(errs, s) {
					t.Errorf("stderr = %q, want it to contain %q", errs, s)
				}
			}
			if strings.Contains(out+errs, tok) {
				t.Errorf("raw token printed without --show-secrets")
			}
		})
	}
}
