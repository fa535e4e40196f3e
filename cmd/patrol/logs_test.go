package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogFlags: --log-level and --log-format are flags of every command (the root's), checked
// before anything runs; the log goes to stderr as text or one JSON object a line.
func TestLogFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"version", "--log-level", "debug", "--log-format", "json"},
		{"--log-level", "error", "version"},
		{"config", "check", "--log-format", "text", "--help"},
	} {
		if code, _, errs := runPatrol(t, "", args...); code != 0 {
			t.Errorf("patrol %v = exit %d, %s; want 0", args, code, errs)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--log-level", "loud", "."}, `--log-level "loud"`},
		{[]string{"findings", "--log-format", "xml"}, `--log-format "xml"`},
		{[]string{"serve", "--log-format", "yaml"}, `--log-format "yaml"`},
		{[]string{"hook", "pre-commit", "--log-level", "trace"}, `--log-level "trace"`},
	} {
		code, _, errs := runPatrol(t, "", tc.args...)
		if code != exitError || !strings.Contains(errs, tc.want) {
			t.Errorf("patrol %v = exit %d, %q; want 2 naming %s", tc.args, code, errs, tc.want)
		}
	}

	tok := ghp(1001)
	f := &fakeProviders{t: t, live: map[string]bool{tok: true}, verify: map[string]int{}, revokes: map[string]int{}}
	gh := httptest.NewServer(f.github())
	defer gh.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ci.env"), []byte("GH="+tok+"\n"), 0o644)
	cfgPath := filepath.Join(t.TempDir(), "patrol.yaml")
	os.WriteFile(cfgPath, []byte("store: {dsn: "+filepath.Join(t.TempDir(), "p.db")+"}\nproviders:\n  github: {base_url: "+gh.URL+"/}\n"), 0o600)

	// The default (warn) keeps a routine run's stderr to the summary.
	_, _, errs := runPatrol(t, "", "scan", "--dir", "--verify", "-c", cfgPath, dir)
	if strings.Contains(errs, "token verified") {
		t.Errorf("default level logged info lines:\n%s", errs)
	}
	code, _, errs := runPatrol(t, "", "scan", "--dir", "--verify", "--summary=false", "--log-level", "debug", "--log-format", "json",
		"-c", cfgPath, "--store", filepath.Join(t.TempDir(), "fresh.db"), dir)
	if code != exitFindings {
		t.Fatalf("scan --verify = exit %d; %s", code, errs)
	}
	seen := false
	for _, line := range strings.Split(strings.TrimSpace(errs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("stderr line is not JSON: %q", line)
			continue
		}
		if rec["msg"] == "token verified" && rec["provider"] == "github" && rec["status"] == "live" {
			seen = true
		}
	}
	if !seen {
		t.Errorf("no JSON log line for the verification:\n%s", errs)
	}
	if strings.Contains(errs, tok) {
		t.Error("a raw token in the log")
	}
}
