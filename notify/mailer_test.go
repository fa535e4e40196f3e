package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"
)

// received is one message a test server accepted.
type received struct {
	From  string
	Rcpts []string
	Data  []byte
	User  string // who authenticated, "" for nobody
	TLS   bool   // whether the session was encrypted when DATA came
}

// serverOpts shape a test SMTP server.
type serverOpts struct {
	tls      string   // none (no STARTTLS offered), starttls (offered), implicit
	user     string   // AUTH credentials the backend accepts; "" turns AUTH off
	pass     string   //
	mechs    []string // AUTH mechanisms offered; PLAIN by default
	mail     func() error
	rcpt     func(to string) error
	data     func() error
	insecure bool // allow AUTH without TLS
	echo     bool // quote the credentials back in the AUTH failure, as a careless server might
}

// smtpServer is a real go-smtp server on 127.0.0.1 with a backend that keeps what it
// accepts.
type smtpServer struct {
	opts    serverOpts
	port    int
	pool    *x509.CertPool // trusts the server's certificate
	certPEM []byte

	mu   sync.Mutex
	msgs []received
	wire [][]byte // every DATA payload, accepted or not
}

func startSMTP(t *testing.T, o serverOpts) *smtpServer {
	t.Helper()
	s := &smtpServer{opts: o}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, c: c}, nil
	}))
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = o.insecure
	srv.ErrorLog = nopLogger{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.tls == TLSStartTLS || o.tls == TLSImplicit {
		cert, pool, pemBytes := selfSigned(t)
		s.pool, s.certPEM = pool, pemBytes
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if o.tls == TLSImplicit {
			ln = tls.NewListener(ln, srv.TLSConfig)
			srv.TLSConfig = nil // no STARTTLS inside TLS
		}
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}
func (nopLogger) Println(...any)        {}

type session struct {
	s    *smtpServer
	c    *smtp.Conn
	user string
	msg  received
}

func (x *session) AuthMechanisms() []string {
	if x.s.opts.user == "" {
		return nil
	}
	if x.s.opts.mechs != nil {
		return x.s.opts.mechs
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != x.s.opts.user || pass != x.s.opts.pass {
			msg := "Authentication credentials invalid for " + user
			if x.s.opts.echo {
				msg += ": " + pass + " " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass))
			}
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: msg}
		}
		x.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opts.user != "" && x.user == "" {
		return smtp.ErrAuthRequired
	}
	if f := x.s.opts.mail; f != nil {
		if err := f(); err != nil {
			return err
		}
	}
	x.msg.From = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if f := x.s.opts.rcpt; f != nil {
		if err := f(to); err != nil {
			return err
		}
	}
	x.msg.Rcpts = append(x.msg.Rcpts, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.wire = append(x.s.wire, b)
	x.s.mu.Unlock()
	if f := x.s.opts.data; f != nil {
		if err := f(); err != nil {
			return err
		}
	}
	_, x.msg.TLS = x.c.TLSConnectionState()
	x.msg.Data, x.msg.User = b, x.user
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, x.msg)
	x.s.mu.Unlock()
	x.msg = received{}
	return nil
}

func (x *session) Reset()        { x.msg = received{} }
func (x *session) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN (go-sasl has only the client).
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		if len(resp) > 0 { // initial response carries the username
			l.user, l.step = string(resp), 2
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(resp)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

// selfSigned makes a certificate for 127.0.0.1 and localhost, and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "patrol test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool, pemBytes
}

// mailerFor returns a Mailer pointed at s, with mode as its TLS setting and s's CA trusted.
func mailerFor(t *testing.T, s *smtpServer, mode string, edit func(*SMTPConfig)) *Mailer {
	t.Helper()
	cfg := SMTPConfig{Host: "127.0.0.1", Port: s.port, From: "patrol <patrol@contoso.com>", TLS: mode,
		Timeout: Duration(5 * time.Second)}
	if edit != nil {
		edit(&cfg)
	}
	var opts []Option
	if s.pool != nil {
		opts = append(opts, WithTLSConfig(&tls.Config{RootCAs: s.pool}))
	}
	opts = append(opts, WithClock(func() time.Time { return actionAt }), WithHELO("patrol.test"))
	m, err := NewMailer(cfg, opts...)
	if err != nil {
		t.Fatalf("NewMailer() error = %v", err)
	}
	return m
}

// renderedEmail renders leak() into an Email to the owner with the security team in cc.
func renderedEmail(t *testing.T) Email {
	t.Helper()
	subject, text, html, err := Render(leak())
	if err != nil {
		t.Fatal(err)
	}
	return Email{To: []string{"ada@contoso.com"}, Cc: []string{"secops@contoso.com"}, Subject: subject,
		Text: text, HTML: html, MessageID: "outbox-42@patrol.contoso.com"}
}

// parsed is a received message taken apart with net/mail and mime/multipart.
type parsed struct {
	header mail.Header
	text   string
	html   string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	p := parsed{header: m.Header}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v", err)
		}
		body, err := io.ReadAll(decodePart(t, part))
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")) // text is sent in canonical CRLF form
		ct, cparams, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if !strings.EqualFold(cparams["charset"], "utf-8") {
			t.Errorf("part %s charset = %q, want UTF-8", ct, cparams["charset"])
		}
		switch ct {
		case "text/plain":
			p.text = string(body)
		case "text/html":
			p.html = string(body)
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	return p
}

func decodePart(t *testing.T, p *multipart.Part) io.Reader {
	switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		return quotedprintable.NewReader(p)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, p)
	case "", "7bit", "8bit":
		return p
	}
	t.Fatalf("unexpected Content-Transfer-Encoding %q", p.Header.Get("Content-Transfer-Encoding"))
	return nil
}

func TestMailerSendDelivers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		server   serverOpts
		mode     string
		user     string
		pass     string
		wantTLS  bool
		wantUser string
	}{
		{name: "plain to loopback", server: serverOpts{tls: TLSNone}, mode: TLSNone},
		{name: "starttls", server: serverOpts{tls: TLSStartTLS}, mode: TLSStartTLS, wantTLS: true},
		{name: "implicit tls", server: serverOpts{tls: TLSImplicit}, mode: TLSImplicit, wantTLS: true},
		{name: "starttls auth plain", server: serverOpts{tls: TLSStartTLS, user: "patrol", pass: "s3cret-pw"},
			mode: TLSStartTLS, user: "patrol", pass: "s3cret-pw", wantTLS: true, wantUser: "patrol"},
		{name: "implicit auth login fallback",
			server: serverOpts{tls: TLSImplicit, user: "patrol", pass: "s3cret-pw", mechs: []string{sasl.Login}},
			mode:   TLSImplicit, user: "patrol", pass: "s3cret-pw", wantTLS: true, wantUser: "patrol"},
		{name: "auth plain on loopback without tls",
			server: serverOpts{tls: TLSNone, user: "patrol", pass: "s3cret-pw", insecure: true},
			mode:   TLSNone, user: "patrol", pass: "s3cret-pw", wantUser: "patrol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := startSMTP(t, tt.server)
			m := mailerFor(t, s, tt.mode, func(c *SMTPConfig) { c.Username, c.Password = tt.user, tt.pass })
			e := renderedEmail(t)
			if err := m.Send(t.Context(), e); err != nil {
				t.Fatalf("Send() error = %v", err)
			}
			msgs := s.messages()
			if len(msgs) != 1 {
				t.Fatalf("server got %d messages, want 1", len(msgs))
			}
			got := msgs[0]
			if got.From != "patrol@contoso.com" {
				t.Errorf("MAIL FROM = %q, want patrol@contoso.com", got.From)
			}
			if diff := cmp.Diff([]string{"ada@contoso.com", "secops@contoso.com"}, got.Rcpts); diff != "" {
				t.Errorf("RCPT TO mismatch (-want +got):\n%s", diff)
			}
			if got.TLS != tt.wantTLS {
				t.Errorf("TLS = %v, want %v", got.TLS, tt.wantTLS)
			}
			if got.User != tt.wantUser {
				t.Errorf("authenticated user = %q, want %q", got.User, tt.wantUser)
			}
			p := parse(t, got.Data)
			for h, want := range map[string]string{
				"From":           `"patrol" <patrol@contoso.com>`,
				"To":             "<ada@contoso.com>",
				"Cc":             "<secops@contoso.com>",
				"Message-Id":     "<outbox-42@patrol.contoso.com>",
				"Date":           "Thu, 20 Nov 2025 09:31:05 +0000",
				"Auto-Submitted": "auto-generated",
			} {
				if g := p.header.Get(h); g != want {
					t.Errorf("header %s = %q, want %q", h, g, want)
				}
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
			if err != nil || subject != e.Subject {
				t.Errorf("Subject = %q (%v), want %q", subject, err, e.Subject)
			}
			if p.text != e.Text {
				t.Errorf("text/plain part differs from Render():\n%s", cmp.Diff(e.Text, p.text))
			}
			if p.html != e.HTML {
				t.Errorf("text/html part differs from Render():\n%s", cmp.Diff(e.HTML, p.html))
			}
			for _, body := range []string{p.text, p.html} {
				if !strings.Contains(body, preview()) {
					t.Errorf("body lacks the redacted value %q", preview())
				}
			}
			assertNoSecret(t, "message on the wire", got.Data)
			assertNoSecret(t, "decoded parts", []byte(p.text+p.html))
		})
	}
}

func TestMailerSendFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		server    serverOpts
		mode      string
		edit      func(*SMTPConfig)
		email     func(*Email)
		ctx       func(context.Context) (context.Context, context.CancelFunc)
		noServer  bool
		untrusted bool // the mailer does not trust the server's certificate
		wantTemp  bool
		wantOp    string
		wantCode  int
		wantIn    []string // substrings of Error()
		wantRcpts []string
		wantIs    error
	}{
		{
			name:   "wrong password is permanent with the server's text",
			server: serverOpts{tls: TLSStartTLS, user: "patrol", pass: "right-pw"},
			mode:   TLSStartTLS, edit: func(c *SMTPConfig) { c.Username, c.Password = "patrol", "wrong-Pa55word" },
			wantOp: "auth", wantCode: 535,
			wantIn: []string{"smtp auth: 535 5.7.8 Authentication credentials invalid for patrol"},
		},
		{
			name:     "nothing listening is temporary",
			noServer: true, mode: TLSNone, wantTemp: true, wantOp: "connect",
			wantIn: []string{"connection refused"},
		},
		{
			name: "451 at RCPT TO is temporary",
			server: serverOpts{tls: TLSNone, rcpt: func(string) error {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox busy, try later"}
			}},
			mode: TLSNone, wantTemp: true, wantOp: "rcpt to", wantCode: 451,
			wantIn:    []string{"451 4.3.0 Mailbox busy, try later"},
			wantRcpts: []string{"ada@contoso.com", "secops@contoso.com"},
		},
		{
			name: "550 for one recipient fails the message, permanently",
			server: serverOpts{tls: TLSNone, rcpt: func(to string) error {
				if to == "ada@contoso.com" {
					return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
				}
				return nil
			}},
			mode: TLSNone, wantOp: "rcpt to", wantCode: 550,
			wantIn:    []string{"smtp rcpt to: 550 5.1.1 No such user here (rejected ada@contoso.com)"},
			wantRcpts: []string{"ada@contoso.com"},
		},
		{
			name: "554 after DATA is permanent with the reason",
			server: serverOpts{tls: TLSNone, data: func() error {
				return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Message rejected by policy"}
			}},
			mode: TLSNone, wantOp: "data", wantCode: 554,
			wantIn: []string{"554 5.7.1 Message rejected by policy"},
		},
		{
			name: "421 at MAIL FROM is temporary",
			server: serverOpts{tls: TLSNone, mail: func() error {
				return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many connections"}
			}},
			mode: TLSNone, wantTemp: true, wantOp: "mail from", wantCode: 421,
		},
		{
			name: "slow server times out, temporarily",
			server: serverOpts{tls: TLSNone, mail: func() error {
				time.Sleep(2 * time.Second)
				return nil
			}},
			mode: TLSNone, edit: func(c *SMTPConfig) { c.Timeout = Duration(200 * time.Millisecond) },
			wantTemp: true, wantOp: "mail from", wantIs: os.ErrDeadlineExceeded,
			wantIn: []string{"i/o timeout"},
		},
		{
			name: "cancelled context is temporary and says so",
			server: serverOpts{tls: TLSNone, mail: func() error {
				time.Sleep(2 * time.Second)
				return nil
			}},
			mode: TLSNone,
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 200*time.Millisecond)
			},
			wantTemp: true, wantOp: "mail from", wantIs: context.DeadlineExceeded,
		},
		{
			name:     "server without STARTTLS gets nothing",
			server:   serverOpts{tls: TLSNone},
			mode:     TLSStartTLS,
			wantTemp: true, wantOp: "starttls",
			wantIn: []string{"server does not offer STARTTLS"},
		},
		{
			name:      "untrusted certificate is temporary",
			server:    serverOpts{tls: TLSImplicit},
			mode:      TLSImplicit,
			untrusted: true,
			wantTemp:  true, wantOp: "connect",
			wantIn: []string{"certificate"},
		},
		{
			name:   "no usable AUTH mechanism is permanent",
			server: serverOpts{tls: TLSStartTLS, user: "patrol", pass: "pw", mechs: []string{"CRAM-MD5"}},
			mode:   TLSStartTLS, edit: func(c *SMTPConfig) { c.Username, c.Password = "patrol", "pw-pw-pw" },
			wantOp: "auth",
			wantIn: []string{"neither PLAIN nor LOGIN", `"CRAM-MD5"`},
		},
		{
			name:   "bad recipient address is permanent and nothing is sent",
			server: serverOpts{tls: TLSNone},
			mode:   TLSNone, email: func(e *Email) { e.To = []string{"ada@contoso.com\r\nRCPT TO:<x@evil.example>"} },
			wantOp: "compose",
		},
		{
			name:   "no recipient is permanent",
			server: serverOpts{tls: TLSNone},
			mode:   TLSNone, email: func(e *Email) { e.To, e.Cc = nil, nil },
			wantOp: "compose", wantIn: []string{"no recipient"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s *smtpServer
			if tt.noServer {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				s = &smtpServer{port: ln.Addr().(*net.TCPAddr).Port}
				ln.Close() // nothing listens on this port now
			} else {
				s = startSMTP(t, tt.server)
			}
			if tt.untrusted {
				s.pool = nil
			}
			m := mailerFor(t, s, tt.mode, tt.edit)
			e := renderedEmail(t)
			if tt.email != nil {
				tt.email(&e)
			}
			ctx := t.Context()
			if tt.ctx != nil {
				var cancel context.CancelFunc
				ctx, cancel = tt.ctx(ctx)
				defer cancel()
			}
			err := m.Send(ctx, e)
			if err == nil {
				t.Fatal("Send() = nil, want error")
			}
			t.Logf("Send() error: %v", err)
			if got := errors.Is(err, ErrTemporary); got != tt.wantTemp {
				t.Errorf("errors.Is(%v, ErrTemporary) = %v, want %v", err, got, tt.wantTemp)
			}
			if got := errors.Is(err, ErrPermanent); got == tt.wantTemp {
				t.Errorf("errors.Is(%v, ErrPermanent) = %v, want %v", err, got, !tt.wantTemp)
			}
			var de *DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("Send() error %T, want *DeliveryError", err)
			}
			if de.Op != tt.wantOp || de.Code != tt.wantCode {
				t.Errorf("Send() op, code = %q, %d, want %q, %d (%v)", de.Op, de.Code, tt.wantOp, tt.wantCode, err)
			}
			if tt.wantRcpts != nil {
				if diff := cmp.Diff(tt.wantRcpts, de.Recipients); diff != "" {
					t.Errorf("Recipients mismatch (-want +got):\n%s", diff)
				}
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Send() error = %q, want it to contain %q", err, w)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			for _, pw := range []string{"wrong-Pa55word", "right-pw", "pw-pw-pw"} {
				if strings.Contains(err.Error(), pw) {
					t.Errorf("Send() error %q holds the password", err)
				}
			}
			if !tt.noServer && tt.wantOp != "data" {
				if n := len(s.messages()); n != 0 {
					t.Errorf("server accepted %d messages, want 0", n)
				}
			}
		})
	}
}

// TestMailerSendScrubsEchoedPassword: a server that quotes the credentials back in its
// refusal does not get the password into the error.
func TestMailerSendScrubsEchoedPassword(t *testing.T) {
	t.Parallel()
	const user, pass = "patrol", "Echo-Me-Pa55"
	for _, mech := range []string{sasl.Plain, sasl.Login} {
		t.Run(mech, func(t *testing.T) {
			t.Parallel()
			s := startSMTP(t, serverOpts{tls: TLSStartTLS, user: user, pass: "other", mechs: []string{mech}, echo: true})
			m := mailerFor(t, s, TLSStartTLS, func(c *SMTPConfig) { c.Username, c.Password = user, pass })
			err := m.Send(t.Context(), renderedEmail(t))
			if !errors.Is(err, ErrPermanent) {
				t.Fatalf("Send() error = %v, want ErrPermanent", err)
			}
			blob := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
			if msg := err.Error(); strings.Contains(msg, pass) || strings.Contains(msg, blob) ||
				!strings.Contains(msg, "[redacted]") {
				t.Errorf("Send() error = %q, want the echoed password redacted", msg)
			}
		})
	}
}

func TestNewMailer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     SMTPConfig
		want    string
		port    int
		timeout time.Duration
	}{
		{name: "defaults", cfg: SMTPConfig{Host: "smtp.contoso.com", From: "patrol@contoso.com"}, port: 587, timeout: DefaultTimeout},
		{name: "implicit port", cfg: SMTPConfig{Host: "smtp.contoso.com", From: "patrol@contoso.com", TLS: "implicit"}, port: 465, timeout: DefaultTimeout},
		{name: "none port", cfg: SMTPConfig{Host: "localhost", From: "patrol@contoso.com", TLS: "none", Timeout: Duration(time.Second)}, port: 25, timeout: time.Second},
		{name: "invalid", cfg: SMTPConfig{Host: "smtp.contoso.com", From: "nope", TLS: "ssl"},
			want: `notify.smtp.tls: "ssl" is not starttls, implicit or none` + "\n" + `notify.smtp.from: "nope" is not an email address`},
		{name: "missing ca file", cfg: SMTPConfig{Host: "h.example", From: "p@contoso.com", CAFile: filepath.Join(dir, "none.pem")},
			want: "notify.smtp.ca_file: open " + filepath.Join(dir, "none.pem") + ": no such file or directory"},
		{name: "ca file without PEM", cfg: SMTPConfig{Host: "h.example", From: "p@contoso.com", CAFile: notPEM},
			want: "notify.smtp.ca_file: no PEM certificate in " + notPEM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := NewMailer(tt.cfg)
			if tt.want != "" {
				if err == nil || err.Error() != tt.want {
					t.Fatalf("NewMailer() error = %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewMailer() error = %v", err)
			}
			if m.cfg.Port != tt.port || m.timeout != tt.timeout || m.tls.MinVersion != tls.VersionTLS12 || m.tls.ServerName != tt.cfg.Host {
				t.Errorf("NewMailer() port %d timeout %v tls %x %q, want %d %v TLS1.2 %q",
					m.cfg.Port, m.timeout, m.tls.MinVersion, m.tls.ServerName, tt.port, tt.timeout, tt.cfg.Host)
			}
		})
	}
}

// TestMailerCAFile: a CA bundle from ca_file is trusted for STARTTLS.
func TestMailerCAFile(t *testing.T) {
	t.Parallel()
	s := startSMTP(t, serverOpts{tls: TLSStartTLS})
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, s.certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := NewMailer(SMTPConfig{Host: "127.0.0.1", Port: s.port, From: "patrol@contoso.com", CAFile: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), renderedEmail(t)); err != nil {
		t.Fatalf("Send() with ca_file error = %v", err)
	}
	if msgs := s.messages(); len(msgs) != 1 || !msgs[0].TLS {
		t.Errorf("server got %d messages (TLS %v), want 1 over TLS", len(msgs), len(msgs) == 1 && msgs[0].TLS)
	}
}

// TestMailerSendConcurrent: one Mailer, many goroutines, every message delivered once.
func TestMailerSendConcurrent(t *testing.T) {
	t.Parallel()
	s := startSMTP(t, serverOpts{tls: TLSStartTLS, user: "patrol", pass: "pw-pw-pw"})
	m := mailerFor(t, s, TLSStartTLS, func(c *SMTPConfig) { c.Username, c.Password = "patrol", "pw-pw-pw" })
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			e := renderedEmail(t)
			e.MessageID = fmt.Sprintf("m%d@patrol.test", i)
			errs <- m.Send(t.Context(), e)
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Send() error = %v", err)
		}
	}
	if got := len(s.messages()); got != n {
		t.Errorf("server got %d messages, want %d", got, n)
	}
}

// TestMailerSendSilentServer: a server that accepts the connection and never greets times
// the connect step out.
func TestMailerSendSilentServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	s := &smtpServer{port: ln.Addr().(*net.TCPAddr).Port}
	m := mailerFor(t, s, TLSNone, func(c *SMTPConfig) { c.Timeout = Duration(150 * time.Millisecond) })
	err = m.Send(t.Context(), renderedEmail(t))
	var de *DeliveryError
	if !errors.As(err, &de) || de.Op != "connect" || !errors.Is(err, ErrTemporary) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Send() = %v, want a temporary connect timeout", err)
	}
}

func TestSplitReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		msg, code, reason string
	}{
		{"5.1.1 No such user", "5.1.1", "No such user"},
		{"No such user", "", "No such user"},
		{"4.7.0 Try again\n4.7.0 later please", "4.7.0", "Try again later please"},
		{"5.7.8", "5.7.8", ""},
		{"6.1.1 odd", "", "6.1.1 odd"},
		{"5.1.10000 too long", "", "5.1.10000 too long"},
		{"  2.0.0   Ok  ", "2.0.0", "Ok"},
	}
	for _, tt := range tests {
		code, reason := splitReply(tt.msg)
		if code != tt.code || reason != tt.reason {
			t.Errorf("splitReply(%q) = %q, %q, want %q, %q", tt.msg, code, reason, tt.code, tt.reason)
		}
	}
}

// FuzzSplitReply: a server's reply text is untrusted input.
func FuzzSplitReply(f *testing.F) {
	for _, s := range []string{"5.1.1 No such user", "4.7.0 a\n4.7.0 b", "", "\n\n", "5.7.8", "2.0.0 \x00\x1b[31m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		code, reason := splitReply(msg)
		if code != "" && !enhancedCode.MatchString(code) {
			t.Errorf("splitReply(%q) code = %q, not an enhanced status code", msg, code)
		}
		if strings.ContainsFunc(reason, isControl) {
			t.Errorf("splitReply(%q) reason = %q holds control characters", msg, reason)
		}
	})
}

func TestNewMailerBadHELO(t *testing.T) {
	t.Parallel()
	_, err := NewMailer(SMTPConfig{Host: "localhost", From: "p@contoso.com", TLS: "none"}, WithHELO("a b\r\nMAIL FROM:<x>"))
	if err == nil || !strings.Contains(err.Error(), "is not a host name") {
		t.Errorf("NewMailer(WithHELO(bad)) error = %v, want it refused", err)
	}
}
