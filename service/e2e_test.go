package service_test

// The end-to-end tests of patrol serve run the real Service in process against real parts:
// git repositories built here with the git binary (served over loopback by git http-backend
// when a test needs https-like remotes), a real SQLite file, River on that file, httptest fakes
// of GitHub that answer only the documented method, path and headers, and a go-smtp server on
// loopback. This file holds what they share.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"net"
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
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/service"
	"github.com/patrolsec/patrol/service/alerts"
	"github.com/patrolsec/patrol/service/alerts/alerttest"
	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/service/targets"
	"github.com/patrolsec/patrol/store"
)

// waitFor polls cond until it holds or the deadline passes; there is no other waiting in
// these tests.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: still waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ghToken builds a synthetic classic GitHub PAT with a valid checksum (PROVIDERS.md §2.1):
// 30 random characters (rand.Text's base32 alphabet is within base62) and their CRC32 in
// base62.
func ghToken(t *testing.T) string {
	t.Helper()
	b := []byte((rand.Text() + rand.Text())[:30])
	return "ghp_" + string(b) + detectors.CRC32Base62(b)
}

// upstream is a bare repository on disk, the "remote" a test pushes to from its own work tree
// with the git binary.
type upstream struct {
	t          *testing.T
	bare, work string
}

// gitEnv keeps the tests' git away from the user's and the system's configuration.
func gitEnv(home string) []string {
	return append(os.Environ(), "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@contoso.example",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@contoso.example", "GIT_TERMINAL_PROMPT=0")
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// newUpstream makes root/name, a bare repository with branch main, and a work tree to push
// from.
func newUpstream(t *testing.T, root, name string) *upstream {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	u := &upstream{t: t, bare: filepath.Join(root, name), work: t.TempDir()}
	if err := os.MkdirAll(u.bare, 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, u.bare, "init", "-q", "--bare", "-b", "main")
	runGit(t, u.work, "init", "-q", "-b", "main")
	runGit(t, u.work, "remote", "add", "origin", u.bare)
	return u
}

// commit writes files into the work tree and commits them on the current branch; it returns
// the commit id.
func (u *upstream) commit(msg string, files map[string]string) string {
	u.t.Helper()
	for name, content := range files {
		p := filepath.Join(u.work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			u.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			u.t.Fatal(err)
		}
	}
	runGit(u.t, u.work, "add", "-A")
	runGit(u.t, u.work, "commit", "-q", "--allow-empty", "-m", msg)
	return u.git("rev-parse", "HEAD")
}

// git runs git in the work tree.
func (u *upstream) git(args ...string) string {
	u.t.Helper()
	return runGit(u.t, u.work, args...)
}

// push pushes refspecs to the bare repository.
func (u *upstream) push(refspecs ...string) {
	u.t.Helper()
	runGit(u.t, u.work, append([]string{"push", "-q", "origin"}, refspecs...)...)
}

// refs returns the bare repository's refs, as a cursor holds them.
func (u *upstream) refs() map[string]string {
	u.t.Helper()
	out := map[string]string{}
	for line := range strings.Lines(runGit(u.t, u.bare, "for-each-ref", "--format=%(refname) %(objectname)")) {
		ref, sha, _ := strings.Cut(strings.TrimSpace(line), " ")
		out[ref] = sha
	}
	return out
}

// blob returns the id and size of a blob in the work tree's HEAD.
func (u *upstream) blob(path string) (string, int64) {
	u.t.Helper()
	id := u.git("rev-parse", "HEAD:"+path)
	n, err := strconv.ParseInt(u.git("cat-file", "-s", id), 10, 64)
	if err != nil {
		u.t.Fatal(err)
	}
	return id, n
}

// fileURL is the file:// URL of the bare repository.
func (u *upstream) fileURL() string { return "file://" + filepath.ToSlash(u.bare) }

// gitServer serves the bare repositories under root over loopback HTTP with git's smart
// protocol (git http-backend through net/http/cgi), fetches only. With a password, every
// request must carry it as HTTP Basic credentials, as a host's clone endpoint does. hold,
// when set, is called with each fetch request before it is served.
func gitServer(t *testing.T, root, password string, hold func(*http.Request)) *httptest.Server {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git binary not installed")
	}
	backend := &cgi.Handler{Path: gitPath, Args: []string{"http-backend"}, Dir: root,
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetch := r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/info/refs") && r.URL.Query().Get("service") == "git-upload-pack" ||
			r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-upload-pack")
		if !fetch {
			t.Errorf("git server: unexpected %s %s (fetches only)", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if password != "" {
			if _, pw, ok := r.BasicAuth(); !ok || pw != password {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		}
		if hold != nil {
			hold(r)
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// githubAPI plays the GitHub endpoints patrol's github provider uses, as PROVIDERS.md §2.2–2.4
// documents them: GET /user and GET /user/emails with the token as bearer, POST
// /credentials/revoke without any Authorization. Anything else is a 404 and a test failure.
type githubAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	live    map[string]bool
	checks  map[string]int // GET /user per token
	revokes map[string]int // POST /credentials/revoke per token
	// unavailable is how many more GET /user calls answer 503 before the real answer.
	unavailable int
	// noEmail answers GET /user/emails with no address: the issuer names no owner's email.
	noEmail bool
	// hold, when set, is called by GET /user before it answers (outside the lock).
	hold func()
}

func newGitHubAPI(t *testing.T) *githubAPI {
	g := &githubAPI{t: t, live: map[string]bool{}, checks: map[string]int{}, revokes: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /user", g.user)
	mux.HandleFunc("GET /user/emails", g.emails)
	mux.HandleFunc("POST /credentials/revoke", g.revoke)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("github fake: off-contract %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func (g *githubAPI) token(r *http.Request) string {
	if v := r.Header.Get("X-GitHub-Api-Version"); v != "2022-11-28" {
		g.t.Errorf("github fake: %s %s: X-GitHub-Api-Version = %q", r.Method, r.URL.Path, v)
	}
	a := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(a, "Bearer "); ok {
		return tok
	}
	tok, _ := strings.CutPrefix(a, "token ")
	return tok
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (g *githubAPI) user(w http.ResponseWriter, r *http.Request) {
	tok := g.token(r)
	if g.hold != nil {
		g.hold()
	}
	g.mu.Lock()
	g.checks[tok]++
	down := g.unavailable > 0
	if down {
		g.unavailable--
	}
	live := g.live[tok]
	g.mu.Unlock()
	switch {
	case down:
		reply(w, http.StatusServiceUnavailable, map[string]string{"message": "Service Unavailable"})
	case !live:
		reply(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
	default:
		reply(w, http.StatusOK, map[string]any{"login": "octo", "id": 42, "type": "User", "name": "Octo Cat", "email": nil})
	}
}

func (g *githubAPI) emails(w http.ResponseWriter, r *http.Request) {
	tok := g.token(r)
	g.mu.Lock()
	live, noEmail := g.live[tok], g.noEmail
	g.mu.Unlock()
	if !live {
		reply(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	if noEmail {
		reply(w, http.StatusOK, []map[string]any{})
		return
	}
	reply(w, http.StatusOK, []map[string]any{{"email": "octo@contoso.example", "primary": true, "verified": true, "visibility": "private"}})
}

func (g *githubAPI) revoke(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		reply(w, http.StatusForbidden, map[string]string{"message": "Must not be authenticated"})
		return
	}
	var body struct {
		Credentials []string `json:"credentials"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Credentials) == 0 || len(body.Credentials) > 1000 {
		reply(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation failed"})
		return
	}
	g.mu.Lock()
	for _, c := range body.Credentials {
		g.revokes[c]++
		g.live[c] = false
	}
	g.mu.Unlock()
	reply(w, http.StatusAccepted, map[string]any{})
}

// counts returns the live checks and revocations of tok.
func (g *githubAPI) counts(tok string) (checks, revokes int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.checks[tok], g.revokes[tok]
}

// mailbox is a real SMTP server on loopback that keeps every message it accepts.
type mailbox struct {
	host string
	port int

	mu   sync.Mutex
	mail []mail
}

type mail struct {
	to   []string
	data string
}

type mailSession struct {
	box *mailbox
	to  []string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.box.mu.Lock()
	s.box.mail = append(s.box.mail, mail{to: s.to, data: string(b)})
	s.box.mu.Unlock()
	return err
}
func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	box := &mailbox{host: "127.0.0.1", port: l.Addr().(*net.TCPAddr).Port}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: box}, nil }))
	srv.Domain, srv.ReadTimeout, srv.WriteTimeout = "localhost", 5*time.Second, 5*time.Second
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return box
}

// messages returns what the server accepted so far.
func (b *mailbox) messages() []mail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.mail)
}

// logRecorder is a slog.Handler that keeps every record's message and attributes: the tests
// read what a scan logged (its blob and byte counts) instead of widening the API for it.
type logRecorder struct {
	mu    *sync.Mutex
	recs  *[]logRecord
	attrs []slog.Attr
}

type logRecord struct {
	msg   string
	attrs map[string]slog.Value
	text  string // everything, for leak checks
}

func newLogRecorder() *logRecorder { return &logRecorder{mu: &sync.Mutex{}, recs: &[]logRecord{}} }

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logRecorder{mu: l.mu, recs: l.recs, attrs: append(slices.Clone(l.attrs), as...)}
}

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{msg: r.Message, attrs: map[string]slog.Value{}}
	var b strings.Builder
	b.WriteString(r.Message)
	add := func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.Resolve()
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Resolve())
		return true
	}
	for _, a := range l.attrs {
		add(a)
	}
	r.Attrs(add)
	rec.text = b.String()
	l.mu.Lock()
	*l.recs = append(*l.recs, rec)
	l.mu.Unlock()
	return nil
}

// records returns the records logged with message msg.
func (l *logRecorder) records(msg string) []logRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logRecord
	for _, r := range *l.recs {
		if r.msg == msg {
			out = append(out, r)
		}
	}
	return out
}

// text returns every record as text.
func (l *logRecorder) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, r := range *l.recs {
		b.WriteString(r.text + "\n")
	}
	return b.String()
}

// scanned returns the blob and byte counts of the scans of repo, in order, as the service
// logged them.
func (l *logRecorder) scanned(repo string) (blobs, bytes []int64) {
	for _, r := range l.records("scanned") {
		if r.attrs["repo"].String() == repo {
			blobs = append(blobs, r.attrs["blobs"].Int64())
			bytes = append(bytes, r.attrs["bytes"].Int64())
		}
	}
	return blobs, bytes
}

// rigOptions choose what a test's service is made of.
type rigOptions struct {
	targets  []service.Target
	webhooks service.Webhooks
	// github serves the GitHub provider fake with revoke: true, and mails owners through a
	// loopback SMTP server.
	github bool
	// backoff is the pipeline's retry schedule (unknown verifications): short in tests.
	backoff time.Duration
	// now is the service's clock; nil means time.Now.
	now func() time.Time
	// alerts, when set, is the GitHub alert API the first target reads the alerts of
	// organization contoso from (alerts: true).
	alerts *alerttest.GitHub
	// noRevoke sets providers.github.revoke: false (policy forbids revoking).
	noRevoke bool
}

// rig is one in-process patrol serve: its store file, clone cache, metrics, fakes and log.
type rig struct {
	t        *testing.T
	dir      string
	dbPath   string
	cloneDir string
	st       store.Store
	reg      *prometheus.Registry
	svc      *service.Service
	log      *logRecorder
	gh       *githubAPI
	mail     *mailbox
}

// newRig builds the service as cmd/patrol's serve wires it, on a fresh SQLite file.
func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	ctx := t.Context()
	r := &rig{t: t, dir: t.TempDir(), log: newLogRecorder()}
	r.dbPath = filepath.Join(r.dir, "patrol.db")
	r.cloneDir = filepath.Join(r.dir, "repos")
	log := slog.New(r.log)
	st, err := store.Open(ctx, store.Config{DSN: r.dbPath})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.st = st
	key := []byte(rand.Text() + rand.Text())
	engine := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: key})

	r.reg = prometheus.NewRegistry()
	m, err := metrics.New(r.reg, metrics.Options{Version: "test", Log: log, PipelineCounts: service.PipelineCounts(st),
		OldestScan: func(ctx context.Context) (time.Time, error) {
			if r.svc == nil {
				return time.Time{}, nil
			}
			return r.svc.OldestScan(ctx)
		}})
	if err != nil {
		t.Fatal(err)
	}

	var pc providers.Config
	var nc notify.Config
	var mailer pipeline.Sender
	if o.github {
		r.gh, r.mail = newGitHubAPI(t), newMailbox(t)
		revoke := !o.noRevoke
		pc.GitHub = &providers.GitHubConfig{BaseConfig: providers.BaseConfig{BaseURL: r.gh.srv.URL + "/", Revoke: &revoke}}
		nc = notify.Config{SMTP: &notify.SMTPConfig{Host: r.mail.host, Port: r.mail.port, From: "patrol@contoso.example", TLS: "none"},
			AllowedDomains: []string{"contoso.example"}}
		mx, err := notify.NewMailer(*nc.SMTP)
		if err != nil {
			t.Fatal(err)
		}
		mailer = mx
	}
	// Without the fake, no provider at all: every other one would call its real API.
	var provs map[string]revoke.Provider
	if o.github {
		// One attempt per call: a 503 is the verdict unknown at once, for the pipeline to retry.
		all, err := providers.New(pc, providers.Options{Version: "test", Logger: log, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		provs = map[string]revoke.Provider{providers.GitHub: all[providers.GitHub]}
	}
	backoff := o.backoff
	if backoff <= 0 {
		backoff = time.Minute
	}
	// As cmd/patrol wires it: tokens read back from the mirror or the alert, and the alert
	// of a token that dies resolved by a job queued with the move.
	tokens := &pipeline.Rescan{Engine: engine, CloneDir: r.cloneDir}
	p := pipeline.New(pipeline.Options{
		Store: service.Observe(st, m, time.Now), Provs: provs, Notify: nc, Mailer: mailer,
		Policy: pipeline.Policy{Allowed: pc.RevokePolicy}, Actor: "patrol serve",
		Tokens: tokens, Logger: log,
		Backoff: func(int) time.Duration { return backoff },
		OnMove: func(ctx context.Context, tx store.Store, from store.State, f store.Finding) error {
			return r.svc.AfterMove(ctx, tx, from, f)
		},
	})
	if o.alerts != nil {
		c, err := alerts.NewGitHub(alerts.GitHubOptions{Org: "contoso", Token: secret.New(o.alerts.Token), BaseURL: o.alerts.URL + "/"},
			targets.Options{Logger: log, MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		o.targets = slices.Clone(o.targets)
		o.targets[0].Alerts = c
	}
	r.svc, err = service.New(service.Options{
		Store: st, Backend: service.Backend{SQLite: r.dbPath}, Pipeline: p, Engine: engine, FingerprintKey: key,
		Targets: o.targets, CloneDir: r.cloneDir,
		Workers: 2, Schedule: "@every 1h", Jitter: 20 * time.Millisecond, Webhooks: o.webhooks, Metrics: m,
		PipelineEvery: 100 * time.Millisecond, Poll: 20 * time.Millisecond, AlertRetry: 50 * time.Millisecond, Logger: log, Now: o.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	tokens.Alert = r.svc.AlertToken
	return r
}

// start runs the job queue until the test ends.
func (r *rig) start() {
	r.t.Helper()
	if err := r.svc.Start(r.t.Context()); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.svc.Stop(ctx); err != nil {
			r.t.Errorf("Stop = %v", err)
		}
	})
}

// cursor returns the stored cursor of a repository.
func (r *rig) cursor(repo string) store.Cursor {
	r.t.Helper()
	c, err := r.st.Cursor(context.Background(), repo)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// scrape GETs /metrics from the service's handler and parses it as the Prometheus text
// exposition format; it returns every sample by name{label="value",…} (labels sorted).
func (r *rig) scrape() map[string]float64 {
	r.t.Helper()
	h, err := r.svc.Handler()
	if err != nil {
		r.t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequestWithContext(r.t.Context(), http.MethodGet, srv.URL+"/metrics", nil)
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("GET /metrics = %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		r.t.Fatalf("/metrics is not Prometheus text exposition: %v", err)
	}
	return samples(slices.Collect(maps.Values(fams)))
}

// samples returns every sample of fams by name{label="value",…} (labels sorted): counters
// and gauges by value, histograms by their count.
func samples(fams []*dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			slices.Sort(labels)
			v := math.NaN()
			switch {
			case m.GetCounter() != nil:
				v = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				v = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				v = float64(m.GetHistogram().GetSampleCount())
			case m.GetUntyped() != nil:
				v = m.GetUntyped().GetValue()
			}
			out[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = v
		}
	}
	return out
}

// wantSeries checks samples of a scrape: each series must be exposed with its value.
func wantSeries(t *testing.T, got, want map[string]float64) {
	t.Helper()
	for series, w := range want {
		if g, ok := got[series]; !ok {
			t.Errorf("%s: not exposed", series)
		} else if g != w {
			t.Errorf("%s = %v, want %v", series, g, w)
		}
	}
}

// metric reads one sample from the registry (without HTTP), 0 when absent.
func (r *rig) metric(series string) float64 {
	r.t.Helper()
	fams, err := r.reg.Gather()
	if err != nil {
		r.t.Fatal(err)
	}
	return samples(fams)[series]
}

// noToken fails the test when the raw token is in the store file, its WAL, the log or mail.
func (r *rig) noToken(tok string) {
	r.t.Helper()
	places := map[string]string{"log": r.log.text()}
	for _, suffix := range []string{"", "-wal"} {
		b, _ := os.ReadFile(r.dbPath + suffix)
		places["store"+suffix] = string(b)
	}
	if r.mail != nil {
		for i, m := range r.mail.messages() {
			places[fmt.Sprintf("mail %d", i)] = m.data
		}
	}
	for where, s := range places {
		if strings.Contains(s, tok) {
			r.t.Errorf("the raw token is in the %s", where)
		}
	}
}
