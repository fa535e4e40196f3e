package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
)

// serveEnv is one patrol serve setup on disk: a bare repository holding a live GitHub token
// (a git target by file:// URL), the GitHub provider fake whose first live check waits for
// the test, a loopback SMTP server, and a config with a store, clone_dir and key under dir.
type serveEnv struct {
	t       *testing.T
	dir     string
	cfg, db string
	tok     string
	f       *fakeProviders
	sink    *smtpSink
	// checking receives once when the first GET /user arrives; release lets it answer.
	checking chan struct{}
	release  chan struct{}
}

func newServeEnv(t *testing.T, shutdown time.Duration) *serveEnv {
	t.Helper()
	if patrolBin == "" {
		t.Skip("no go toolchain to build the patrol binary")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	e := &serveEnv{t: t, dir: t.TempDir(), tok: ghp(601), checking: make(chan struct{}), release: make(chan struct{})}
	e.f = &fakeProviders{t: t, live: map[string]bool{e.tok: true}, verify: map[string]int{}, revokes: map[string]int{}}
	api := e.f.github()
	var first sync.Once
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/user" {
			first.Do(func() {
				close(e.checking)
				<-e.release
			})
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(gh.Close)
	t.Cleanup(e.releaseCheck) // before gh.Close: the held request must end
	var addr string
	e.sink, addr = startSink(t)
	host, port, _ := net.SplitHostPort(addr)

	bare, work := filepath.Join(e.dir, "app.git"), filepath.Join(e.dir, "work")
	for _, d := range []string{bare, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, bare, "init", "-q", "--bare")
	gitRun(t, work, "init", "-q")
	os.WriteFile(filepath.Join(work, "deploy.env"), []byte("GITHUB_TOKEN="+e.tok+"\n"), 0o644)
	gitRun(t, work, "add", ".")
	gitRun(t, work, "commit", "-qm", "deploy")
	gitRun(t, work, "push", "-q", bare, "HEAD:refs/heads/main")

	e.db = filepath.Join(e.dir, "patrol.db")
	key := filepath.Join(e.dir, "key")
	os.WriteFile(key, []byte(strings.Repeat("ab", 32)), 0o600) // the key runPatrol passes
	e.cfg = filepath.Join(e.dir, "patrol.yaml")
	os.WriteFile(e.cfg, []byte("store: {dsn: "+e.db+"}\n"+
		"fingerprint_key_file: "+key+"\n"+
		"serve:\n"+
		"  listen: 127.0.0.1:0\n"+
		"  clone_dir: "+filepath.Join(e.dir, "repos")+"\n"+
		"  schedule: \"@every 1h\"\n"+
		"  sweep: \"@every 1h\"\n"+
		"  shutdown_timeout: "+shutdown.String()+"\n"+
		"targets:\n"+
		"  - git: {url: \"file://"+filepath.ToSlash(bare)+"\"}\n"+
		"providers:\n  github: {base_url: "+gh.URL+"/, revoke: true}\n"+
		"notify:\n  smtp: {host: "+host+", port: "+port+", from: patrol@contoso.example, tls: none}\n"+
		"  allowed_domains: [contoso.example]\n"), 0o600)
	return e
}

// releaseCheck lets the held live check answer (once).
func (e *serveEnv) releaseCheck() {
	select {
	case <-e.release:
	default:
		close(e.release)
	}
}

// serveLog is the file a patrol serve process writes its output (the JSON log) to.
type serveLog string

func (l serveLog) String() string {
	b, _ := os.ReadFile(string(l))
	return string(b)
}

// serve starts patrol serve; its output goes to the returned log file.
func (e *serveEnv) serve() (*exec.Cmd, serveLog) {
	e.t.Helper()
	f, err := os.CreateTemp(e.dir, "serve-*.log")
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(patrolBin, "serve", "-c", e.cfg, "--log-format", "json")
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+e.dir, "XDG_CONFIG_HOME="+e.dir, "XDG_CACHE_HOME="+e.dir)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cmd.Process.Kill() }) // a test that failed before stopping it (os.ErrProcessDone otherwise)
	return cmd, serveLog(f.Name())
}

// stop sends SIGTERM and waits for the exit, which must be 0 and within limit.
func (e *serveEnv) stop(cmd *exec.Cmd, logs serveLog, limit time.Duration) {
	e.t.Helper()
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			e.t.Errorf("patrol serve after SIGTERM: %v (want exit 0)\n%s", err, logs)
		}
		if d := time.Since(start); d > limit {
			e.t.Errorf("patrol serve took %s to exit after SIGTERM, want at most %s", d, limit)
		}
	case <-time.After(limit + 10*time.Second):
		cmd.Process.Kill()
		e.t.Fatalf("patrol serve still running %s after SIGTERM\n%s", limit+10*time.Second, logs)
	}
}

// waitHeld waits until patrol serve's first live check of the token is held by the fake.
func (e *serveEnv) waitHeld(logs serveLog) {
	e.t.Helper()
	select {
	case <-e.checking:
	case <-time.After(60 * time.Second):
		e.t.Fatalf("patrol serve never checked the token\n%s", logs)
	}
}

// waitContained waits until the token is revoked and its owner mailed.
func (e *serveEnv) waitContained(logs serveLog) {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		e.f.mu.Lock()
		revoked := e.f.revokes[e.tok] > 0
		e.f.mu.Unlock()
		if revoked && len(e.sink.recipients()) > 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("after 60s: token revoked %v, %d mails\n%s", revoked, len(e.sink.recipients()), logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkOnce checks what happened to the token, in the end: one revocation, one email to its
// owner, one audit pair, one finding (notified), and its raw value nowhere.
func (e *serveEnv) checkOnce(logs ...serveLog) {
	e.t.Helper()
	e.f.mu.Lock()
	if n := e.f.revokes[e.tok]; n != 1 {
		e.t.Errorf("token revoked %d times, want once", n)
	}
	e.f.mu.Unlock()
	if got := e.sink.recipients(); strings.Join(got, ",") != "octo@contoso.example" {
		e.t.Errorf("mail recipients = %v, want the owner once", got)
	}
	code, audit, errs := runPatrol(e.t, "", "audit", "-c", e.cfg, "-f", "json")
	if code != 0 {
		e.t.Fatalf("patrol audit = %d: %s", code, errs)
	}
	if a, r := strings.Count(audit, `"action": "revoke_attempt"`), strings.Count(audit, `"action": "revoke"`); a != 1 || r != 1 {
		e.t.Errorf("audit log: %d revoke attempts and %d results, want one pair:\n%s", a, r, audit)
	}
	fs, _ := e.stored()
	if len(fs) != 1 || fs[0].State != lifecycle.StateNotified || fs[0].Revocation != lifecycle.OutcomeRevoked {
		e.t.Errorf("findings = %+v, want one, notified and revoked", fs)
	}
	text := audit
	for _, l := range logs {
		text += l.String()
	}
	e.sink.mu.Lock()
	text += string(bytes.Join(e.sink.data, nil))
	e.sink.mu.Unlock()
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(e.db + suffix)
		text += string(b)
	}
	if strings.Contains(text, e.tok) {
		e.t.Error("the raw token is in a log, the audit log, a mail or the store")
	}
}

// stored reads the findings and the repository's cursor from the store, while patrol serve
// may run.
func (e *serveEnv) stored() ([]store.Finding, store.Cursor) {
	e.t.Helper()
	st, err := store.Open(context.Background(), store.Config{DSN: e.db})
	if err != nil {
		e.t.Fatal(err)
	}
	defer st.Close()
	fs, err := st.Findings(context.Background(), store.Query{})
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := st.Cursor(context.Background(), "file://"+filepath.ToSlash(filepath.Join(e.dir, "app.git")))
	if err != nil {
		e.t.Fatal(err)
	}
	return fs, c
}

// TestServeSIGTERMMidScanThenRestart: patrol serve is stopped with SIGTERM while its scan job
// waits on the provider's live check of a token it just found, longer than shutdown_timeout.
// It exits 0 in time, leaving the finding as the scan recorded it (with the cursor); the
// next start on the same store takes the finding on from the store and the mirror: the token
// is revoked once, its owner mailed once, one audit pair — nothing lost, nothing doubled.
func TestServeSIGTERMMidScanThenRestart(t *testing.T) {
	t.Parallel()
	const shutdown = time.Second
	e := newServeEnv(t, shutdown)
	cmd, logs := e.serve()
	e.waitHeld(logs)
	e.stop(cmd, logs, shutdown+10*time.Second)
	fs, c := e.stored()
	if len(fs) != 1 || fs[0].State != lifecycle.StateDetected {
		t.Errorf("after SIGTERM: findings %+v, want one, detected (the interrupted check decides nothing)", fs)
	}
	if c.Refs == nil {
		t.Error("after SIGTERM: no cursor; the scan recorded it with the finding")
	}
	e.f.mu.Lock()
	revoked := e.f.revokes[e.tok]
	e.f.mu.Unlock()
	if revoked != 0 || len(e.sink.recipients()) != 0 {
		t.Fatalf("before the restart: %d revocations, %d mails; want none", revoked, len(e.sink.recipients()))
	}
	e.releaseCheck() // the held request answers; its client is gone

	cmd2, logs2 := e.serve()
	e.waitContained(logs2)
	e.stop(cmd2, logs2, shutdown+10*time.Second)
	e.checkOnce(logs, logs2)
}

// TestServeSIGTERMLetsRunningJobFinish: SIGTERM while a scan job waits on the provider; the
// provider answers within shutdown_timeout, and patrol serve finishes the job — revokes the
// token and mails its owner — before it exits 0.
func TestServeSIGTERMLetsRunningJobFinish(t *testing.T) {
	t.Parallel()
	const shutdown = 30 * time.Second
	e := newServeEnv(t, shutdown)
	cmd, logs := e.serve()
	e.waitHeld(logs)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Give the signal time to land before the answer: the job must then run on, not be
	// cancelled. The log says when shutdown began.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "shutting down") {
		if time.Now().After(deadline) {
			t.Fatalf("no shutdown in the log after SIGTERM\n%s", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.releaseCheck()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("patrol serve after SIGTERM: %v, want exit 0\n%s", err, logs)
		}
	case <-time.After(shutdown + 10*time.Second):
		t.Fatalf("patrol serve still running after SIGTERM\n%s", logs)
	}
	e.checkOnce(logs)
}
