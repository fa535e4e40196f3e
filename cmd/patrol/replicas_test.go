package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/patrolsec/patrol/internal/pgtest"
)

// replicaEnv is several patrol serve processes on one PostgreSQL database: bare repositories
// each holding one live GitHub token (git targets by file:// URL, and optionally one served
// over smart HTTP behind a gate), the GitHub provider fake, a loopback SMTP server, and one
// config whose clone_dir each replica sets from its environment (one clone cache a replica).
type replicaEnv struct {
	t    testing.TB
	dir  string
	cfg  string
	dsn  string
	f    *fakeProviders
	sink *smtpSink
	// repos maps each repository URL (the target's key) that holds a token to its token.
	repos map[string]string
	// gate, when set, holds the first request to the HTTP-served repository until closed.
	gated, gate chan struct{}
	gatedURL    string
}

// replicaOptions shape a replicaEnv.
type replicaOptions struct {
	repos    int    // file:// repositories
	gated    bool   // one more repository, over HTTP, whose first fetch waits for the test
	schedule string // serve.schedule
	dsn      string // the database
	history  int    // commits of generated source before the one with the token
	tokens   int    // how many of the repositories hold a token (0: all)
	workers  int    // serve.workers (default 4)
}

func newReplicaEnv(t testing.TB, o replicaOptions) *replicaEnv {
	t.Helper()
	if patrolBin == "" {
		t.Skip("no go toolchain to build the patrol binary")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	e := &replicaEnv{t: t, dir: t.TempDir(), dsn: o.dsn, repos: map[string]string{}}
	e.f = &fakeProviders{t: t, live: map[string]bool{}, verify: map[string]int{}, revokes: map[string]int{}}
	gh := httptest.NewServer(e.f.github())
	t.Cleanup(gh.Close)
	var addr string
	e.sink, addr = startSink(t)
	host, port, _ := strings.Cut(addr, ":")

	var targets strings.Builder
	mk := func(name string, seed uint64, planted bool) string {
		bare, work := filepath.Join(e.dir, "up", name+".git"), filepath.Join(e.dir, "work", name)
		for _, d := range []string{bare, work} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		tok := ghp(seed)
		if !planted {
			tok = "none"
		}
		gitRun(t, bare, "init", "-q", "--bare")
		gitRun(t, work, "init", "-q")
		if o.history > 0 {
			fastImport(t, work, name, o.history)
		}
		os.WriteFile(filepath.Join(work, "deploy.env"), []byte("# "+name+"\nGITHUB_TOKEN="+tok+"\n"), 0o644)
		gitRun(t, work, "add", ".")
		gitRun(t, work, "commit", "-qm", "deploy "+name)
		gitRun(t, work, "push", "-q", bare, "HEAD:refs/heads/main")
		if planted {
			e.f.live[tok] = true
		}
		return tok
	}
	for i := range o.repos {
		name := fmt.Sprintf("app%02d", i)
		planted := o.tokens == 0 || i < max(o.tokens, 0)
		tok := mk(name, 900+uint64(i), planted)
		u := "file://" + filepath.ToSlash(filepath.Join(e.dir, "up", name+".git"))
		if planted {
			e.repos[u] = tok
		}
		fmt.Fprintf(&targets, "  - git: {url: %q}\n", u)
	}
	if o.gated {
		tok := mk("gated", 999, true)
		e.gated, e.gate = make(chan struct{}), make(chan struct{})
		srv := httptest.NewServer(e.gitHTTP(filepath.Join(e.dir, "up")))
		t.Cleanup(srv.Close)
		t.Cleanup(e.open) // before srv.Close: a held request must end
		e.gatedURL = srv.URL + "/gated.git"
		e.repos[e.gatedURL] = tok
		fmt.Fprintf(&targets, "  - git: {url: %q}\n", e.gatedURL)
	}

	key := filepath.Join(e.dir, "key")
	os.WriteFile(key, []byte(strings.Repeat("ab", 32)), 0o600)
	e.cfg = filepath.Join(e.dir, "patrol.yaml")
	os.WriteFile(e.cfg, []byte("store: {driver: postgres, dsn: \""+o.dsn+"\"}\n"+
		"fingerprint_key_file: "+key+"\n"+
		"serve:\n"+
		"  listen: 127.0.0.1:0\n"+
		"  clone_dir: ${PATROL_TEST_CLONE_DIR}\n"+
		"  schedule: \""+o.schedule+"\"\n"+
		"  sweep: \"@every 1h\"\n"+
		"  scan_timeout: 10s\n"+
		fmt.Sprintf("  workers: %d\n", cmp.Or(o.workers, 4))+
		"  shutdown_timeout: 5s\n"+
		"targets:\n"+targets.String()+
		"providers:\n  github: {base_url: "+gh.URL+"/, revoke: true}\n"+
		"notify:\n  smtp: {host: "+host+", port: "+port+", from: patrol@contoso.example, tls: none}\n"+
		"  allowed_domains: [contoso.example]\n"), 0o600)
	return e
}

// fastImportLines is the length of each generated file.
var fastImportLines = 40

// fastImport writes n commits of generated source files into the repository at work (one
// git fast-import, on refs/heads/main), so that a scan has history to read.
func fastImport(t testing.TB, work, name string, n int) {
	t.Helper()
	var in bytes.Buffer
	for i := range n {
		var body strings.Builder
		for j := range fastImportLines {
			fmt.Fprintf(&body, "func %s_%d_%d(x int) int { return x*%d + %d } // generated\n", name, i, j, i, j)
		}
		fmt.Fprintf(&in, "commit refs/heads/main\ncommitter Dev <dev@contoso.example> %d +0000\ndata 8\ncommit %d\n", 1700000000+i, i%10)
		fmt.Fprintf(&in, "M 644 inline src/f%03d.go\ndata %d\n%s\n", i%50, body.Len(), body.String())
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Stdin = work, &in
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	gitRun(t, work, "checkout", "-q", "-f", "main")
}

// gitHTTP serves the bare repositories under root over git's smart HTTP protocol (git
// http-backend, as a web server runs it); the first request for gated.git waits for open.
func (e *replicaEnv) gitHTTP(root string) http.Handler {
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		e.t.Fatal(err)
	}
	backend := &cgi.Handler{Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	var first sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/gated.git/") {
			first.Do(func() {
				close(e.gated)
				<-e.gate
			})
		}
		backend.ServeHTTP(w, r)
	})
}

// open lets the held request of the gated repository go on (once).
func (e *replicaEnv) open() {
	if e.gate == nil {
		return
	}
	select {
	case <-e.gate:
	default:
		close(e.gate)
	}
}

// migrate runs patrol migrate and returns how many of patrol's migrations it applied.
func (e *replicaEnv) migrate() (int, error) {
	cmd := exec.Command(patrolBin, "migrate", "-c", e.cfg)
	cmd.Env = append(os.Environ(), "PATROL_TEST_CLONE_DIR="+filepath.Join(e.dir, "unused"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("patrol migrate: %v\n%s", err, out)
	}
	_, rest, ok := strings.Cut(string(out), "schema up to date (")
	n, err := strconv.Atoi(strings.Fields(rest + " x")[0])
	if !ok || err != nil {
		return 0, fmt.Errorf("patrol migrate printed %q", out)
	}
	return n, nil
}

// replica is one patrol serve process.
type replica struct {
	cmd  *exec.Cmd
	logs serveLog
	addr string // its HTTP address, read from its log
}

// serve starts replica i; it returns once the replica listens.
func (e *replicaEnv) serve(i int) *replica {
	e.t.Helper()
	f, err := os.CreateTemp(e.dir, fmt.Sprintf("serve-%d-*.log", i))
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	cmd := exec.Command(patrolBin, "serve", "-c", e.cfg, "--log-format", "json")
	home := filepath.Join(e.dir, fmt.Sprintf("replica-%d", i))
	cmd.Env = append(os.Environ(), "XDG_DATA_HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home,
		"PATROL_TEST_CLONE_DIR="+filepath.Join(home, "repos"))
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	r := &replica{cmd: cmd, logs: serveLog(f.Name())}
	waitUntil(e.t, 30*time.Second, "replica listening", func() bool {
		for line := range strings.Lines(r.logs.String()) {
			var l struct{ Listen string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Listen != "" {
				r.addr = l.Listen
				return true
			}
		}
		return false
	}, r.logs)
	return r
}

// stop sends SIGTERM and waits for a clean exit.
func (r *replica) stop(t testing.TB) {
	t.Helper()
	r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("patrol serve exited with %v\n%s", err, r.logs)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("patrol serve still running 30s after SIGTERM\n%s", r.logs)
	}
}

// get returns the status code of GET path on the replica (0 when it does not answer).
func (r *replica) get(path string) (int, string) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + r.addr + path)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric sums the samples of a metric (name with its labels, as exposed) on the replica.
func (r *replica) metric(t testing.TB, series string) float64 {
	t.Helper()
	code, body := r.get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

func waitUntil(t testing.TB, limit time.Duration, what string, ok func() bool, logs ...serveLog) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			var all strings.Builder
			for _, l := range logs {
				all.WriteString(l.String())
			}
			t.Fatalf("after %s: still waiting for %s\n%s", limit, what, all.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// db opens a connection to the test database.
func (e *replicaEnv) db() *pgx.Conn {
	e.t.Helper()
	c, err := pgx.Connect(context.Background(), e.dsn)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// contained reports whether every token is revoked and each repository's owner mail sent.
func (e *replicaEnv) contained() bool {
	e.f.mu.Lock()
	defer e.f.mu.Unlock()
	for _, tok := range e.repos {
		if e.f.revokes[tok] == 0 {
			return false
		}
	}
	return len(e.mails()) >= len(e.repos)
}

// mails returns the repository each mail names (by its upstream directory name).
func (e *replicaEnv) mails() []string {
	e.sink.mu.Lock()
	defer e.sink.mu.Unlock()
	var out []string
	for _, d := range e.sink.data {
		name := "?"
		for u := range e.repos {
			n := strings.TrimSuffix(filepath.Base(u), ".git")
			if bytes.Contains(d, []byte(n+".git")) {
				name = n
			}
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// checkOnce: each token revoked once, one mail per repository (to the owner), no raw token in
// any log, mail or table.
func (e *replicaEnv) checkOnce(rs ...*replica) {
	e.t.Helper()
	e.f.mu.Lock()
	for u, tok := range e.repos {
		if n := e.f.revokes[tok]; n != 1 {
			e.t.Errorf("token of %s revoked %d times, want once", u, n)
		}
	}
	e.f.mu.Unlock()
	var want []string
	for u := range e.repos {
		want = append(want, strings.TrimSuffix(filepath.Base(u), ".git"))
	}
	slices.Sort(want)
	if got := e.mails(); !slices.Equal(got, want) {
		e.t.Errorf("mails name %v, want each repository once: %v", got, want)
	}
	for _, r := range e.sink.recipients() {
		if r != "octo@contoso.example" {
			e.t.Errorf("mail to %s, want the owner only", r)
		}
	}
	var text strings.Builder
	for _, r := range rs {
		text.WriteString(r.logs.String())
	}
	e.sink.mu.Lock()
	text.Write(bytes.Join(e.sink.data, nil))
	e.sink.mu.Unlock()
	dump, err := exec.Command("pg_dump", "--data-only", e.dsn).Output()
	if err != nil {
		e.t.Errorf("pg_dump of the test database, to look for raw tokens in it: %v", err)
	}
	text.Write(dump)
	for _, tok := range e.repos {
		if strings.Contains(text.String(), tok) {
			e.t.Error("a raw token is in a log, a mail or the database")
		}
	}
}

// TestServeReplicasOnPostgres: three concurrent `patrol migrate` runs on an empty database
// (one applies, two find nothing to do), then three `patrol serve` replicas share one
// PostgreSQL database and 20 repositories: every planted live token is revoked once and its
// owner mailed once, and over three schedule ticks each repository is scanned exactly once
// per tick (one scan job per repository and tick, run once, by whichever replica took it).
func TestServeReplicasOnPostgres(t *testing.T) {
	t.Parallel()
	e := newReplicaEnv(t, replicaOptions{repos: 20, schedule: "@every 3s", dsn: pgtest.DSN(t)})

	var wg sync.WaitGroup
	applied := make([]int, 3)
	errs := make([]error, 3)
	for i := range 3 {
		wg.Go(func() { applied[i], errs[i] = e.migrate() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(applied)
	if applied[0] != 0 || applied[1] != 0 || applied[2] == 0 {
		t.Errorf("migrations applied by three concurrent runs: %v, want one run to apply them all", applied)
	}

	start := time.Now()
	rs := []*replica{e.serve(0), e.serve(1), e.serve(2)}
	logs := []serveLog{rs[0].logs, rs[1].logs, rs[2].logs}
	waitUntil(t, 90*time.Second, "every token revoked and mailed", e.contained, logs...)
	t.Logf("%d tokens contained %s after the replicas started", len(e.repos), time.Since(start).Round(time.Millisecond))
	for _, r := range rs {
		if code, _ := r.get("/readyz"); code != http.StatusOK {
			t.Errorf("replica %s: /readyz = %d", r.addr, code)
		}
	}

	// Three ticks after containment, each complete: one job per repository, run once.
	db := e.db()
	type job struct {
		repo, tick string
		attempts   int
		runners    int
		state      string
	}
	ticks := func() (map[string][]job, error) {
		rows, err := db.Query(context.Background(), `SELECT args->>'repository', args->>'tick', attempt,
			coalesce(array_length(attempted_by, 1), 0), state FROM river_job
			WHERE kind = 'patrol_scan' AND args->>'trigger' = 'schedule'`)
		if err != nil {
			return nil, err
		}
		out := map[string][]job{}
		for rows.Next() {
			var j job
			if err := rows.Scan(&j.repo, &j.tick, &j.attempts, &j.runners, &j.state); err != nil {
				return nil, err
			}
			out[j.tick] = append(out[j.tick], j)
		}
		return out, rows.Err()
	}
	before, err := ticks()
	if err != nil {
		t.Fatal(err)
	}
	var done []string
	var all map[string][]job
	waitUntil(t, 60*time.Second, "three complete schedule ticks", func() bool {
		all, err = ticks()
		if err != nil {
			t.Fatal(err)
		}
		done = done[:0]
		for tick, js := range all {
			if _, old := before[tick]; old {
				continue
			}
			complete := len(js) >= len(e.repos)
			for _, j := range js {
				complete = complete && j.state == "completed"
			}
			if complete {
				done = append(done, tick)
			}
		}
		return len(done) >= 3
	}, logs...)
	t.Logf("three ticks done %s after the replicas started", time.Since(start).Round(time.Millisecond))
	for _, tick := range done {
		per := map[string]int{}
		for _, j := range all[tick] {
			per[j.repo]++
			if j.attempts != 1 || j.runners != 1 {
				t.Errorf("tick %s: the scan of %s ran %d times on %d replicas, want once", tick, j.repo, j.attempts, j.runners)
			}
		}
		for u := range e.repos {
			if per[u] != 1 {
				t.Errorf("tick %s: %d scan jobs of %s, want 1", tick, per[u], u)
			}
		}
	}
	// No scheduled scan ran without its job, nor twice for one: a job's completion commits
	// before its replica counts the scan, so the scans counted, read first, never exceed the
	// completed jobs, read after.
	var scanned float64
	for _, r := range rs {
		scanned += r.metric(t, `patrol_scans_total{outcome="ok",trigger="schedule"}`)
	}
	var jobs float64
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'patrol_scan'
		AND args->>'trigger' = 'schedule' AND state = 'completed'`).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if scanned > jobs {
		t.Errorf("replicas counted %v scheduled scans for %v completed scheduled scan jobs", scanned, jobs)
	}
	var skipped float64
	for _, r := range rs {
		skipped += r.metric(t, "patrol_scheduler_skipped_total")
	}
	t.Logf("%v scheduled scan jobs completed, %v scans counted, %v scans skipped (repository being scanned)", jobs, scanned, skipped)
	var leaders float64
	for _, r := range rs {
		leaders += r.metric(t, "patrol_leader")
	}
	if leaders != 1 {
		t.Errorf("patrol_leader summed over the replicas = %v, want 1", leaders)
	}
	for _, r := range rs {
		r.stop(t)
	}
	e.checkOnce(rs...)
}

// TestServeReplicaKilledMidScan: of three replicas, the one scanning a repository is killed
// (SIGKILL) while it fetches; another replica scans that repository at the next tick (its
// scan lock died with the killed process): the token found there is revoked once and mailed
// once, and so is every other token.
func TestServeReplicaKilledMidScan(t *testing.T) {
	t.Parallel()
	e := newReplicaEnv(t, replicaOptions{repos: 5, gated: true, schedule: "@every 2s", dsn: pgtest.DSN(t)})
	if _, err := e.migrate(); err != nil {
		t.Fatal(err)
	}
	rs := []*replica{e.serve(0), e.serve(1), e.serve(2)}
	logs := []serveLog{rs[0].logs, rs[1].logs, rs[2].logs}
	select {
	case <-e.gated:
	case <-time.After(60 * time.Second):
		t.Fatalf("no replica fetched the gated repository\n%s%s%s", logs[0], logs[1], logs[2])
	}
	// The replica running that scan job: River records it (host_pid_start) in attempted_by.
	db := e.db()
	var runner string
	waitUntil(t, 10*time.Second, "the gated scan job running", func() bool {
		err := db.QueryRow(context.Background(), `SELECT attempted_by[array_length(attempted_by, 1)] FROM river_job
			WHERE kind = 'patrol_scan' AND state = 'running' AND args->>'repository' = $1`, e.gatedURL).Scan(&runner)
		return err == nil
	}, logs...)
	parts := strings.Split(runner, "_")
	pid, _ := strconv.Atoi(parts[len(parts)-2])
	var victim *replica
	for _, r := range rs {
		if r.cmd.Process.Pid == pid {
			victim = r
		}
	}
	if victim == nil {
		t.Fatalf("runner %q is none of the replicas", runner)
	}
	victim.cmd.Process.Kill()
	victim.cmd.Wait()
	e.open()

	var alive []*replica
	for _, r := range rs {
		if r != victim {
			alive = append(alive, r)
		}
	}
	waitUntil(t, 120*time.Second, "every token revoked and mailed", e.contained, logs...)
	for _, r := range alive {
		r.stop(t)
	}
	e.checkOnce(rs...)
}

// TestServeReplicasSurvivePostgresRestart: PostgreSQL stops while two replicas work; both
// report not ready on /readyz (but stay alive on /healthz, so an orchestrator does not
// restart them all), and once it is back they are ready again and finish the work: every
// token revoked once, mailed once.
func TestServeReplicasSurvivePostgresRestart(t *testing.T) {
	t.Parallel()
	c := pgtest.StartCluster(t)
	e := newReplicaEnv(t, replicaOptions{repos: 6, schedule: "@every 2s", dsn: c.DSN()})
	if _, err := e.migrate(); err != nil {
		t.Fatal(err)
	}
	rs := []*replica{e.serve(0), e.serve(1)}
	logs := []serveLog{rs[0].logs, rs[1].logs}
	waitUntil(t, 30*time.Second, "both replicas ready", func() bool {
		for _, r := range rs {
			if code, _ := r.get("/readyz"); code != http.StatusOK {
				return false
			}
		}
		return true
	}, logs...)

	c.Stop()
	waitUntil(t, 30*time.Second, "both replicas not ready", func() bool {
		for _, r := range rs {
			if code, _ := r.get("/readyz"); code != http.StatusServiceUnavailable {
				return false
			}
		}
		return true
	}, logs...)
	for _, r := range rs {
		if code, _ := r.get("/healthz"); code != http.StatusOK {
			t.Errorf("replica %s: /healthz = %d while the database is down, want 200", r.addr, code)
		}
	}
	time.Sleep(2 * time.Second) // the replicas' jobs and River's loops meet the outage
	c.Start()
	waitUntil(t, 60*time.Second, "both replicas ready again", func() bool {
		for _, r := range rs {
			if code, _ := r.get("/readyz"); code != http.StatusOK {
				return false
			}
		}
		return true
	}, logs...)
	waitUntil(t, 120*time.Second, "every token revoked and mailed", e.contained, logs...)
	for _, r := range rs {
		r.stop(t)
	}
	e.checkOnce(rs...)
}
