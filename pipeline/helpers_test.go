package pipeline_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

var now = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

var fpKey = []byte("test-key")

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func random(n int) string {
	var b strings.Builder
	for range n {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(base62))))
		if err != nil {
			panic(err)
		}
		b.WriteByte(base62[i.Int64()])
	}
	return b.String()
}

// ghToken returns a checksum-valid synthetic GitHub classic token, built at run time.
func ghToken() secret.Token {
	body := random(30)
	return secret.New("ghp" + "_" + body + detectors.CRC32Base62([]byte(body)))
}

// randTok returns a synthetic token of no real format, for providers faked in memory.
func randTok(prefix string) string { return prefix + "-synthetic-" + random(24) }

// clock is a fake clock; Sleep advances it without waiting.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{t: now} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

// fakeProv is an in-memory provider that counts calls per token. A token it revoked answers
// dead afterwards (after liveAfter[tok] more live answers, as Azure DevOps does while a
// revocation propagates).
type fakeProv struct {
	name string

	mu        sync.Mutex
	verifies  map[string]int
	revokes   map[string]int
	status    map[string]revoke.Status // before revocation; default live
	revokeErr map[string]error
	liveAfter map[string]int
	revoked   map[string]bool
	delay     time.Duration
	// hook, when set, runs at "before" (prior to the revocation) and "after" (once the
	// provider revoked the token, before Revoke returns): a test ends the run there.
	hook func(stage string)
	// onDead runs when a revoked token first answers dead.
	onDead func(tok string)
}

func newFakeProv(name string) *fakeProv {
	return &fakeProv{name: name, verifies: map[string]int{}, revokes: map[string]int{}, status: map[string]revoke.Status{},
		revokeErr: map[string]error{}, liveAfter: map[string]int{}, revoked: map[string]bool{}}
}

func (f *fakeProv) Name() string { return f.name }

func (f *fakeProv) Verify(ctx context.Context, tok secret.Token, h revoke.Hints) (revoke.Verification, error) {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	raw := tok.Reveal()
	f.verifies[raw]++
	st, ok := f.status[raw]
	if !ok {
		st = revoke.StatusLive
	}
	if f.revoked[raw] {
		st = revoke.StatusDead
		if f.liveAfter[raw] > 0 {
			f.liveAfter[raw]--
			st = revoke.StatusLive
		} else if f.onDead != nil {
			f.onDead(raw)
			f.onDead = nil
		}
	}
	v := revoke.Verification{Status: st, CheckedAt: now}
	switch st {
	case revoke.StatusLive:
		v.Identity = revoke.Identity{ID: "u1", Login: "jdoe", Email: "j@example.com", Org: "acme"}
	case revoke.StatusUnknown:
		return v, &revoke.APIError{Provider: f.name, Op: "GET /x", StatusCode: 503}
	}
	return v, nil
}

func (f *fakeProv) Revoke(ctx context.Context, tok secret.Token, v revoke.Verification) error {
	if f.hook != nil {
		f.hook("before")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	raw := tok.Reveal()
	f.revokes[raw]++
	err := f.revokeErr[raw]
	if err == nil || errors.Is(err, revoke.ErrAmbiguous) && strings.Contains(err.Error(), "revoke_all") {
		f.revoked[raw] = err == nil
	}
	f.mu.Unlock()
	if f.hook != nil {
		f.hook("after")
	}
	return err
}

func (f *fakeProv) counts(which string) map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.verifies
	if which == "revokes" {
		m = f.revokes
	}
	out := map[string]int{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (f *fakeProv) set(fn func(f *fakeProv)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// batchProv also revokes in batches.
type batchProv struct {
	*fakeProv
	bmu     sync.Mutex
	batches [][]string
}

func (b *batchProv) RevokeBatch(ctx context.Context, ts []revoke.Target) []error {
	var toks []string
	errs := make([]error, len(ts))
	for i, t := range ts {
		toks = append(toks, t.Token.Reveal())
		errs[i] = b.Revoke(ctx, t.Token, t.Verification)
	}
	b.bmu.Lock()
	b.batches = append(b.batches, toks)
	b.bmu.Unlock()
	return errs
}

// detailProv explains its revocations.
type detailProv struct{ *fakeProv }

func (d detailProv) RevokeDetail(ctx context.Context, tok secret.Token, v revoke.Verification) (string, error) {
	return "revoked 2 PAT(s): policy ambiguous: revoke_all", d.Revoke(ctx, tok, v)
}

// finding is a scanner finding of a synthetic token for provider.
func finding(provider, tok, repo string) scanner.Finding {
	t := secret.New(tok)
	return scanner.Finding{
		DetectorID: provider + "-token", Provider: provider, Fingerprint: secret.Fingerprint(fpKey, provider+"-token", t),
		Redacted: secret.Preview(t, len(provider)), Secret: t,
		Location: scanner.Location{Source: scanner.SourceGit, Repository: repo, Path: "a.env", Line: 1, Column: 1},
	}
}

// mailServer is a real SMTP server on loopback whose answers the test scripts.
type mailServer struct {
	t    *testing.T
	addr string
	mu   sync.Mutex
	srv  *smtp.Server
	msgs []mailMsg
	// rcptErr, when set, answers RCPT TO for that recipient.
	rcptErr map[string]*smtp.SMTPError
	// onData runs for each accepted message.
	onData func(rcpt []string, data []byte)
}

type mailMsg struct {
	rcpt []string
	data []byte
}

type mailSession struct {
	s    *mailServer
	rcpt []string
}

func (x *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if e := x.s.rcptErr[to]; e != nil {
		return e
	}
	x.rcpt = append(x.rcpt, to)
	return nil
}
func (x *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.msgs = append(x.s.msgs, mailMsg{rcpt: x.rcpt, data: b})
	if x.s.onData != nil {
		x.s.onData(x.rcpt, b)
	}
	return nil
}
func (x *mailSession) Reset()        { x.rcpt = nil }
func (x *mailSession) Logout() error { return nil }

func newMailServer(t *testing.T) *mailServer {
	s := &mailServer{t: t, rcptErr: map[string]*smtp.SMTPError{}}
	s.start("127.0.0.1:0")
	t.Cleanup(s.stop)
	return s
}

// start listens on addr ("127.0.0.1:0" for a new port) and serves until stop.
func (s *mailServer) start(addr string) {
	s.t.Helper()
	var l net.Listener
	var err error
	for range 50 { // the old socket of a restart may linger briefly
		if l, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.addr = l.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	s.srv = srv
	go srv.Serve(l)
}

func (s *mailServer) stop() { s.srv.Close() }

func (s *mailServer) received() []mailMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]mailMsg(nil), s.msgs...)
}

func (s *mailServer) mailer(t *testing.T) *notify.Mailer {
	host, port, _ := net.SplitHostPort(s.addr)
	p, _ := strconv.Atoi(port)
	m, err := notify.NewMailer(notify.SMTPConfig{Host: host, Port: p, From: "patrol <patrol@contoso.example>", TLS: "none", Timeout: notify.Duration(2 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// parsedMail is an email as a client sees it.
type parsedMail struct {
	to, subject, text, html string
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	out := parsedMail{to: m.Header.Get("To"), subject: subject}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type: %v", err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		body, _ := io.ReadAll(decodeQP(p))
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			out.text = string(body)
		case strings.HasPrefix(ct, "text/html"):
			out.html = string(body)
		}
	}
	return out
}

func decodeQP(p *multipart.Part) io.Reader {
	// multipart.Part decodes quoted-printable itself; base64 parts are decoded here.
	if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
		return base64Reader(p)
	}
	return p
}

// env is one store file, one provider, one SMTP server and one clock, shared by the
// "processes" (Pipelines) of a test.
type env struct {
	t      *testing.T
	dbPath string
	prov   *fakeProv
	mail   *mailServer
	clock  *clock
	tok    secret.Token
	f      scanner.Finding
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dbPath: filepath.Join(t.TempDir(), "patrol.db"), prov: newFakeProv("github"), clock: newClock()}
	e.mail = newMailServer(t)
	e.tok = ghToken()
	d := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	e.f = scanner.Finding{DetectorID: "github-classic-pat", Provider: "github", Confidence: "checksum",
		Fingerprint: secret.Fingerprint(fpKey, "github-classic-pat", e.tok), Redacted: secret.Preview(e.tok, 4), Secret: e.tok,
		Location: scanner.Location{Source: "git", Repository: "https://github.com/contoso/app", Commit: strings.Repeat("a", 40),
			Path: "ci/deploy.yml", Line: 3, Column: 9, AuthorName: "Dev", AuthorEmail: "dev@contoso.example", Date: &d}}
	return e
}

// open opens the store file, as a new process would.
func (e *env) open() store.Store {
	e.t.Helper()
	st, err := store.Open(e.t.Context(), store.Config{Driver: store.DriverSQLite, DSN: e.dbPath, Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// session opens the store file for the rest of the test.
func (e *env) session() store.Store {
	e.t.Helper()
	st := e.open()
	e.t.Cleanup(func() { st.Close() })
	return st
}

// options are the Options of a pipeline on st with --yes, mail and the env's provider.
func (e *env) options(st store.Store, mailer pipeline.Sender) pipeline.Options {
	mem := &pipeline.Memory{}
	mem.Add(e.f)
	return pipeline.Options{
		Store: st, Provs: map[string]revoke.Provider{"github": e.prov}, Policy: pipeline.Policy{Yes: true},
		Notify: notify.Config{SecurityTeam: "secops@contoso.example", AllowedDomains: []string{"contoso.example", "example.com"}},
		Mailer: mailer, Actor: "test", Tokens: mem,
		Now: e.clock.Now, Sleep: e.clock.Sleep,
		Backoff: func(int) time.Duration { return time.Minute },
	}
}

func (e *env) pipeline(st store.Store, mailer pipeline.Sender) *pipeline.Pipeline {
	return pipeline.New(e.options(st, mailer))
}

// run is one CLI run that does not wait: record the scan's findings, then drain them.
func (e *env) run(p *pipeline.Pipeline, fs ...scanner.Finding) []store.Finding {
	e.t.Helper()
	if len(fs) == 0 {
		fs = []scanner.Finding{e.f}
	}
	stored, err := p.Record(e.t.Context(), fs, nil)
	if err != nil {
		e.t.Fatalf("Record = %v", err)
	}
	fps := make([]string, len(stored))
	for i, f := range stored {
		fps[i] = f.Fingerprint
	}
	if err := p.Drain(e.t.Context(), fps, e.clock.Now()); err != nil {
		e.t.Fatalf("Drain = %v", err)
	}
	return e.reread(stored)
}

func (e *env) reread(fs []store.Finding) []store.Finding {
	e.t.Helper()
	st := e.session()
	out := make([]store.Finding, len(fs))
	for i, f := range fs {
		var err error
		if out[i], err = st.Finding(e.t.Context(), f.Fingerprint); err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

// assertRevokedOnce checks that the env's token was revoked exactly once and that emails
// emails were accepted in all.
func (e *env) assertRevokedOnce(emails int) {
	e.t.Helper()
	if n := e.prov.counts("revokes")[e.tok.Reveal()]; n != 1 {
		e.t.Errorf("revoked %d times, want once", n)
	}
	if n := len(e.mail.received()); n != emails {
		e.t.Errorf("%d emails, want %d", n, emails)
	}
}

// auditCount counts the audit rows of each action.
func auditCount(t *testing.T, st store.Store) map[string]int {
	t.Helper()
	evs, err := st.AuditLog(t.Context(), time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, ev := range evs {
		out[ev.Action]++
	}
	return out
}

// assertNoSecret greps the database files, the audit log and every email for the raw token.
func (e *env) assertNoSecret(st store.Store, toks ...secret.Token) {
	e.t.Helper()
	toks = append(toks, e.tok)
	for _, tok := range toks {
		raw := []byte(tok.Reveal())
		noTokenInFiles(e.t, e.dbPath, tok)
		evs, _ := st.AuditLog(e.t.Context(), time.Time{}, 0)
		for _, ev := range evs {
			if strings.Contains(ev.Detail+ev.Target+ev.Result, tok.Reveal()) {
				e.t.Errorf("raw secret in audit event %+v", ev.Action)
			}
		}
		for _, m := range e.mail.received() {
			if bytes.Contains(m.data, raw) {
				e.t.Errorf("raw secret in an email")
			}
		}
	}
}

// noTokenInFiles greps the database file and its WAL for the raw token.
func noTokenInFiles(t *testing.T, dbPath string, tok secret.Token) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(dbPath + suffix); err == nil && bytes.Contains(b, []byte(tok.Reveal())) {
			t.Errorf("raw secret in %s", filepath.Base(dbPath+suffix))
		}
	}
}

func slogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
