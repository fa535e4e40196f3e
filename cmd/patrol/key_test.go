package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runBin runs the built patrol binary with env added to a minimal environment of its own
// (HOME, XDG_CONFIG_HOME and XDG_DATA_HOME under a temporary dir unless env sets them).
func runBin(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if patrolBin == "" {
		t.Skip("no go toolchain to build the patrol binary")
	}
	home := t.TempDir()
	cmd := exec.Command(patrolBin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "XDG_DATA_HOME=" + filepath.Join(home, "data")}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run patrol: %v", err)
	}
	return code, out.String(), errb.String()
}

// TestFingerprintKeySources: a new key is announced on stderr with its path (once); the
// key from PATROL_FINGERPRINT_KEY or PATROL_FINGERPRINT_KEY_FILE makes two machines agree
// on fingerprints; a bad key is an error naming the variable.
func TestFingerprintKeySources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ci.env"), []byte("GH="+ghp(801)+"\n"), 0o644)
	fingerprint := func(t *testing.T, env ...string) string {
		t.Helper()
		code, out, errs := runBin(t, env, "scan", "--dir", "-f", "json", "--summary=false", dir)
		var fs []jsonFinding
		if err := json.Unmarshal([]byte(out), &fs); code != exitFindings || err != nil || len(fs) != 1 {
			t.Fatalf("scan = exit %d, %v: %s%s", code, err, out, errs)
		}
		return fs[0].Fingerprint
	}

	machineA := t.TempDir()
	keyPath := filepath.Join(machineA, "patrol", "fingerprint.key")
	code, _, errs := runBin(t, []string{"XDG_CONFIG_HOME=" + machineA}, "scan", "--dir", dir)
	if code != exitFindings || !strings.Contains(errs, "created a new fingerprint key") || !strings.Contains(errs, keyPath) {
		t.Errorf("first run: exit %d, stderr %q; want the new key and its path announced", code, errs)
	}
	if _, _, errs := runBin(t, []string{"XDG_CONFIG_HOME=" + machineA}, "scan", "--dir", dir); strings.Contains(errs, "created") {
		t.Errorf("second run: stderr %q; want no announcement for an existing key", errs)
	}
	own := fingerprint(t, "XDG_CONFIG_HOME="+machineA)

	team := bytes.Repeat([]byte{0x5a}, 32)
	teamHex := hex.EncodeToString(team)
	keyFile := filepath.Join(t.TempDir(), "team.key")
	os.WriteFile(keyFile, []byte(teamHex+"\n"), 0o600)
	a := fingerprint(t, "XDG_CONFIG_HOME="+machineA, "PATROL_FINGERPRINT_KEY="+teamHex)
	b := fingerprint(t, "PATROL_FINGERPRINT_KEY="+teamHex) // another machine
	c := fingerprint(t, "PATROL_FINGERPRINT_KEY_FILE="+keyFile)
	if a != b || a != c || a == own {
		t.Errorf("fingerprints: env on A %s, env on B %s, key file %s, A's own key %s; want the first three equal, the last different", a, b, c, own)
	}

	for _, tc := range []struct{ env, want string }{
		{"PATROL_FINGERPRINT_KEY=" + teamHex[:30], "PATROL_FINGERPRINT_KEY"},
		{"PATROL_FINGERPRINT_KEY=not-hex-at-all-not-hex-at-all", "PATROL_FINGERPRINT_KEY"},
		{"PATROL_FINGERPRINT_KEY_FILE=" + filepath.Join(dir, "typo.key"), "typo.key"},
	} {
		code, _, errs := runBin(t, []string{tc.env}, "scan", "--dir", dir)
		if code != exitError || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 naming %s", tc.env, code, errs, tc.want)
		}
		if strings.Contains(errs, teamHex[:30]) {
			t.Errorf("%s: the key is quoted in the error", tc.env)
		}
	}
}
