package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanShallowClone: a depth-1 clone (a CI checkout) is scanned for what it has; the
// summary says the history is cut, and the exit code follows the findings, unless
// --fail-on-shallow asks for the old exit 2.
func TestScanShallowClone(t *testing.T) {
	t.Parallel()
	tok := ghp(701)
	up := t.TempDir()
	gitRun(t, up, "init", "-q", "-b", "main")
	for i := range 3 {
		os.WriteFile(filepath.Join(up, "a.txt"), []byte(strings.Repeat("x\n", i+1)), 0o644)
		gitRun(t, up, "add", ".")
		gitRun(t, up, "commit", "-qm", "c")
	}
	clean := filepath.Join(t.TempDir(), "clean")
	gitRun(t, up, "clone", "-q", "--depth", "1", "file://"+up, clean)
	os.WriteFile(filepath.Join(up, "ci.env"), []byte("GH="+tok+"\n"), 0o644)
	gitRun(t, up, "add", ".")
	gitRun(t, up, "commit", "-qm", "leak")
	leaky := filepath.Join(t.TempDir(), "leaky")
	gitRun(t, up, "clone", "-q", "--depth", "1", "file://"+up, leaky)

	tests := []struct {
		name    string
		args    []string
		code    int
		noError bool // stderr carries no "error:" line
	}{
		{"clean", []string{"scan", clean}, exitClean, true},
		{"findings", []string{"scan", "-f", "json", leaky}, exitFindings, true},
		{"since inside the clone", []string{"scan", "--since", "2000-01-01", leaky}, exitFindings, true},
		{"fail-on-shallow, clean", []string{"scan", "--fail-on-shallow", clean}, exitError, false},
		{"fail-on-shallow, findings", []string{"scan", "--fail-on-shallow", "-f", "json", leaky}, exitError, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := runPatrol(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit = %d, want %d; stderr: %s", code, tt.code, errs)
			}
			if !strings.Contains(errs, "shallow") || !strings.Contains(errs, "history is cut") {
				t.Errorf("stderr = %q, want it to say the history is cut at the shallow boundary", errs)
			}
			if tt.noError && strings.Contains(errs, "error") {
				t.Errorf("stderr = %q, want a warning, not an error", errs)
			}
			if strings.Contains(tt.name, "findings") && !strings.Contains(out, "github-classic-pat") {
				t.Errorf("report = %q, want the finding reported", out)
			}
		})
	}
}
