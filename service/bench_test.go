package service

// Benchmarks of patrol serve on real parts: bare repositories on disk as git: targets (file://
// URLs) pushed to with the git binary, the real Service with its River queue on a SQLite file,
// a GitHub fake that serves only the calls PROVIDERS.md documents, and an SMTP server on
// loopback. `make bench-serve` runs them (with scripts/bench-serve.sh for serve's RSS).

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/service/targets"
	"github.com/patrolsec/patrol/store"
)

// BenchmarkTimeToContainment measures, per push, the time from `git push` of a commit that adds
// a live GitHub token to the moment the SMTP server has accepted the email telling the token's
// owner it was revoked: push → signed GitHub push webhook → scan job → incremental scan →
// verified live → revoked → confirmed dead → owner emailed. One op is a round of 20 pushes,
// one after the other (each waits for the previous containment); p50_s and p95_s are
// nearest-rank percentiles over every push of every round, max_s the slowest. Of that,
// push_p50_s is the median of `git push` itself, after_202_p50_s the median from the
// webhook's 202 answer to the email. The service runs with serve's defaults (workers,
// schedules, queue poll, pipeline period).
func BenchmarkTimeToContainment(b *testing.B) {
	const pushes = 20
	dir := b.TempDir()
	origin, work := filepath.Join(dir, "origin.git"), filepath.Join(dir, "work")
	benchGit(b, dir, "init", "-q", "--bare", "-b", "main", origin)
	benchGit(b, dir, "init", "-q", "-b", "main", work)
	writeFile(b, filepath.Join(work, "README.md"), "# app\n")
	benchGit(b, work, "add", ".")
	benchGit(b, work, "commit", "-qm", "start")
	benchGit(b, work, "remote", "add", "origin", origin)
	benchGit(b, work, "push", "-q", "origin", "main")
	// The target is the bare repository served over smart HTTP on loopback, not its file://
	// URL: a GitHub push event names the repository by its http(s) clone_url, and serve
	// matches that against the configured URL (service/webhook refuses any other scheme).
	url := serveGitHTTP(b, dir) + "/origin.git"

	gh := &githubFake{tb: b, owners: map[string]string{}, dead: map[string]bool{}, revoked: map[string]int{}}
	api := httptest.NewServer(gh.handler())
	b.Cleanup(api.Close)
	sink := startMailSink(b)
	provCfg := providers.Config{GitHub: &providers.GitHubConfig{BaseConfig: providers.BaseConfig{BaseURL: api.URL + "/", Revoke: new(true)}}}
	provs, err := providers.New(provCfg, providers.Options{Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	mailer, err := notify.NewMailer(notify.SMTPConfig{Host: sink.host, Port: sink.port, From: "patrol <patrol@contoso.example>", TLS: "none"})
	if err != nil {
		b.Fatal(err)
	}
	lister, err := targets.NewGit(url)
	if err != nil {
		b.Fatal(err)
	}
	hookSecret := []byte("bench webhook secret")
	f := startBenchService(b, benchOptions{
		targets: []Target{{Lister: lister}},
		provs:   provs, policy: pipeline.Policy{Allowed: provCfg.RevokePolicy},
		mailer: mailer, notify: notify.Config{SecurityTeam: "secops@contoso.example", AllowedDomains: []string{"contoso.example"}},
		webhooks: Webhooks{GitHubSecret: hookSecret},
	})
	f.waitScans(b, 1, time.Minute) // the first, full scan: the sweep runs on start

	var took, pushing, afterHook []time.Duration
	var tokens []string
	before := benchGit(b, work, "rev-parse", "HEAD")
	for b.Loop() {
		for range pushes {
			n := len(tokens) + 1
			tok := ghpToken(uint64(n))
			tokens = append(tokens, tok)
			owner := fmt.Sprintf("owner-%d@contoso.example", n)
			gh.issue(tok, owner)
			writeFile(b, filepath.Join(work, fmt.Sprintf("deploy-%d.env", n)), "GITHUB_TOKEN="+tok+"\n")
			benchGit(b, work, "add", ".")
			benchGit(b, work, "commit", "-qm", fmt.Sprintf("deploy %d", n))
			after := benchGit(b, work, "rev-parse", "HEAD")
			mailed := sink.await(owner)

			start := time.Now()
			benchGit(b, work, "push", "-q", "origin", "main")
			pushed := time.Now()
			f.pushWebhook(b, hookSecret, url, before, after, n)
			queued := time.Now()
			select {
			case <-mailed:
				took = append(took, time.Since(start))
				pushing = append(pushing, pushed.Sub(start))
				afterHook = append(afterHook, time.Since(queued))
			case <-time.After(time.Minute):
				b.Fatalf("push %d: no email to its owner after a minute; service errors: %v", n, f.log.errors())
			}
			if got := gh.revocations(tok); got != 1 {
				b.Fatalf("push %d: token revoked %d times, want once", n, got)
			}
			before = after
		}
	}
	f.checkErrors(b)

	// A finding becomes notified once the send that completes it has returned, just after
	// the server accepted the message.
	var fs []store.Finding
	for wait := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var err error
		if fs, err = f.st.Findings(b.Context(), store.Query{State: lifecycle.StateNotified}); err != nil {
			b.Fatal(err)
		}
		if len(fs) >= len(tokens) || time.Now().After(wait) {
			break
		}
	}
	if len(fs) != len(tokens) {
		b.Errorf("%d findings notified, want %d", len(fs), len(tokens))
	}
	for _, fd := range fs {
		if fd.Revocation != lifecycle.OutcomeRevoked {
			b.Errorf("finding %s: revocation %s, want revoked", fd.Redacted, fd.Revocation)
		}
	}
	sink.checkNoToken(b, tokens)
	b.ReportMetric(percentile(took, 50).Seconds(), "p50_s")
	b.ReportMetric(percentile(took, 95).Seconds(), "p95_s")
	b.ReportMetric(slices.Max(took).Seconds(), "max_s")
	b.ReportMetric(percentile(pushing, 50).Seconds(), "push_p50_s")
	b.ReportMetric(percentile(afterHook, 50).Seconds(), "after_202_p50_s")
	b.ReportMetric(float64(len(took)), "pushes")
}

// BenchmarkUnchangedSweep measures one sweep of a fleet of 100 repositories in which nothing
// changed since the last scan, against `git fetch` alone over the same 100 mirrors in the same
// run. The sweep is Service.Sweep, as its periodic job calls it, up to the 100th scan logged;
// the reference runs patrol's own fetch command (scanner/git's cloneWithGit) in every mirror,
// Workers at a time as the scans run. CPU is the process's user+sys time from getrusage around
// each, this process and its git children together; the children alone are in *_git_cpu_s.
// extra_*_ms/repo is the sweep minus the reference, per repository: patrol's own work for an
// unchanged repository. first_scan_s is the time from the sweep to its first finished scan
// (the queue's latency plus one scan). Figures are medians over the ops (-benchtime=Nx).
//
// The jitter window is a nanosecond: serve spreads a sweep's scans over up to a minute on
// purpose, which is waiting, not work.
func BenchmarkUnchangedSweep(b *testing.B) {
	const repos = 100
	dir := b.TempDir()
	tmpl := buildTemplateRepo(b, filepath.Join(dir, "template"))
	var tgts []Target
	for i := range repos {
		bare := filepath.Join(dir, "fleet", fmt.Sprintf("repo-%03d.git", i))
		benchGit(b, dir, "clone", "-q", "--bare", "--no-local", tmpl, bare)
		l, err := targets.NewGit("file://" + filepath.ToSlash(bare))
		if err != nil {
			b.Fatal(err)
		}
		tgts = append(tgts, Target{Lister: l})
	}
	f := startBenchService(b, benchOptions{targets: tgts, jitter: time.Nanosecond})
	f.waitScans(b, repos, 10*time.Minute) // the first, full scans: the sweep runs on start
	mirrors := f.mirrors(b)
	if len(mirrors) != repos {
		b.Fatalf("%d mirrors in the clone cache, want %d", len(mirrors), repos)
	}

	var sweeps, fetches []usage
	var firsts []time.Duration
	last := time.Now().Truncate(time.Second)
	for b.Loop() {
		// A sweep's scan jobs are unique per (repository, second): wait for a new second so
		// that this sweep is not taken for the last one.
		for !time.Now().Truncate(time.Second).After(last) {
			time.Sleep(10 * time.Millisecond)
		}
		last = time.Now().Truncate(time.Second)
		u := startUsage()
		if err := f.svc.Sweep(b.Context()); err != nil {
			b.Fatal(err)
		}
		f.waitScans(b, 1, 10*time.Minute)
		firsts = append(firsts, time.Since(u.at))
		f.waitScans(b, repos-1, 10*time.Minute)
		sweeps = append(sweeps, u.stop())

		u = startUsage()
		fetchAll(b, mirrors, config.DefaultWorkers)
		fetches = append(fetches, u.stop())
	}
	f.checkErrors(b)
	sw, fe := medianUsage(sweeps), medianUsage(fetches)
	b.ReportMetric(sw.wall.Seconds(), "sweep_wall_s")
	b.ReportMetric(percentile(firsts, 50).Seconds(), "first_scan_s")
	b.ReportMetric(sw.cpu().Seconds(), "sweep_cpu_s")
	b.ReportMetric(sw.children.Seconds(), "sweep_git_cpu_s")
	b.ReportMetric(fe.wall.Seconds(), "fetch_wall_s")
	b.ReportMetric(fe.cpu().Seconds(), "fetch_cpu_s")
	b.ReportMetric(fe.children.Seconds(), "fetch_git_cpu_s")
	b.ReportMetric(float64(sw.wall-fe.wall)/float64(time.Millisecond)/repos, "extra_wall_ms/repo")
	b.ReportMetric(float64(sw.cpu()-fe.cpu())/float64(time.Millisecond)/repos, "extra_cpu_ms/repo")
}

// benchOptions are what the benchmarks vary in the service they start.
type benchOptions struct {
	targets  []Target
	provs    map[string]revoke.Provider
	policy   pipeline.Policy
	mailer   pipeline.Sender
	notify   notify.Config
	webhooks Webhooks
	jitter   time.Duration
}

// benchService is a started Service with its store, clone cache and HTTP server.
type benchService struct {
	svc      *Service
	st       store.Store
	cloneDir string
	web      *httptest.Server
	log      *benchLog
}

// startBenchService builds the service as patrol serve does (cmd/patrol/serve.go): a SQLite
// store shared with River, metrics over the committed audit rows, the pipeline reading tokens
// back from the clone cache, serve's default workers and schedules, and starts it.
func startBenchService(b *testing.B, o benchOptions) *benchService {
	b.Helper()
	dir := b.TempDir()
	ctx := context.Background()
	dbPath := filepath.Join(dir, "patrol.db")
	st, err := store.Open(ctx, store.Config{DSN: dbPath})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	key := bytes.Repeat([]byte{0xab}, 32)
	engine := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: key})
	bl := &benchLog{scanned: make(chan string, 4096)}
	log := slog.New(bl)
	var svc *Service
	m, err := metrics.New(prometheus.NewRegistry(), metrics.Options{Version: "bench", Log: log,
		PipelineCounts: PipelineCounts(st),
		OldestScan: func(ctx context.Context) (time.Time, error) {
			if svc == nil {
				return time.Time{}, nil
			}
			return svc.OldestScan(ctx)
		}})
	if err != nil {
		b.Fatal(err)
	}
	cloneDir := filepath.Join(dir, "repos")
	p := pipeline.New(pipeline.Options{
		Store: Observe(st, m, time.Now), Provs: o.provs, Notify: o.notify, Mailer: o.mailer, Policy: o.policy,
		Actor: "patrol serve", Tokens: pipeline.Rescan{Engine: engine, CloneDir: cloneDir}, Logger: log,
	})
	svc, err = New(Options{
		Store: st, Backend: Backend{SQLite: dbPath}, Pipeline: p, Engine: engine, Targets: o.targets, CloneDir: cloneDir,
		Workers: config.DefaultWorkers, Schedule: config.DefaultSchedule, Sweep: config.DefaultSweep,
		Jitter: o.jitter, MaxBlobSize: config.DefaultMaxBlobSize, Webhooks: o.webhooks, Metrics: m, Logger: log,
	})
	if err != nil {
		b.Fatal(err)
	}
	h, err := svc.Handler()
	if err != nil {
		b.Fatal(err)
	}
	web := httptest.NewServer(h)
	b.Cleanup(web.Close)
	if err := svc.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := svc.Stop(stop); err != nil {
			b.Errorf("stop: %v", err)
		}
	})
	return &benchService{svc: svc, st: st, cloneDir: cloneDir, web: web, log: bl}
}

// waitScans waits until n more scans have finished, failing on the first error the service
// logs.
func (f *benchService) waitScans(b *testing.B, n int, timeout time.Duration) {
	b.Helper()
	deadline := time.After(timeout)
	for range n {
		select {
		case <-f.log.scanned:
		case <-deadline:
			b.Fatalf("scans did not finish in %s; service errors: %v", timeout, f.log.errors())
		}
		f.checkErrors(b)
	}
}

func (f *benchService) checkErrors(b *testing.B) {
	b.Helper()
	if errs := f.log.errors(); len(errs) > 0 {
		b.Fatalf("the service logged errors: %v", errs)
	}
}

// pushWebhook delivers a signed GitHub push event for the push before..after of the
// repository at url, as GitHub would after the push, and checks it was taken.
func (f *benchService) pushWebhook(b *testing.B, secret []byte, url, before, after string, n int) {
	b.Helper()
	body, err := json.Marshal(map[string]any{
		"ref": "refs/heads/main", "before": before, "after": after, "created": false, "deleted": false, "forced": false,
		"repository": map[string]any{"full_name": "contoso/app", "clone_url": url, "html_url": url},
		"pusher":     map[string]any{"name": "dev", "email": "dev@contoso.example"},
	})
	if err != nil {
		b.Fatal(err)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	req, err := http.NewRequest(http.MethodPost, f.web.URL+"/webhooks/github", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("bench-delivery-%d-%d", time.Now().UnixNano(), n))
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted || strings.TrimSpace(string(msg)) != "accepted" {
		b.Fatalf("webhook: %s %q, want 202 accepted", resp.Status, msg)
	}
}

// mirrors returns the mirrors of the clone cache, each with the URL it was cloned from.
func (f *benchService) mirrors(b *testing.B) map[string]string {
	b.Helper()
	ents, err := os.ReadDir(f.cloneDir)
	if err != nil {
		b.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(f.cloneDir, e.Name())
		out[dir] = benchGit(b, dir, "config", "--get", "remote.origin.url")
	}
	return out
}

// fetchAll runs patrol's fetch of a mirror (scanner/git cloneWithGit: the same command, flags
// and refspec) in every mirror, workers at a time.
func fetchAll(b *testing.B, mirrors map[string]string, workers int) {
	b.Helper()
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for dir, url := range mirrors {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			cmd := exec.Command("git", "-C", dir, "fetch", "--quiet", "--prune", "--force", "--", url, "+refs/*:refs/*")
			cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GCM_INTERACTIVE=never", "GIT_OPTIONAL_LOCKS=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Errorf("git fetch in %s: %v\n%s", dir, err, out)
			}
		})
	}
	wg.Wait()
}

// serveGitHTTP serves the bare repositories under root over git's smart HTTP protocol (git
// http-backend as a CGI program) on loopback, and returns the base URL.
func serveGitHTTP(b *testing.B, root string) string {
	b.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(&cgi.Handler{Path: gitPath, Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1"}})
	b.Cleanup(srv.Close)
	return srv.URL
}

// buildTemplateRepo makes a repository with some history for the fleet: 40 commits over three
// branches, five tags, a few dozen files.
func buildTemplateRepo(b *testing.B, dir string) string {
	b.Helper()
	benchGit(b, filepath.Dir(dir), "init", "-q", "-b", "main", dir)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 40 {
		switch i {
		case 15:
			benchGit(b, dir, "checkout", "-q", "-b", "release")
		case 25:
			benchGit(b, dir, "checkout", "-q", "-b", "feature", "main")
		case 35:
			benchGit(b, dir, "checkout", "-q", "main")
		}
		for j := range 3 {
			var sb strings.Builder
			for range 40 {
				fmt.Fprintf(&sb, "line %d of change %d: %x\n", r.IntN(1000), i, r.Uint64())
			}
			writeFile(b, filepath.Join(dir, "src", fmt.Sprintf("file-%02d.txt", (i*3+j)%30)), sb.String())
		}
		benchGit(b, dir, "add", ".")
		benchGit(b, dir, "commit", "-qm", fmt.Sprintf("change %d", i))
		if i%8 == 7 {
			benchGit(b, dir, "tag", fmt.Sprintf("v0.%d.0", i/8))
		}
	}
	return dir
}

// githubFake plays api.github.com for classic PATs as PROVIDERS.md §2 documents it: GET /user
// and GET /user/emails authenticated by the token, POST /credentials/revoke unauthenticated.
// Anything else is off contract: 404, and the benchmark fails.
type githubFake struct {
	tb      testing.TB
	mu      sync.Mutex
	owners  map[string]string // token → owner's primary email
	dead    map[string]bool
	revoked map[string]int
}

// issue makes tok a live token of the user whose primary email is owner.
func (g *githubFake) issue(tok, owner string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.owners[tok] = owner
}

func (g *githubFake) revocations(tok string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.revoked[tok]
}

// owner returns the owner of the token a request authenticates with, if it is live.
func (g *githubFake) owner(r *http.Request) (string, bool) {
	a := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(a, "Bearer ")
	if !ok {
		tok, _ = strings.CutPrefix(a, "token ")
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	email, ok := g.owners[tok]
	return email, ok && !g.dead[tok]
}

func (g *githubFake) handler() http.Handler {
	mux := http.NewServeMux()
	answer := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v)
	}
	badCredentials := map[string]string{"message": "Bad credentials"}
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("X-GitHub-Api-Version"); v != "2022-11-28" {
			g.tb.Errorf("GET /user: X-GitHub-Api-Version %q, want 2022-11-28", v)
		}
		email, live := g.owner(r)
		if !live {
			answer(w, http.StatusUnauthorized, badCredentials)
			return
		}
		login, _, _ := strings.Cut(email, "@")
		answer(w, http.StatusOK, map[string]any{"login": login, "id": len(login), "type": "User", "name": login, "email": nil})
	})
	mux.HandleFunc("GET /user/emails", func(w http.ResponseWriter, r *http.Request) {
		email, live := g.owner(r)
		if !live {
			answer(w, http.StatusUnauthorized, badCredentials)
			return
		}
		answer(w, http.StatusOK, []map[string]any{{"email": email, "primary": true, "verified": true, "visibility": "private"}})
	})
	mux.HandleFunc("POST /credentials/revoke", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			answer(w, http.StatusForbidden, map[string]string{"message": "Must not be authenticated"})
			return
		}
		var body struct {
			Credentials []string `json:"credentials"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Credentials) == 0 || len(body.Credentials) > 1000 {
			answer(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation failed"})
			return
		}
		g.mu.Lock()
		for _, c := range body.Credentials {
			if _, ok := g.owners[c]; ok {
				g.revoked[c]++
				g.dead[c] = true
			}
		}
		g.mu.Unlock()
		answer(w, http.StatusAccepted, map[string]any{})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		g.tb.Errorf("GitHub fake: off-contract request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	return mux
}

// mailSink is an SMTP server on loopback that signals each recipient's first message.
type mailSink struct {
	host string
	port int

	mu      sync.Mutex
	waiting map[string]chan struct{}
	data    [][]byte
}

func startMailSink(b *testing.B) *mailSink {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &mailSink{waiting: map[string]chan struct{}{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &envelope{sink: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(l)
	b.Cleanup(func() { srv.Close() })
	addr := l.Addr().(*net.TCPAddr)
	s.host, s.port = addr.IP.String(), addr.Port
	return s
}

// await returns a channel closed when a message to rcpt has been accepted.
func (s *mailSink) await(rcpt string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := make(chan struct{})
	s.waiting[rcpt] = c
	return c
}

func (s *mailSink) received(rcpts []string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = append(s.data, data)
	for _, r := range rcpts {
		if c, ok := s.waiting[r]; ok {
			close(c)
			delete(s.waiting, r)
		}
	}
}

// checkNoToken fails when a message holds a raw token.
func (s *mailSink) checkNoToken(b *testing.B, tokens []string) {
	b.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	all := bytes.Join(s.data, nil)
	for _, tok := range tokens {
		if bytes.Contains(all, []byte(tok)) {
			b.Errorf("an email holds a raw token")
			return
		}
	}
}

// envelope is one SMTP session: the recipients of the message on its way.
type envelope struct {
	sink *mailSink
	to   []string
}

func (e *envelope) Reset()                                    { e.to = nil }
func (e *envelope) Logout() error                             { return nil }
func (e *envelope) Mail(string, *smtp.MailOptions) error      { return nil }
func (e *envelope) Rcpt(to string, _ *smtp.RcptOptions) error { e.to = append(e.to, to); return nil }

// Data accepts the message: the sink keeps it and wakes whoever awaits one of its recipients.
func (e *envelope) Data(r io.Reader) error {
	msg, err := io.ReadAll(r)
	if err == nil {
		e.sink.received(e.to, msg)
	}
	return err
}

// benchLog is the service's log handler in the benchmarks: it reports each finished scan on
// a channel and keeps the error lines, which fail the benchmark.
type benchLog struct {
	scanned chan string
	mu      sync.Mutex
	errs    []string
}

func (h *benchLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *benchLog) Handle(_ context.Context, r slog.Record) error {
	switch {
	case r.Message == "scanned":
		h.scanned <- r.Message
	case r.Level >= slog.LevelError:
		var sb strings.Builder
		sb.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			fmt.Fprintf(&sb, " %s=%v", a.Key, a.Value)
			return true
		})
		h.mu.Lock()
		h.errs = append(h.errs, sb.String())
		h.mu.Unlock()
	}
	return nil
}

func (h *benchLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *benchLog) WithGroup(string) slog.Handler      { return h }

func (h *benchLog) errors() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.errs)
}

// usage is the wall time and the CPU time (user+sys) of this process and of its waited-for
// children over a span.
type usage struct {
	wall, self, children time.Duration
}

func (u usage) cpu() time.Duration { return u.self + u.children }

type usageStart struct {
	at             time.Time
	self, children time.Duration
}

func startUsage() usageStart {
	return usageStart{at: time.Now(), self: rusage(syscall.RUSAGE_SELF), children: rusage(syscall.RUSAGE_CHILDREN)}
}

func (s usageStart) stop() usage {
	return usage{wall: time.Since(s.at), self: rusage(syscall.RUSAGE_SELF) - s.self, children: rusage(syscall.RUSAGE_CHILDREN) - s.children}
}

// rusage is the user+sys time getrusage(2) reports for who.
func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		panic(fmt.Sprintf("getrusage: %v", err)) // only with a bad who
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// medianUsage is the median of each figure.
func medianUsage(us []usage) usage {
	med := func(get func(usage) time.Duration) time.Duration {
		ds := make([]time.Duration, len(us))
		for i, u := range us {
			ds[i] = get(u)
		}
		return percentile(ds, 50)
	}
	return usage{
		wall:     med(func(u usage) time.Duration { return u.wall }),
		self:     med(func(u usage) time.Duration { return u.self }),
		children: med(func(u usage) time.Duration { return u.children }),
	}
}

// percentile is the nearest-rank p-th percentile of ds (the median of 20 is the 10th
// smallest, p95 the 19th).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100
	return s[max(rank, 1)-1]
}

// ghpToken is a synthetic GitHub classic PAT with a valid checksum, made at run time from
// seed.
func ghpToken(seed uint64) string {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	sum := sha256.Sum256(binary.LittleEndian.AppendUint64([]byte("bench token "), seed))
	body := make([]byte, 0, 30)
	for _, c := range sum[:30] {
		body = append(body, alnum[int(c)%len(alnum)])
	}
	return "ghp" + "_" + string(body) + detectors.CRC32Base62(body)
}

// benchGit runs git in dir without the user's or the system's config and returns its
// trimmed output.
func benchGit(b *testing.B, dir string, args ...string) string {
	b.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@contoso.example",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@contoso.example")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out))
}

func writeFile(b *testing.B, path, content string) {
	b.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
}
