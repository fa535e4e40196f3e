package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	netmail "net/mail"
	"net/textproto"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// Option configures a Mailer or a Webhook.
type Option func(*options)

type options struct {
	now  func() time.Time
	tls  *tls.Config
	helo string
}

// WithClock sets the clock that dates messages (the Date header) and reads Retry-After
// dates; time.Now by default. Connection deadlines always use the real clock.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithTLSConfig gives a Mailer the base TLS configuration for STARTTLS and implicit TLS: a
// RootCAs pool for a private CA or a test server, client certificates. It is cloned;
// ServerName defaults to SMTPConfig.Host and MinVersion is raised to TLS 1.2. Ignored by
// Webhook, whose http.Client carries its own TLS settings.
func WithTLSConfig(c *tls.Config) Option {
	return func(o *options) { o.tls = c }
}

// WithHELO sets the name a Mailer gives in EHLO; the host name by default.
func WithHELO(name string) Option {
	return func(o *options) { o.helo = name }
}

// Email is one message to send. Render gives Subject, Text and HTML.
type Email struct {
	// To and Cc are the recipients; each is mailed (RCPT TO) and named in its header.
	To, Cc []string
	// Subject is the subject line; line breaks become spaces.
	Subject string
	// Text is the text/plain body; HTML, when set, is the text/html alternative.
	Text, HTML string
	// MessageID, "id@domain" with or without angle brackets, is the Message-ID header. Give
	// the outbox's stable ID of the message so that a receiver can drop the duplicate of a
	// retried send; a random one (at From's domain) when empty.
	MessageID string
}

// Mailer sends Email through one SMTP server. Each Send opens its own connection, so a
// Mailer is safe for concurrent use; it holds the SMTP password and never puts it in an error.
type Mailer struct {
	cfg     SMTPConfig
	addr    string
	from    string // the From header, as configured
	domain  string // From's domain, for Message-IDs
	tls     *tls.Config
	timeout time.Duration
	helo    string
	now     func() time.Time
}

// NewMailer returns a Mailer for cfg (validated as notify.smtp). Defaults: tls starttls, the
// port of the TLS mode (587, 465, 25), DefaultTimeout. CAFile is read here. Options:
// WithTLSConfig, WithClock, WithHELO.
func NewMailer(cfg SMTPConfig, opts ...Option) (*Mailer, error) {
	if err := (Config{SMTP: &cfg}).Validate(); err != nil {
		return nil, err
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[cfg.TLS]
	}
	m := &Mailer{cfg: cfg, addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)), from: cfg.From,
		timeout: time.Duration(cfg.Timeout), now: o.now, helo: o.helo}
	if m.timeout == 0 {
		m.timeout = DefaultTimeout
	}
	from, _ := netmail.ParseAddress(cfg.From) // Validate parsed it
	m.domain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	if m.helo != "" && !validHELO(m.helo) {
		return nil, fmt.Errorf("notify: HELO name %q is not a host name", m.helo)
	}
	if m.helo == "" {
		m.helo, _ = os.Hostname()
		if !validHELO(m.helo) {
			m.helo = "localhost"
		}
	}
	tc := &tls.Config{}
	if o.tls != nil {
		tc = o.tls.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("notify.smtp.ca_file: %w", err)
		}
		pool := tc.RootCAs
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil {
				pool = x509.NewCertPool()
			}
		} else {
			pool = pool.Clone()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("notify.smtp.ca_file: no PEM certificate in %s", cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	m.tls = tc
	return m, nil
}

// Send delivers e in one SMTP session: connect (implicit TLS when so configured), EHLO,
// STARTTLS (mandatory under tls: starttls: a server that does not offer it gets nothing),
// AUTH PLAIN (LOGIN when only that is offered) when a username is set, MAIL FROM, RCPT TO
// for every address in To and Cc, DATA. The timeout bounds the connect and each command;
// ctx bounds the whole session.
//
// A failure is a [*DeliveryError]. ErrPermanent: the server answered 5xx (Code, EnhancedCode
// and the server's Reason say why; a 5xx at RCPT TO for any recipient fails the whole
// message, Recipients lists them), the server offers no AUTH mechanism patrol can use, or e
// cannot be composed. ErrTemporary: a 4xx answer, a refused connection, a timeout, a TLS
// failure (an untrusted certificate, STARTTLS not offered), a cancelled ctx. As with any
// SMTP client, a connection lost after the message's final dot may leave it delivered and
// reported temporary; a stable MessageID lets receivers drop the duplicate.
func (m *Mailer) Send(ctx context.Context, e Email) error {
	msg, err := m.compose(e)
	if err != nil {
		return &DeliveryError{Channel: "smtp", Op: "compose", Reason: err.Error()}
	}
	envFrom, err := msg.GetSender(false)
	if err != nil {
		return &DeliveryError{Channel: "smtp", Op: "compose", Reason: err.Error()}
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return &DeliveryError{Channel: "smtp", Op: "compose", Reason: "no recipient"}
	}
	rcpts = dedupe(rcpts)
	var data bytes.Buffer
	if _, err := msg.WriteTo(&data); err != nil {
		return &DeliveryError{Channel: "smtp", Op: "compose", Reason: err.Error()}
	}

	conn, err := m.dial(ctx)
	if err != nil {
		return m.fail(ctx, "connect", err)
	}
	defer conn.Close()
	// Closing the connection is the one way to interrupt a command blocked on the server.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := conn.SetDeadline(time.Now().Add(m.timeout)); err != nil {
		return m.fail(ctx, "connect", err)
	}
	c, err := smtp.NewClient(conn, m.cfg.Host)
	if err != nil {
		return m.fail(ctx, "connect", err)
	}
	step := func(op string, f func() error) *DeliveryError {
		if err := c.UpdateDeadline(m.timeout); err != nil {
			return m.fail(ctx, op, err)
		}
		if err := f(); err != nil {
			return m.fail(ctx, op, err)
		}
		return nil
	}
	if err := step("ehlo", func() error { return c.Hello(m.helo) }); err != nil {
		return err
	}
	if m.cfg.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &DeliveryError{Channel: "smtp", Op: "starttls", Temporary: true,
				Reason: "server does not offer STARTTLS; refusing to send in clear text"}
		}
		if err := step("starttls", func() error { return c.StartTLS(m.tls) }); err != nil {
			return err
		}
	}
	if m.cfg.Username != "" {
		a := &auth{user: m.cfg.Username, pass: m.cfg.Password, host: m.cfg.Host}
		if err := step("auth", func() error { return c.Auth(a) }); err != nil {
			return err
		}
	}
	if err := step("mail from", func() error { return c.Mail(envFrom) }); err != nil {
		return err
	}
	var rejected []string
	var rejection *DeliveryError
	for _, r := range rcpts {
		de := step("rcpt to", func() error { return c.Rcpt(r) })
		if de == nil {
			continue
		}
		if de.Code == 0 { // no answer: the session is gone
			return de
		}
		rejected = append(rejected, strings.Trim(r, "<>"))
		if rejection == nil || rejection.Temporary && !de.Temporary {
			rejection = de // a permanent refusal decides: retrying cannot reach everyone
		}
	}
	if rejection != nil {
		_ = c.Reset()
		_ = c.Quit()
		rejection.Recipients = rejected
		return rejection
	}
	var w io.WriteCloser
	if err := step("data", func() (err error) { w, err = c.Data(); return err }); err != nil {
		return err
	}
	if _, err := w.Write(data.Bytes()); err != nil {
		return m.fail(ctx, "data", err)
	}
	if err := step("data", w.Close); err != nil {
		return err
	}
	_ = c.Quit() // the message is accepted; a failed QUIT changes nothing
	return nil
}

// compose builds the message; its errors are permanent (a bad address stays bad).
func (m *Mailer) compose(e Email) (*mail.Msg, error) {
	if len(e.To)+len(e.Cc) == 0 {
		return nil, errors.New("no recipient")
	}
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.From(m.from); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	for _, list := range []struct {
		name string
		set  func(...string) error
		rcpt []string
	}{{"to", msg.To, e.To}, {"cc", msg.Cc, e.Cc}} {
		if len(list.rcpt) == 0 {
			continue
		}
		for _, r := range list.rcpt {
			if strings.ContainsFunc(r, isControl) {
				return nil, fmt.Errorf("%s: %q is not an email address", list.name, r)
			}
		}
		if err := list.set(list.rcpt...); err != nil {
			return nil, fmt.Errorf("%s: %w", list.name, err)
		}
	}
	msg.Subject(clean(e.Subject, 250))
	msg.SetDateWithValue(m.now())
	id := strings.Trim(e.MessageID, "<>")
	if id == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:]) + "@" + m.domain
	} else if !messageID.MatchString(id) {
		return nil, fmt.Errorf("message id %q is not id@domain", e.MessageID)
	}
	msg.SetMessageIDWithValue(id)
	// Ask auto-responders (out-of-office, vacation) to stay quiet (RFC 3834, Exchange).
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	msg.SetUserAgent("patrol")
	msg.SetBodyString(mail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	}
	return msg, nil
}

// validHELO accepts a host name or an address literal: printable ASCII without spaces.
func validHELO(name string) bool {
	return name != "" && len(name) <= 255 && !strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r >= 0x7f })
}

var messageID = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_{|}~.-]{1,200}@[A-Za-z0-9.-]{1,200}$`)

func (m *Mailer) dial(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{Timeout: m.timeout}
	if m.cfg.TLS == TLSImplicit {
		ctx, cancel := context.WithTimeout(ctx, m.timeout) // dial and handshake
		defer cancel()
		return (&tls.Dialer{NetDialer: d, Config: m.tls}).DialContext(ctx, "tcp", m.addr)
	}
	return d.DialContext(ctx, "tcp", m.addr)
}

// fail classifies err from step op: a reply from the server (*textproto.Error) is permanent
// when 5xx; anything else (no reply: refused, reset, timeout, TLS) is temporary.
func (m *Mailer) fail(ctx context.Context, op string, err error) *DeliveryError {
	e := &DeliveryError{Channel: "smtp", Op: op, Temporary: true}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		e.Code = tp.Code
		e.EnhancedCode, e.Reason = splitReply(tp.Msg)
		e.Reason = m.scrub(e.Reason)
		e.Temporary = tp.Code < 500 || tp.Code > 599
		return e
	}
	if ctx.Err() != nil {
		e.Err = ctx.Err()
		return e
	}
	if errors.Is(err, errNoMechanism) {
		// The server's capabilities and the config cannot work together: retrying won't help.
		e.Temporary, e.Reason = false, m.scrub(err.Error())
		return e
	}
	e.Err = scrubbedError{text: m.scrub(err.Error()), err: err}
	return e
}

// scrub removes the password, in clear and as AUTH sends it, from a server's text.
func (m *Mailer) scrub(s string) string {
	if m.cfg.Password == "" {
		return s
	}
	enc := base64.StdEncoding.EncodeToString
	for _, secret := range []string{
		enc([]byte("\x00" + m.cfg.Username + "\x00" + m.cfg.Password)),
		enc([]byte(m.cfg.Password)),
		m.cfg.Password,
	} {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

var enhancedCode = regexp.MustCompile(`^[245]\.[0-9]{1,3}\.[0-9]{1,3}(\s+|$)`)

// splitReply splits an SMTP reply's text (lines joined by "\n", codes already removed by
// textproto) into its enhanced status code and one line of reason.
func splitReply(msg string) (code, reason string) {
	var parts []string
	for line := range strings.SplitSeq(msg, "\n") {
		line = strings.TrimSpace(line)
		if loc := enhancedCode.FindStringIndex(line); loc != nil {
			if code == "" {
				code = strings.TrimSpace(line[:loc[1]])
			}
			line = line[loc[1]:]
		}
		if line != "" {
			parts = append(parts, line)
		}
	}
	return code, clean(strings.Join(parts, " "), 500)
}

func dedupe(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		if !slices.ContainsFunc(out, func(b string) bool { return strings.EqualFold(a, b) }) {
			out = append(out, a)
		}
	}
	return out
}

// errNoMechanism: the server offers neither PLAIN nor LOGIN.
var errNoMechanism = errors.New("no usable AUTH mechanism")

// auth is SMTP AUTH PLAIN, or LOGIN when the server offers only LOGIN. go-mail's mechanisms
// do the work, and refuse to send the password over an unencrypted connection to anything
// but localhost.
type auth struct {
	user, pass, host string
	smtp.Auth
}

// Start picks the mechanism from what the server offers.
func (a *auth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	switch {
	case slices.Contains(server.Auth, "PLAIN"):
		a.Auth = smtp.PlainAuth("", a.user, a.pass, a.host, false)
	case slices.Contains(server.Auth, "LOGIN"):
		a.Auth = smtp.LoginAuth(a.user, a.pass, a.host, false)
	default:
		return "", nil, fmt.Errorf("%w: the server offers neither PLAIN nor LOGIN (it offers %q)",
			errNoMechanism, strings.Join(server.Auth, " "))
	}
	return a.Auth.Start(server)
}
