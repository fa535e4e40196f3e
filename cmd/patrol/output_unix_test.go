//go:build unix

package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestScanOutputSpecialFiles: -o /dev/null and -o a FIFO are written directly (no sync, no
// rename), and the exit code still says there are findings.
func TestScanOutputSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ci.env"), []byte("GH="+ghp(901)+"\n"), 0o644)

	if code, _, errs := runPatrol(t, "", "scan", "--dir", "-o", os.DevNull, dir); code != exitFindings {
		t.Errorf("scan -o %s = exit %d, want 1; stderr: %s", os.DevNull, code, errs)
	}

	fifo := filepath.Join(t.TempDir(), "report.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until patrol opens it for writing
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	code, _, errs := runPatrol(t, "", "scan", "--dir", "-f", "json", "-o", fifo, dir)
	if code != exitFindings {
		t.Errorf("scan -o FIFO = exit %d, want 1; stderr: %s", code, errs)
	}
	if r := <-got; !strings.Contains(r, `"github-classic-pat"`) {
		t.Errorf("read from the FIFO: %q, want the JSON report", r)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("after the scan %s is %v (%v), want the FIFO still there", fifo, st.Mode(), err)
	}
}
