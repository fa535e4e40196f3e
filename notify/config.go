package notify

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/patrolsec/patrol/internal/httpx"
)

// TLS modes of [SMTPConfig].TLS.
const (
	// TLSStartTLS connects in plain text and upgrades with STARTTLS before anything else; a
	// server that does not offer STARTTLS gets nothing (no opportunistic downgrade). Port 587.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (RFC 8314 submissions). Port 465.
	TLSImplicit = "implicit"
	// TLSNone sends in plain text. Meant for a relay on the same host (loopback); Validate
	// refuses it together with a password for any other host. Port 25.
	TLSNone = "none"
)

// DefaultTimeout bounds connecting and each SMTP command when SMTPConfig.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Duration is a time.Duration written as "30s", "2m" or "1h" in YAML and JSON.
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like 30s, 2m or 1h", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// String returns the duration as time.Duration prints it.
func (d Duration) String() string { return time.Duration(d).String() }

// SMTPConfig is the notify.smtp section: the submission server patrol sends through.
type SMTPConfig struct {
	// Host is the SMTP server's name; with TLS it must match the server's certificate.
	Host string `yaml:"host" json:"host"`
	// Port defaults by TLS mode: 587 (starttls), 465 (implicit), 25 (none).
	Port int `yaml:"port" json:"port,omitempty"`
	// Username turns on SMTP AUTH (PLAIN, or LOGIN when the server offers only that).
	Username string `yaml:"username" json:"username,omitempty"`
	// Password is the AUTH password, usually "${SMTP_PASSWORD}". It is never logged or put in
	// an error.
	Password string `yaml:"password" json:"-"`
	// From is the sender, "patrol <patrol@contoso.com>" or "patrol@contoso.com"; it is both
	// the From header and the envelope sender.
	From string `yaml:"from" json:"from"`
	// TLS is starttls (the default), implicit or none.
	TLS string `yaml:"tls" json:"tls,omitempty"`
	// CAFile is a PEM bundle of extra roots for an internal CA; the system roots stay trusted.
	CAFile string `yaml:"ca_file" json:"ca_file,omitempty"`
	// Timeout bounds connecting and each command; DefaultTimeout when zero.
	Timeout Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// String describes c without its password, so %v and %+v are safe in logs.
func (c SMTPConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = " password=[redacted]"
	}
	return fmt.Sprintf("smtp{host=%s port=%d tls=%s from=%s username=%s%s}",
		c.Host, c.Port, c.TLS, c.From, c.Username, pw)
}

// GoString is String, for %#v.
func (c SMTPConfig) GoString() string { return c.String() }

// LogValue implements slog.LogValuer without the password.
func (c SMTPConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("host", c.Host), slog.Int("port", c.Port),
		slog.String("tls", c.TLS), slog.String("from", c.From), slog.String("username", c.Username))
}

// WebhookConfig is the notify.webhook section: an incoming webhook of the security team's
// chat (Slack, Teams, Mattermost …) that accepts POST {"text": "..."}.
type WebhookConfig struct {
	// URL is the webhook address. Anyone holding it can post to the channel, so it is a
	// secret ("${PATROL_WEBHOOK_URL}"): never logged, never in an error.
	URL string `yaml:"url" json:"-"`
}

// String hides the URL.
func (c WebhookConfig) String() string { return "webhook{url=[redacted]}" }

// GoString is String, for %#v.
func (c WebhookConfig) GoString() string { return c.String() }

// LogValue implements slog.LogValuer without the URL.
func (c WebhookConfig) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Config is the notify section of patrol.yaml. The zero value sends nothing. ${VAR} expansion
// is done by the config loader before Validate.
type Config struct {
	// SMTP, when set, sends email.
	SMTP *SMTPConfig `yaml:"smtp" json:"smtp,omitempty"`
	// SecurityTeam is copied (cc) on every owner email, e.g. "secops@contoso.com".
	SecurityTeam string `yaml:"security_team" json:"security_team,omitempty"`
	// AllowedDomains limits the addresses patrol mails that come from outside the config (the
	// token owner's address from the provider, the commit author): "contoso.com" matches that
	// domain, "*.contoso.com" its subdomains. Empty means the domains of From and SecurityTeam.
	// SecurityTeam itself is configured, so it is always mailed.
	AllowedDomains []string `yaml:"allowed_domains" json:"allowed_domains,omitempty"`
	// Webhook, when set, posts a one-paragraph summary of each leak to the team's chat.
	Webhook *WebhookConfig `yaml:"webhook" json:"webhook,omitempty"`
	// Contact is whom the owner should contact (an address, a URL or a name); SecurityTeam
	// when empty.
	Contact string `yaml:"contact" json:"contact,omitempty"`
}

// ContactOrDefault returns Contact, or SecurityTeam when Contact is empty.
func (c Config) ContactOrDefault() string {
	if c.Contact != "" {
		return c.Contact
	}
	return c.SecurityTeam
}

// Validate reports every problem in c, each naming its key path, joined into one error.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("notify.%s: "+format, append([]any{key}, args...)...))
	}
	if s := c.SMTP; s != nil {
		if s.Host == "" {
			bad("smtp.host", "required")
		} else if strings.ContainsAny(s.Host, " \t\r\n/:@") && net.ParseIP(s.Host) == nil {
			bad("smtp.host", "%q is not a host name (the port goes in smtp.port)", s.Host)
		}
		if s.Port < 0 || s.Port > 65535 {
			bad("smtp.port", "%d is not in 1..65535", s.Port)
		}
		switch s.TLS {
		case "", TLSStartTLS, TLSImplicit:
		case TLSNone:
			if s.Password != "" && s.Host != "" && !httpx.Loopback(s.Host) {
				bad("smtp.tls", "none would send the password in clear text to %q; use starttls or implicit", s.Host)
			}
		default:
			bad("smtp.tls", "%q is not starttls, implicit or none", s.TLS)
		}
		if s.From == "" {
			bad("smtp.from", "required")
		} else if _, err := mail.ParseAddress(s.From); err != nil {
			bad("smtp.from", "%q is not an email address", s.From)
		}
		if s.Username != "" && s.Password == "" {
			bad("smtp.password", "required when username is set")
		}
		if s.Password != "" && s.Username == "" {
			bad("smtp.username", "required when password is set")
		}
		if s.Timeout < 0 {
			bad("smtp.timeout", "%s is negative", s.Timeout)
		}
	}
	if c.SecurityTeam != "" {
		if _, err := mail.ParseAddress(c.SecurityTeam); err != nil {
			bad("security_team", "%q is not an email address", c.SecurityTeam)
		}
	}
	for i, d := range c.AllowedDomains {
		if !validDomainPattern(d) {
			bad(fmt.Sprintf("allowed_domains[%d]", i), "%q is not a domain (write contoso.com or *.contoso.com)", d)
		}
	}
	if strings.ContainsFunc(c.Contact, isControl) {
		bad("contact", "%q holds control characters", c.Contact)
	}
	if w := c.Webhook; w != nil {
		// The URL is a secret: the messages describe it and never quote it.
		u, err := url.Parse(w.URL)
		switch {
		case w.URL == "":
			bad("webhook.url", "required")
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			bad("webhook.url", "not an absolute https URL (value withheld: it is a secret)")
		case u.Scheme == "http" && !httpx.Loopback(u.Hostname()):
			bad("webhook.url", "http is only allowed for loopback; use https (value withheld: it is a secret)")
		}
	}
	return errors.Join(errs...)
}

// Dropped is an address Recipients would not mail, and why.
type Dropped struct {
	// Address is the address as given.
	Address string
	// Role is "owner" (from the provider's identity) or "author" (the commit author).
	Role string
	// Reason says why, e.g. `domain "gmail.com" is not in allowed_domains`.
	Reason string
}

// Recipients picks who gets the email about one leak. The owner is ownerEmail, the address
// the provider's identity gives; when it is empty or not allowed, the commit author
// (authorEmail) stands in and probable is true. The security team goes in cc. Addresses from
// outside the config (owner, author) must be in an allowed domain ([Config].AllowedDomains);
// what is refused comes back in dropped, with the reason, for the audit log. to is empty when
// no owner address survives; cc is empty when SecurityTeam is not set. Addresses come back
// bare ("a@contoso.com") with the domain lowercased, and never twice.
func (c Config) Recipients(ownerEmail, authorEmail string) (to, cc []string, probable bool, dropped []Dropped) {
	allowed := c.allowedDomains()
	team := ""
	if a, err := mail.ParseAddress(c.SecurityTeam); err == nil && c.SecurityTeam != "" {
		team = normalize(a.Address)
	}
	for _, cand := range []struct {
		addr, role string
	}{{ownerEmail, "owner"}, {authorEmail, "author"}} {
		if strings.TrimSpace(cand.addr) == "" || len(to) > 0 {
			continue
		}
		addr, reason := checkAddress(cand.addr, allowed)
		if reason != "" {
			dropped = append(dropped, Dropped{Address: cand.addr, Role: cand.role, Reason: reason})
			continue
		}
		to = []string{addr}
		probable = cand.role == "author"
	}
	if team != "" && (len(to) == 0 || !strings.EqualFold(to[0], team)) {
		cc = []string{team}
	}
	return to, cc, probable, dropped
}

// checkAddress returns the normalized address, or why it is refused.
func checkAddress(raw string, allowed []string) (string, string) {
	if strings.ContainsFunc(raw, isControl) {
		return "", "not an email address"
	}
	a, err := mail.ParseAddress(raw)
	if err != nil {
		return "", "not an email address"
	}
	addr := normalize(a.Address)
	at := strings.LastIndexByte(addr, '@')
	if at < 1 || at == len(addr)-1 {
		return "", "not an email address"
	}
	// Only addresses that read back the same (no quoted local parts) go on: what is returned
	// ends up in RCPT TO and in headers.
	if b, err := mail.ParseAddress(addr); err != nil || b.Address != addr {
		return "", "not an email address"
	}
	domain := addr[at+1:]
	for _, p := range allowed {
		if domainMatches(p, domain) {
			return addr, ""
		}
	}
	if len(allowed) == 0 {
		return "", "no allowed domains (set allowed_domains, smtp.from or security_team)"
	}
	return "", fmt.Sprintf("domain %q is not in allowed_domains", domain)
}

// allowedDomains returns the configured patterns, or the domains of From and SecurityTeam.
func (c Config) allowedDomains() []string {
	if len(c.AllowedDomains) > 0 {
		out := make([]string, 0, len(c.AllowedDomains))
		for _, d := range c.AllowedDomains {
			if validDomainPattern(d) {
				out = append(out, strings.ToLower(d))
			}
		}
		return out
	}
	var out []string
	var from string
	if c.SMTP != nil {
		from = c.SMTP.From
	}
	for _, s := range []string{from, c.SecurityTeam} {
		if a, err := mail.ParseAddress(s); err == nil && s != "" {
			if at := strings.LastIndexByte(a.Address, '@'); at >= 0 {
				out = append(out, strings.ToLower(a.Address[at+1:]))
			}
		}
	}
	return out
}

// normalize lowercases the domain of a bare address (the local part is the server's business).
func normalize(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return addr
	}
	return addr[:at+1] + strings.ToLower(addr[at+1:])
}

// domainMatches reports whether domain (lowercase) matches the pattern "contoso.com" (exactly)
// or "*.contoso.com" (any subdomain, not contoso.com itself).
func domainMatches(pattern, domain string) bool {
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		return strings.HasSuffix(domain, "."+rest)
	}
	return domain == pattern
}

// validDomainPattern accepts "contoso.com", "mail.contoso.com", "*.contoso.com": dot-separated
// labels of letters, digits and hyphens, at least two of them.
func validDomainPattern(p string) bool {
	p = strings.TrimPrefix(p, "*.")
	labels := strings.Split(p, ".")
	if len(labels) < 2 || len(p) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
