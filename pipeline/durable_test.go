package pipeline_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

// mailServer is a real SMTP server on loopback whose answers the test scripts.
type mailServer struct {
	t    *testing.T
	addr string
	mu   sync.Mutex
	srv  *smtp.Server
	msgs []mailMsg
	// rcptErr, when set, answers RCPT TO for that recipient.
	rcptErr map[string]*smtp.SMTPError
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
	return nil
}
func (x *mailSession) Reset()        { x.rcpt = nil }
func (x *mailSession) Logout() error { return nil }

// start listens on addr ("127.0.0.1:0" for a new port) and serves until stop.
func (s *mailServer) start(addr string) {
	s.t.Helper()
	var l net.Listener
	var err error
	for i := 0; i < 50; i++ { // the old socket of a restart may linger briefly
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
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
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

type env struct {
	t      *testing.T
	dbPath string
	prov   *fakeProv
	mail   *mailServer
	clock  time.Time
	tok    secret.Token
	f      scanner.Finding
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dbPath: filepath.Join(t.TempDir(), "patrol.db"), prov: newFakeProv("github"), clock: now}
	e.mail = &mailServer{t: t, rcptErr: map[string]*smtp.SMTPError{}}
	e.mail.start("127.0.0.1:0")
	t.Cleanup(e.mail.stop)
	raw := "ghp_" + strings.Repeat("Zq9", 10) + "pipelineT" // not a real token format on purpose
	e.tok = secret.New(raw)
	d := time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)
	e.f = scanner.Finding{DetectorID: "github-classic-pat", Provider: "github", Confidence: "checksum",
		Fingerprint: secret.Fingerprint([]byte("k"), "github-classic-pat", e.tok), Redacted: "ghp_Zq9Z…", Secret: e.tok,
		Location: scanner.Location{Source: "git", Repository: "https://github.com/contoso/app", Commit: strings.Repeat("a", 40),
			Path: "ci/deploy.yml", Line: 3, Column: 9, AuthorName: "Dev", AuthorEmail: "dev@contoso.example", Date: &d}}
	return e
}

func (e *env) open() store.Store {
	e.t.Helper()
	st, err := store.Open(e.t.Context(), store.Config{Driver: store.DriverSQLite, DSN: e.dbPath})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

func (e *env) durable(st store.Store, mailer pipeline.Sender, stop bool) *pipeline.Durable {
	return pipeline.NewDurable(pipeline.DurableOptions{
		Store: st, Provs: map[string]revoke.Provider{"github": e.prov}, Policy: pipeline.Policy{Yes: true},
		Notify: notify.Config{SecurityTeam: "secops@contoso.example", AllowedDomains: []string{"contoso.example", "example.com"}},
		Mailer: mailer, Notifies: true, Actor: "test",
		Now:             func() time.Time { return e.clock },
		Backoff:         func(int) time.Duration { return time.Minute },
		StopAfterRevoke: stop,
	})
}

func (e *env) run(d *pipeline.Durable) []pipeline.Result {
	e.t.Helper()
	res, err := d.Run(e.t.Context(), []scanner.Finding{e.f})
	if err != nil {
		e.t.Fatalf("Run = %v", err)
	}
	return res
}

// assertNoSecret greps the database files, the audit log and every email for the raw token.
func (e *env) assertNoSecret(st store.Store) {
	e.t.Helper()
	raw := []byte(e.tok.Reveal())
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if b, err := os.ReadFile(e.dbPath + suffix); err == nil && bytes.Contains(b, raw) {
			e.t.Errorf("raw secret in %s", filepath.Base(e.dbPath+suffix))
		}
	}
	evs, _ := st.AuditLog(e.t.Context(), time.Time{}, 0)
	for _, ev := range evs {
		if strings.Contains(ev.Detail+ev.Target+ev.Result, e.tok.Reveal()) {
			e.t.Errorf("raw secret in audit event %+v", ev.Action)
		}
	}
	for _, m := range e.mail.received() {
		if bytes.Contains(m.data, raw) {
			e.t.Errorf("raw secret in an email")
		}
	}
}

func TestDurableRevokesAndMailsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.open()
	defer st.Close()
	res := e.run(e.durable(st, e.mail.mailer(t), false))
	if r := res[0].Revocation; r == nil || r.Status != pipeline.StatusRevoked {
		t.Fatalf("revocation = %+v, want revoked", r)
	}
	msgs := e.mail.received()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2 (owner, security team)", len(msgs))
	}
	var owner parsedMail
	for _, m := range msgs {
		if m.rcpt[0] == "j@example.com" {
			owner = parseMail(t, m.data)
		}
	}
	for _, want := range []string{"ghp_Zq9Z…", "ci/deploy.yml", "contoso/app", "revoked"} {
		if !strings.Contains(owner.text, want) || !strings.Contains(owner.html, want) {
			t.Errorf("owner email text/html lacks %q\ntext: %s", want, owner.text)
		}
	}
	if owner.subject == "" {
		t.Errorf("owner email has no subject")
	}
	got, _ := st.Finding(t.Context(), e.f.Fingerprint)
	if got.State != store.StateNotified {
		t.Errorf("state = %s, want notified", got.State)
	}

	// A second scan that sees the same token does nothing new.
	e.clock = e.clock.Add(time.Hour)
	e.run(e.durable(st, e.mail.mailer(t), false))
	if n := len(e.mail.received()); n != 2 {
		t.Errorf("second run: %d emails in all, want still 2", n)
	}
	if n := e.prov.counts(e.prov.revokes)[e.tok.Reveal()]; n != 1 {
		t.Errorf("revoked %d times, want once", n)
	}
	if n := e.prov.counts(e.prov.verifies)[e.tok.Reveal()]; n != 1 {
		t.Errorf("verified %d times, want once", n)
	}
	evs, _ := st.AuditLog(t.Context(), time.Time{}, 0)
	actions := map[string]int{}
	for _, ev := range evs {
		actions[ev.Action]++
	}
	for _, a := range []string{"detect", "verify", "revoke_attempt", "revoke", "notify_queued", "notify"} {
		if actions[a] == 0 {
			t.Errorf("audit log has no %s event: %v", a, actions)
		}
	}
	e.assertNoSecret(st)
}

func TestDurableSMTPDownThenUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.open()
	defer st.Close()
	addr := e.mail.addr
	mailer := e.mail.mailer(t)
	e.mail.stop() // SMTP down
	e.run(e.durable(st, mailer, false))
	msgs, _ := st.Messages(t.Context(), e.f.Fingerprint)
	if len(msgs) != 2 {
		t.Fatalf("%d queued messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		if m.Status != store.StatusPending || m.LastError == "" {
			t.Errorf("message to %s: status %s, error %q; want pending with the error", m.Recipient, m.Status, m.LastError)
		}
	}
	e.mail.start(addr) // up again, same address
	d := e.durable(st, mailer, false)
	if err := d.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.received()); n != 0 {
		t.Errorf("delivered %d before the retry time", n)
	}
	e.clock = e.clock.Add(2 * time.Minute)
	if err := d.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.received()); n != 2 {
		t.Errorf("delivered %d emails after SMTP came back, want 2 (once each)", n)
	}
	e.assertNoSecret(st)
}

func TestDurableSMTPTemporaryAndPermanent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.open()
	defer st.Close()
	e.mail.rcptErr["j@example.com"] = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox busy, try later"}
	e.mail.rcptErr["secops@contoso.example"] = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	mailer := e.mail.mailer(t)
	e.run(e.durable(st, mailer, false))
	byRcpt := map[string]store.Message{}
	msgs, _ := st.Messages(t.Context(), e.f.Fingerprint)
	for _, m := range msgs {
		byRcpt[m.Recipient] = m
	}
	if m := byRcpt["j@example.com"]; m.Status != store.StatusPending || !strings.Contains(m.LastError, "busy") {
		t.Errorf("4xx: status %s error %q, want pending for retry", m.Status, m.LastError)
	}
	if m := byRcpt["secops@contoso.example"]; m.Status != store.StatusFailed || !strings.Contains(m.LastError, "No such user") {
		t.Errorf("5xx: status %s error %q, want failed with the server's reason", m.Status, m.LastError)
	}
	// The mailbox frees up: the retry delivers, the failed one stays failed.
	e.mail.mu.Lock()
	delete(e.mail.rcptErr, "j@example.com")
	e.mail.mu.Unlock()
	e.clock = e.clock.Add(2 * time.Minute)
	if err := e.durable(st, mailer, false).Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := e.mail.received(); len(got) != 1 || got[0].rcpt[0] != "j@example.com" {
		t.Errorf("after retry: %d emails, want 1 to the owner", len(got))
	}
}

func TestDurableCrashBetweenRevokeAndEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.open()
	_, err := e.durable(st, e.mail.mailer(t), true).Run(t.Context(), []scanner.Finding{e.f})
	if !errors.Is(err, pipeline.ErrStopped) {
		t.Fatalf("Run = %v, want ErrStopped", err)
	}
	st.Close() // the process dies

	st = e.open() // a new process, same SQLite file
	defer st.Close()
	e.clock = e.clock.Add(time.Minute)
	e.run(e.durable(st, e.mail.mailer(t), false))
	if n := e.prov.counts(e.prov.revokes)[e.tok.Reveal()]; n != 1 {
		t.Errorf("revoked %d times across the crash, want once", n)
	}
	if n := len(e.mail.received()); n != 2 {
		t.Errorf("%d emails after restart, want 2 (owner and security team, once each)", n)
	}
	e.run(e.durable(st, e.mail.mailer(t), false))
	if n := len(e.mail.received()); n != 2 {
		t.Errorf("%d emails after another run, want still 2", n)
	}
	e.assertNoSecret(st)
}

func TestDurableUnknownIsRetriedLater(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.open()
	defer st.Close()
	e.prov.mu.Lock()
	e.prov.status[e.tok.Reveal()] = revoke.StatusUnknown
	e.prov.mu.Unlock()
	e.run(e.durable(st, e.mail.mailer(t), false))
	e.run(e.durable(st, e.mail.mailer(t), false)) // not due yet: no second check
	if n := e.prov.counts(e.prov.verifies)[e.tok.Reveal()]; n != 1 {
		t.Errorf("verified %d times before the retry time, want 1", n)
	}
	e.prov.mu.Lock()
	delete(e.prov.status, e.tok.Reveal()) // the provider answers again: live
	e.prov.mu.Unlock()
	e.clock = e.clock.Add(2 * time.Minute)
	e.run(e.durable(st, e.mail.mailer(t), false))
	if n := e.prov.counts(e.prov.revokes)[e.tok.Reveal()]; n != 1 {
		t.Errorf("revoked %d times after the retry, want 1", n)
	}
	if n := len(e.mail.received()); n != 2 {
		t.Errorf("%d emails, want 2", n)
	}
}

func TestDurableWebhookOutbox(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.open()
	defer st.Close()
	var mu sync.Mutex
	posts, fail := 0, true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook got %s %s", r.Method, r.Header.Get("Content-Type"))
		}
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(e.tok.Reveal())) || !bytes.Contains(body, []byte(`"text"`)) {
			t.Errorf("webhook body = %s", body)
		}
		mu.Lock()
		defer mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		posts++
	}))
	defer srv.Close()
	hook, err := notify.NewWebhook(notify.WebhookConfig{URL: srv.URL + "/hooks/T000/B000/secret"}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	newD := func() *pipeline.Durable {
		return pipeline.NewDurable(pipeline.DurableOptions{
			Store: st, Provs: map[string]revoke.Provider{"github": e.prov}, Policy: pipeline.Policy{Yes: true},
			Notify: notify.Config{SecurityTeam: "secops@contoso.example", AllowedDomains: []string{"example.com"}},
			Mailer: e.mail.mailer(t), Webhook: hook, Notifies: true,
			Now:     func() time.Time { return e.clock },
			Backoff: func(int) time.Duration { return time.Minute },
		})
	}
	e.run(newD()) // the chat is down: 503, kept for a retry
	msgs, _ := st.Messages(t.Context(), e.f.Fingerprint)
	var wh store.Message
	for _, m := range msgs {
		if m.Channel == pipeline.ChannelWebhook {
			wh = m
		}
	}
	if wh.Status != store.StatusPending || !strings.Contains(wh.LastError, "503") || strings.Contains(wh.LastError, "secret") {
		t.Errorf("webhook message: status %s, error %q; want pending, 503, no URL", wh.Status, wh.LastError)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	e.clock = e.clock.Add(2 * time.Minute)
	for range 2 {
		if err := newD().Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if posts != 1 {
		t.Errorf("webhook posted %d times, want once", posts)
	}
}

func TestDurableDryRunThenRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.open()
	defer st.Close()
	dryOpts := pipeline.NewDurable(pipeline.DurableOptions{
		Store: st, Provs: map[string]revoke.Provider{"github": e.prov}, Policy: pipeline.Policy{},
		Notify: notify.Config{SecurityTeam: "secops@contoso.example", AllowedDomains: []string{"contoso.example", "example.com"}},
		Mailer: e.mail.mailer(t), Notifies: true, Now: func() time.Time { return e.clock },
		Backoff: func(int) time.Duration { return time.Minute },
	})
	res := e.run(dryOpts)
	if r := res[0].Revocation; r == nil || r.Status != pipeline.StatusDryRun {
		t.Fatalf("first run revocation = %+v, want dry_run", r)
	}
	if n := e.prov.counts(e.prov.revokes)[e.tok.Reveal()]; n != 0 {
		t.Fatalf("dry run revoked %d times", n)
	}
	if n := len(e.mail.received()); n != 2 {
		t.Fatalf("%d emails after the dry run, want 2 (token still live)", n)
	}
	// Policy now allows it: the next scan that sees the token re-verifies and revokes it.
	e.clock = e.clock.Add(time.Hour)
	res = e.run(e.durable(st, e.mail.mailer(t), false))
	if r := res[0].Revocation; r == nil || r.Status != pipeline.StatusRevoked {
		t.Fatalf("second run revocation = %+v, want revoked", r)
	}
	if n := e.prov.counts(e.prov.revokes)[e.tok.Reveal()]; n != 1 {
		t.Errorf("revoked %d times, want once", n)
	}
	if n := len(e.mail.received()); n != 4 {
		t.Errorf("%d emails in all, want 4 (not revoked, then revoked, to owner and security team)", n)
	}
	e.run(e.durable(st, e.mail.mailer(t), false))
	if n := e.prov.counts(e.prov.revokes)[e.tok.Reveal()]; n != 1 {
		t.Errorf("third run revoked again: %d", n)
	}
}
