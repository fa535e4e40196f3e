package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRevokeFalseWinsOverYes: with --yes, a provider configured revoke: false keeps its live
// token (the report says why, in JSON and in text), while a provider the config says nothing
// about is revoked; the audit log has no revoke_attempt for the forbidden one.
func TestRevokeFalseWinsOverYes(t *testing.T) {
	t.Parallel()
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	ghLive := ghp(601)
	glLive := "glpat-" + randString(602, alnum, 20)
	f := &fakeProviders{t: t, live: map[string]bool{ghLive: true, glLive: true}, verify: map[string]int{}, revokes: map[string]int{}}
	gh, gl := httptest.NewServer(f.github()), httptest.NewServer(f.gitlab())
	defer gh.Close()
	defer gl.Close()

	repo := repoWith(t, map[string]string{"ci.env": "GH=" + ghLive + "\nGL=" + glLive + "\n"})

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "patrol.yaml")
	os.WriteFile(cfgPath, []byte("store: {dsn: "+filepath.Join(dir, "patrol.db")+"}\nproviders:\n"+
		"  github: {base_url: "+gh.URL+"/, revoke: false}\n"+
		"  gitlab: {base_url: "+gl.URL+"/}\n"), 0o600)

	code, out, errs := runPatrol(t, "", "scan", "-c", cfgPath, "-f", "json", "--revoke", "--yes", repo)
	if code != exitFindings {
		t.Fatalf("scan --revoke --yes = exit %d, want 1; stderr: %s", code, errs)
	}
	var got []struct {
		Detector     string
		Verification struct{ Status string }
		Revocation   struct{ Status, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 2 {
		t.Fatalf("report: %v, %d entries\n%s", err, len(got), out)
	}
	for _, g := range got {
		switch g.Detector {
		case "github-classic-pat":
			if g.Verification.Status != "live" || g.Revocation.Status != "dry_run" ||
				!strings.Contains(g.Revocation.Reason, "revoke: false") || !strings.Contains(g.Revocation.Reason, "providers.github.revoke") {
				t.Errorf("github token: %+v; want live, not revoked, the reason naming providers.github.revoke: false", g)
			}
		case "gitlab-pat":
			if g.Revocation.Status != "revoked" {
				t.Errorf("gitlab token: %+v; want revoked (--yes, nothing in the config forbids it)", g)
			}
		default:
			t.Errorf("unexpected finding %s", g.Detector)
		}
	}
	f.mu.Lock()
	if f.revokes[ghLive] != 0 || f.revokes[glLive] != 1 {
		t.Errorf("revocations: github %d, gitlab %d; want 0 and 1", f.revokes[ghLive], f.revokes[glLive])
	}
	f.mu.Unlock()

	// The text report says it too, and a second --yes run still leaves the token alone.
	code, out, errs = runPatrol(t, "", "scan", "-c", cfgPath, "--revoke", "--yes", repo)
	if code != exitFindings || !strings.Contains(out, "revoke: false in config (providers.github.revoke)") {
		t.Errorf("text report = exit %d:\n%s%s\nwant the reason for the github token", code, out, errs)
	}
	_, audit, _ := runPatrol(t, "", "audit", "-c", cfgPath, "-f", "json")
	if n := strings.Count(audit, `"revoke_attempt"`); n != 1 {
		t.Errorf("audit log: %d revoke attempts, want 1 (gitlab only):\n%s", n, audit)
	}
	f.mu.Lock()
	if f.revokes[ghLive] != 0 {
		t.Errorf("github token revoked on the second run")
	}
	f.mu.Unlock()
}
