package main

import (
	"bytes"
	"errors"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentRevokeNotifyRuns: three `scan --revoke --notify --yes` processes on one store
// (overlapping cron entries), started together on a machine without a fingerprint key:
// every process exits 1 (findings), none 2 for a race it lost; each token is revoked once
// and each owner mailed once; all three agree on one new key.
func TestConcurrentRevokeNotifyRuns(t *testing.T) {
	t.Parallel()
	if patrolBin == "" {
		t.Skip("no go toolchain to build the patrol binary")
	}
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var gh []string
	for i := range 8 {
		gh = append(gh, ghp(uint64(1100+i)))
	}
	gl := "glpat-" + randString(1110, alnum, 20)
	live := map[string]bool{gl: true}
	for _, tok := range gh {
		live[tok] = true
	}
	f := &fakeProviders{t: t, live: live, verify: map[string]int{}, revokes: map[string]int{}}
	ghSrv, glSrv := httptest.NewServer(f.github()), httptest.NewServer(f.gitlab())
	defer ghSrv.Close()
	defer glSrv.Close()
	sink, addr := startSink(t)
	host, port, _ := net.SplitHostPort(addr)

	var env strings.Builder
	for i, tok := range gh {
		env.WriteString("GH" + string(rune('A'+i)) + "=" + tok + "\n")
	}
	env.WriteString("GL=" + gl + "\n")
	repo := repoWith(t, map[string]string{"ci.env": env.String()})

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "patrol.yaml")
	os.WriteFile(cfgPath, []byte("store: {dsn: "+filepath.Join(dir, "patrol.db")+"}\n"+
		"providers:\n  github: {base_url: "+ghSrv.URL+"/}\n  gitlab: {base_url: "+glSrv.URL+"/}\n"+
		"notify:\n  smtp: {host: "+host+", port: "+port+", from: patrol@contoso.example, tls: none}\n"+
		"  allowed_domains: [contoso.example]\n"), 0o600)
	home := t.TempDir() // shared, and without a fingerprint key yet

	const n = 3
	codes := make([]int, n)
	stderrs := make([]string, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(patrolBin, "scan", "-c", cfgPath, "--revoke", "--notify", "--yes", "--summary=false", repo)
			cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
			var errb bytes.Buffer
			cmd.Stderr = &errb
			start.Wait()
			err := cmd.Run()
			var ee *exec.ExitError
			switch {
			case errors.As(err, &ee):
				codes[i] = ee.ExitCode()
			case err != nil:
				codes[i] = -1
			}
			stderrs[i] = errb.String()
		}()
	}
	start.Done()
	wg.Wait()
	for i := range n {
		if codes[i] != exitFindings {
			t.Errorf("process %d: exit %d, want 1; stderr:\n%s", i, codes[i], stderrs[i])
		}
		if strings.Contains(stderrs[i], "conflict") {
			t.Errorf("process %d reported a lost race:\n%s", i, stderrs[i])
		}
	}
	f.mu.Lock()
	for tok, ok := range live {
		if ok && f.revokes[tok] != 1 {
			t.Errorf("token %s… revoked %d times, want once", tok[:8], f.revokes[tok])
		}
	}
	f.mu.Unlock()
	want := "jane@contoso.example," + strings.Repeat("octo@contoso.example,", len(gh))
	if got := strings.Join(sink.recipients(), ","); got+"," != want {
		t.Errorf("recipients = %s, want each owner once per token: %s", got, strings.TrimSuffix(want, ","))
	}
	created := 0
	for _, e := range stderrs {
		created += strings.Count(e, "created a new fingerprint key")
	}
	if created != 1 {
		t.Errorf("%d processes say they created the fingerprint key, want 1", created)
	}
}
