package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadOnlyCommandsNeedAStore: patrol findings and patrol audit read an existing store; a
// path that holds none (a typo, or nothing recorded yet) is an error naming it, and nothing
// is created there.
func TestReadOnlyCommandsNeedAStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo", "patrol.db")
	cfgPath := filepath.Join(dir, "patrol.yaml")
	os.WriteFile(cfgPath, []byte("store: {dsn: "+typo+"}\n"), 0o600)
	for _, args := range [][]string{
		{"findings", "--store", typo},
		{"audit", "--store", typo},
		{"findings", "-c", cfgPath, "-f", "json"},
		{"audit", "-c", cfgPath, "--since", "24h"},
	} {
		code, out, errs := runPatrol(t, "", args...)
		if code != exitError || !strings.Contains(errs, typo) || out != "" {
			t.Errorf("patrol %v = exit %d, stdout %q, stderr %q; want exit 2 naming %s and no table", args, code, out, errs, typo)
		}
	}
	if _, err := os.Stat(filepath.Dir(typo)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a read-only command created %s (%v)", filepath.Dir(typo), err)
	}

	// A store that exists is read as before.
	db := filepath.Join(dir, "patrol.db")
	os.WriteFile(filepath.Join(dir, "ci.env"), []byte("GH="+ghp(902)+"\n"), 0o644)
	if code, _, errs := runPatrol(t, "", "scan", "--dir", "--verify", "--store", db, "-c", writeOfflineConfig(t), dir); code != exitFindings {
		t.Fatalf("scan --verify = exit %d; stderr %s", code, errs)
	}
	for _, args := range [][]string{{"findings", "--store", db}, {"audit", "--store", db}} {
		if code, out, errs := runPatrol(t, "", args...); code != 0 || out == "" {
			t.Errorf("patrol %v = exit %d, %q %q; want the store read", args, code, out, errs)
		}
	}
}

// writeOfflineConfig writes a config whose GitHub provider is a loopback port that refuses
// connections: verifications answer unknown at once, without leaving the machine.
func writeOfflineConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "offline.yaml")
	os.WriteFile(p, []byte("providers:\n  github: {base_url: http://127.0.0.1:1/}\n"), 0o600)
	return p
}

// TestShowSecretsReportMode: a report with raw secrets is written 0600, also over an
// existing file that was readable by others; a report without them keeps the umask's mode.
func TestShowSecretsReportMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ci.env"), []byte("GH="+ghp(903)+"\n"), 0o644)
	out := t.TempDir()
	fresh, existing := filepath.Join(out, "new.json"), filepath.Join(out, "old.json")
	os.WriteFile(existing, []byte("[]"), 0o644)
	os.Chmod(existing, 0o644)
	for _, p := range []string{fresh, existing} {
		if code, _, errs := runPatrol(t, "", "scan", "--dir", "-f", "json", "--show-secrets", "-o", p, dir); code != exitFindings {
			t.Fatalf("scan --show-secrets -o %s = exit %d; stderr %s", p, code, errs)
		}
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want 0600", p, st.Mode().Perm(), err)
		}
	}
}
