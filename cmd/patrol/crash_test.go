package main

import (
	"context"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
)

// TestKilledRevokeRunThenNotifyRun: patrol scan --revoke --yes is killed (SIGKILL) after the
// provider revoked its tokens and before it could record that; a later --notify run, once the
// dead run's claim has lapsed, revokes no token a second time, completes each audit pair, and
// mails each owner once.
func TestKilledRevokeRunThenNotifyRun(t *testing.T) {
	t.Parallel()
	if patrolBin == "" {
		t.Skip("no go toolchain to build the patrol binary")
	}
	tokA, tokB := ghp(401), ghp(402)
	f := &fakeProviders{t: t, live: map[string]bool{tokA: true, tokB: true}, verify: map[string]int{}, revokes: map[string]int{}}
	revoked := make(chan struct{})
	release := make(chan struct{})
	f.onRevoke = func() {
		select {
		case revoked <- struct{}{}:
			<-release // the client is killed while it waits for this answer
		default:
		}
	}
	gh := httptest.NewServer(f.github())
	defer gh.Close()
	defer close(release)
	sink, addr := startSink(t)
	host, port, _ := net.SplitHostPort(addr)

	repo := t.TempDir()
	gitRun(t, repo, "init", "-q")
	os.WriteFile(filepath.Join(repo, "ci.env"), []byte("A="+tokA+"\nB="+tokB+"\n"), 0o644)
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "commit", "-qm", "ci")

	dir := t.TempDir()
	db := filepath.Join(dir, "patrol.db")
	key := filepath.Join(dir, "key")
	os.WriteFile(key, []byte(strings.Repeat("ab", 32)), 0o600) // the key runPatrol passes
	cfgPath := filepath.Join(dir, "patrol.yaml")
	os.WriteFile(cfgPath, []byte("store: {dsn: "+db+"}\nfingerprint_key_file: "+key+"\n"+
		"providers:\n  github: {base_url: "+gh.URL+"/}\n"+
		"notify:\n  smtp: {host: "+host+", port: "+port+", from: patrol@contoso.example, tls: none}\n"+
		"  allowed_domains: [contoso.example]\n"), 0o600)

	cmd := exec.Command(patrolBin, "scan", "-c", cfgPath, "--revoke", "--yes", repo)
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-revoked:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the first run never reached the provider's revoke endpoint")
	}
	cmd.Process.Kill() // kill -9: no deferred cleanup, no recorded result
	cmd.Wait()

	// The dead run's claims hold for their lease; let them lapse, as time would.
	st, err := store.Open(context.Background(), store.Config{DSN: db})
	if err != nil {
		t.Fatal(err)
	}
	claimed, err := st.Findings(t.Context(), store.Query{State: lifecycle.StateRevoking})
	if err != nil || len(claimed) != 2 {
		t.Fatalf("after the kill: %d findings revoking (%v), want 2", len(claimed), err)
	}
	past := time.Now().Add(-time.Minute)
	for _, c := range claimed {
		if _, err := st.Transition(t.Context(), c.Fingerprint, []store.State{lifecycle.StateRevoking}, lifecycle.StateRevoking,
			store.Update{IfAttempts: &c.Attempts, NextAttempt: &past}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	code, out, errs := runPatrol(t, "", "scan", "-c", cfgPath, "-f", "json", "--revoke", "--yes", "--notify", repo)
	if code != 1 {
		t.Fatalf("second run: exit %d, want 1; stderr: %s", code, errs)
	}
	if n := strings.Count(out, `"status": "revoked"`); n != 2 {
		t.Errorf("second run reports %d revoked tokens, want 2:\n%s", n, out)
	}
	f.mu.Lock()
	for tok, name := range map[string]string{tokA: "A", tokB: "B"} {
		if f.revokes[tok] != 1 {
			t.Errorf("token %s revoked %d times, want once", name, f.revokes[tok])
		}
	}
	f.mu.Unlock()
	if got := sink.recipients(); strings.Join(got, ",") != "octo@contoso.example,octo@contoso.example" {
		t.Errorf("recipients = %v, want the owner once per token", got)
	}
	_, audit, _ := runPatrol(t, "", "audit", "-c", cfgPath, "-f", "json")
	if a, r := strings.Count(audit, `"action": "revoke_attempt"`), strings.Count(audit, `"action": "revoke"`); a != 2 || r != 2 {
		t.Errorf("audit log: %d revoke attempts and %d results, want one pair per token:\n%s", a, r, audit)
	}
	if strings.Contains(out+errs+audit, tokA) || strings.Contains(out+errs+audit, tokB) {
		t.Error("a raw token in the output")
	}
}

// TestHookChecksTakeNoActionFlags: the checks the hooks run never revoke or mail, so the flags
// that would are not theirs (they used to be accepted, hidden).
func TestHookChecksTakeNoActionFlags(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"--revoke", "--yes", "--notify", "--staged", "--dir"} {
		for _, check := range []string{"pre-commit", "pre-push", "files"} {
			code, _, errs := runPatrol(t, "", "hook", check, flag)
			if code != exitError || !strings.Contains(errs, "unknown flag: "+flag) {
				t.Errorf("patrol hook %s %s = exit %d, %q; want exit 2, unknown flag", check, flag, code, errs)
			}
		}
	}
}
