package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsec/patrol/detectors"
)

// ghp builds a synthetic, checksum-valid GitHub classic PAT at run time.
func ghp(seed uint64) string {
	b := randAlnum(seed, 7, 30)
	return "ghp_" + string(b) + detectors.CRC32Base62(b)
}

// randAlnum returns n deterministic pseudo-random alphanumeric bytes; seed and stream vary
// the output.
func randAlnum(seed, stream uint64, n int) []byte {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	r := rand.New(rand.NewPCG(seed, stream))
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return b
}

// runPatrol runs the CLI in-process with a temporary fingerprint key.
func runPatrol(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	key := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(key, []byte(strings.Repeat("ab", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	if len(args) > 0 && args[0] == "scan" {
		args = append([]string{"scan", "--fingerprint-key-file", key}, args[1:]...)
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

type jsonFinding struct {
	Detector    string `json:"detector"`
	Fingerprint string `json:"fingerprint"`
	Redacted    string `json:"redacted"`
	Secret      string `json:"secret"`
	Location    struct {
		Source string `json:"source"`
		Path   string `json:"path"`
		Line   int    `json:"line"`
	} `json:"location"`
}

func TestScanExitCodesAndJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok := ghp(1)
	os.WriteFile(filepath.Join(dir, "clean.txt"), []byte("nothing here\n"), 0o644)
	sub := filepath.Join(dir, "leaky")
	os.MkdirAll(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "ci.yml"), []byte("env:\n  GH: "+tok+"\n"), 0o644)
	cfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(cfg, []byte("rules:\n  - id: x\n    regex: '('\n    keywords: [abc]\n"), 0o644)

	tests := []struct {
		name      string
		stdin     string
		args      []string
		code      int
		stdoutHas string
		stderrHas string
	}{
		{"clean dir", "", []string{"scan", "--dir", filepath.Join(dir, "clean.txt")}, 0, "", "0 findings"},
		{"findings", "", []string{"scan", "--dir", "-f", "json", sub}, 1, `"detector": "github-classic-pat"`, "1 findings"},
		{"stdin", "x\n" + tok, []string{"scan", "-", "-f", "jsonl"}, 1, `"source":"stdin"`, ""},
		{"missing path", "", []string{"scan", filepath.Join(dir, "nope")}, 2, "", "no such file"},
		{"bad flag", "", []string{"scan", "--nope"}, 2, "", "unknown flag"},
		{"bad format", "", []string{"scan", "-f", "xml", sub}, 2, "", "xml"},
		{"option-like target", "", []string{"scan", "--", "--upload-pack=touch x"}, 2, "", "looks like an option"},
		{"bad config", "", []string{"scan", "-c", cfg, sub}, 2, "", "bad.yaml:3: rules[0].regex"},
		{"since needs git", "", []string{"scan", "--since", "2024-01-01", sub}, 2, "", "need a git repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errs := runPatrol(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit = %d, want %d; stderr: %s", code, tt.code, errs)
			}
			if !strings.Contains(out, tt.stdoutHas) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.stdoutHas)
			}
			if !strings.Contains(errs, tt.stderrHas) {
				t.Errorf("stderr = %q, want it to contain %q", errs, tt.stderrHas)
			}
			if strings.Contains(out+errs, tok) {
				t.Errorf("raw token printed without --show-secrets")
			}
		})
	}
}

func TestScanShowSecretsAndBaseline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tok1, tok2 := ghp(2), ghp(3)
	file := filepath.Join(dir, "a.env")
	os.WriteFile(file, []byte("A="+tok1+"\n"), 0o644)

	code, out, _ := runPatrol(t, "", "scan", "--dir", "-f", "json", "--show-secrets", dir)
	var fs []jsonFinding
	if err := json.Unmarshal([]byte(out), &fs); err != nil || code != 1 || len(fs) != 1 {
		t.Fatalf("scan --show-secrets = %d, %v, %s", code, err, out)
	}
	if fs[0].Secret != tok1 {
		t.Errorf("secret field missing with --show-secrets")
	}
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	_, out, _ = runPatrol(t, "", "scan", "--dir", "-f", "json", dir)
	os.WriteFile(baseline, []byte(out), 0o644)
	if code, _, errs := runPatrol(t, "", "scan", "--dir", "--baseline", baseline, dir); code != 0 {
		t.Errorf("scan --baseline = %d, want 0; %s", code, errs)
	}
	// A different secret on the same line is still reported.
	os.WriteFile(file, []byte("A="+tok2+"\n"), 0o644)
	if code, _, _ := runPatrol(t, "", "scan", "--dir", "--baseline", baseline, dir); code != 1 {
		t.Errorf("scan --baseline with a new secret = %d, want 1", code)
	}
	// patrol:allow and .patrolignore globs.
	os.WriteFile(file, []byte("A="+tok2+" # patrol:allow\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte(tok1+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, ".patrolignore"), []byte("b.txt\n"), 0o644)
	if code, out, errs := runPatrol(t, "", "scan", "--dir", dir); code != 0 {
		t.Errorf("scan with allow marker and .patrolignore = %d, want 0; %s %s", code, out, errs)
	}
}

func TestConfigCheckSections(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("providers:\n  gitlab: {bogus_key: 1}\nstore: {driver: postgres}\nnotify:\n  smtp: {host: h, from: nope, tls: weird}\n"), 0o644)
	code, _, errs := runPatrol(t, "", "config", "check", bad)
	if code != 2 || !strings.Contains(errs, "bad.yaml:2:") || !strings.Contains(errs, "bogus_key") ||
		!strings.Contains(errs, "bad.yaml:3: store.dsn: required") || !strings.Contains(errs, "notify.smtp.tls") {
		t.Errorf("config check = %d, %s; want every section's problem with its line", code, errs)
	}
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("providers:\n  github: {base_url: https://api.github.com/, revoke: true}\nstore: {driver: sqlite, dsn: "+filepath.Join(dir, "p.db")+"}\n"), 0o644)
	if code, out, errs := runPatrol(t, "", "config", "check", good); code != 0 || !strings.Contains(out, "ok") ||
		!strings.Contains(out, "good.yaml: ok: 0 custom rules, 0 targets, store sqlite, notify not configured") {
		t.Errorf("config check good = %d, %s %s; want ok and a one-line summary", code, out, errs)
	}
}
