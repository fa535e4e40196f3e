package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// genericValue builds a synthetic high-entropy value (letters and digits) at run time, the
// kind the generic rule reports when a credential-like name holds it.
func genericValue(seed uint64) string {
	return "q" + string(randAlnum(seed, 11, 28)) + "7"
}

// TestScanGeneric checks that the generic rules are off by default and on with --generic or
// the config's generic: true, reported as confidence generic without the raw value.
func TestScanGeneric(t *testing.T) {
	t.Parallel()
	v := genericValue(5100)
	in := "DB_PASSWORD=" + v + "\n"
	dir := t.TempDir()
	on := filepath.Join(dir, "on.yaml")
	off := filepath.Join(dir, "off.yaml")
	for p, src := range map[string]string{on: "generic: true\n", off: "generic: false\n"} {
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"default", nil, 0},
		{"flag", []string{"--generic"}, 1},
		{"config", []string{"-c", on}, 1},
		{"config off", []string{"-c", off}, 0},
		{"flag over config off", []string{"-c", off, "--generic"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"scan", "-", "-f", "jsonl", "--summary=false"}, tt.args...)
			code, out, errOut := runPatrol(t, in, args...)
			if code != tt.code {
				t.Fatalf("patrol %v: exit %d (stderr %q), want %d", tt.args, code, errOut, tt.code)
			}
			if strings.Contains(out+errOut, v) {
				t.Errorf("patrol %v: output holds the raw value", tt.args)
			}
			if tt.code == 1 && (!strings.Contains(out, `"detector":"generic-secret-assignment"`) || !strings.Contains(out, `"confidence":"generic"`)) {
				t.Errorf("patrol %v: output %q, want a generic-secret-assignment finding with confidence generic", tt.args, out)
			}
		})
	}
}

// TestHookGeneric checks that hooks run the generic rules only when their own --generic asks:
// a config's generic: true (shared with CI scans) does not refuse commits.
func TestHookGeneric(t *testing.T) {
	t.Parallel()
	v := genericValue(5101)
	r := newHookRepo(t)
	r.write("patrol.yaml", "generic: true\n")
	r.baseCommit()
	r.write("app.env", "API_TOKEN="+v+"\n")
	r.git("add", "-A")
	out, code := r.patrol("hook", "pre-commit", "-c", "patrol.yaml")
	passed(t, out, code)
	out, code = r.patrol("hook", "pre-commit", "--generic")
	refused(t, out, code, []string{v}, "app.env:1:", "generic-secret-assignment")
	out, code = r.patrol("scan", "--staged", "-c", "patrol.yaml")
	refused(t, out, code, []string{v}, "app.env:1:", "generic-secret-assignment")
}
