package notify

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"
)

func TestConfigDecode(t *testing.T) {
	t.Parallel()
	const doc = `
smtp: {host: smtp.contoso.com, port: 587, username: patrol, password: pw, from: "patrol <patrol@contoso.com>", tls: starttls, timeout: 45s, ca_file: /etc/patrol/ca.pem}
security_team: secops@contoso.com
allowed_domains: [contoso.com, "*.contoso.com"]
webhook: {url: "https://hooks.slack.com/services/T000/B000/XXXX"}
contact: "https://wiki.contoso.com/security"
`
	var c Config
	if err := yaml.UnmarshalWithOptions([]byte(doc), &c, yaml.Strict()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
	want := Config{
		SMTP: &SMTPConfig{Host: "smtp.contoso.com", Port: 587, Username: "patrol", Password: "pw",
			From: "patrol <patrol@contoso.com>", TLS: "starttls", Timeout: Duration(45 * time.Second), CAFile: "/etc/patrol/ca.pem"},
		SecurityTeam:   "secops@contoso.com",
		AllowedDomains: []string{"contoso.com", "*.contoso.com"},
		Webhook:        &WebhookConfig{URL: "https://hooks.slack.com/services/T000/B000/XXXX"},
		Contact:        "https://wiki.contoso.com/security",
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("decoded config mismatch (-want +got):\n%s", diff)
	}
	if c.ContactOrDefault() != "https://wiki.contoso.com/security" {
		t.Errorf("ContactOrDefault() = %q", c.ContactOrDefault())
	}
	c.Contact = ""
	if c.ContactOrDefault() != "secops@contoso.com" {
		t.Errorf("ContactOrDefault() without contact = %q, want the security team", c.ContactOrDefault())
	}
}

func TestConfigDecodeStrict(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{"smtp: {host: h, starttls: true}", "smtp: {timeout: soon}", "webhooks: {}"} {
		var c Config
		if err := yaml.UnmarshalWithOptions([]byte(doc), &c, yaml.Strict()); err == nil {
			t.Errorf("decode(%q) = nil, want an error", doc)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	smtpOK := func(f func(*SMTPConfig)) *SMTPConfig {
		s := &SMTPConfig{Host: "smtp.contoso.com", From: "patrol@contoso.com"}
		if f != nil {
			f(s)
		}
		return s
	}
	const secretURL = "ftp://hooks.example/services/T000/B000/SECRETPATH"
	tests := []struct {
		name string
		cfg  Config
		want []string // the joined error's lines, exactly
	}{
		{name: "zero value", cfg: Config{}},
		{name: "minimal smtp", cfg: Config{SMTP: smtpOK(nil)}},
		{name: "loopback relay with password", cfg: Config{SMTP: smtpOK(func(s *SMTPConfig) {
			s.Host, s.TLS, s.Username, s.Password = "127.0.0.1", "none", "u", "p"
		})}},
		{name: "loopback http webhook", cfg: Config{Webhook: &WebhookConfig{URL: "http://127.0.0.1:8080/hook"}}},
		{name: "bad tls", cfg: Config{SMTP: smtpOK(func(s *SMTPConfig) { s.TLS = "x" })},
			want: []string{`notify.smtp.tls: "x" is not starttls, implicit or none`}},
		{name: "password in clear to a remote host", cfg: Config{SMTP: smtpOK(func(s *SMTPConfig) {
			s.TLS, s.Username, s.Password = "none", "u", "p"
		})}, want: []string{`notify.smtp.tls: none would send the password in clear text to "smtp.contoso.com"; use starttls or implicit`}},
		{name: "everything wrong", cfg: Config{
			SMTP: &SMTPConfig{Host: "smtp.contoso.com:587", Port: 70000, From: "patrol at contoso", Username: "u",
				Timeout: Duration(-time.Second)},
			SecurityTeam:   "secops",
			AllowedDomains: []string{"contoso.com", "@contoso.com", "com", "*.ok.example", "bad_domain.com"},
			Webhook:        &WebhookConfig{URL: secretURL},
			Contact:        "x\ny",
		}, want: []string{
			`notify.smtp.host: "smtp.contoso.com:587" is not a host name (the port goes in smtp.port)`,
			`notify.smtp.port: 70000 is not in 1..65535`,
			`notify.smtp.from: "patrol at contoso" is not an email address`,
			`notify.smtp.password: required when username is set`,
			`notify.smtp.timeout: -1s is negative`,
			`notify.security_team: "secops" is not an email address`,
			`notify.allowed_domains[1]: "@contoso.com" is not a domain (write contoso.com or *.contoso.com)`,
			`notify.allowed_domains[2]: "com" is not a domain (write contoso.com or *.contoso.com)`,
			`notify.allowed_domains[4]: "bad_domain.com" is not a domain (write contoso.com or *.contoso.com)`,
			`notify.contact: "x\ny" holds control characters`,
			`notify.webhook.url: not an absolute https URL (value withheld: it is a secret)`,
		}},
		{name: "required keys", cfg: Config{SMTP: &SMTPConfig{Password: "p"}, Webhook: &WebhookConfig{}}, want: []string{
			`notify.smtp.host: required`,
			`notify.smtp.from: required`,
			`notify.smtp.username: required when password is set`,
			`notify.webhook.url: required`,
		}},
		{name: "plain http webhook", cfg: Config{Webhook: &WebhookConfig{URL: "http://hooks.example/T/SECRETPATH"}},
			want: []string{`notify.webhook.url: http is only allowed for loopback; use https (value withheld: it is a secret)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.want)
			}
			if diff := cmp.Diff(tt.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("Validate() mismatch (-want +got):\n%s", diff)
			}
			if strings.Contains(err.Error(), "SECRETPATH") {
				t.Errorf("Validate() = %q quotes the webhook URL", err)
			}
		})
	}
}

func TestRecipients(t *testing.T) {
	t.Parallel()
	base := Config{SMTP: &SMTPConfig{From: "patrol <patrol@contoso.com>"}, SecurityTeam: "SecOps@Contoso.com"}
	with := func(f func(*Config)) Config { c := base; f(&c); return c }
	tests := []struct {
		name     string
		cfg      Config
		owner    string
		author   string
		to, cc   []string
		probable bool
		dropped  []Dropped
	}{
		{name: "owner from the provider", cfg: base, owner: "ada@contoso.com", author: "bob@contoso.com",
			to: []string{"ada@contoso.com"}, cc: []string{"SecOps@contoso.com"}},
		{name: "author stands in as probable owner", cfg: base, author: "Bob <bob@CONTOSO.com>",
			to: []string{"bob@contoso.com"}, cc: []string{"SecOps@contoso.com"}, probable: true},
		{name: "outsider owner falls back to the author", cfg: base, owner: "ada@gmail.com", author: "bob@contoso.com",
			to: []string{"bob@contoso.com"}, cc: []string{"SecOps@contoso.com"}, probable: true,
			dropped: []Dropped{{Address: "ada@gmail.com", Role: "owner", Reason: `domain "gmail.com" is not in allowed_domains`}}},
		{name: "only outsiders: security team alone", cfg: base, owner: "ada@gmail.com",
			author: "1234+bob@users.noreply.github.com", cc: []string{"SecOps@contoso.com"},
			dropped: []Dropped{
				{Address: "ada@gmail.com", Role: "owner", Reason: `domain "gmail.com" is not in allowed_domains`},
				{Address: "1234+bob@users.noreply.github.com", Role: "author", Reason: `domain "users.noreply.github.com" is not in allowed_domains`},
			}},
		{name: "subdomain is not the domain", cfg: base, owner: "ada@eu.contoso.com", cc: []string{"SecOps@contoso.com"},
			dropped: []Dropped{{Address: "ada@eu.contoso.com", Role: "owner", Reason: `domain "eu.contoso.com" is not in allowed_domains`}}},
		{name: "explicit allow-list with wildcard", cfg: with(func(c *Config) { c.AllowedDomains = []string{"*.contoso.com", "fabrikam.com"} }),
			owner: "ada@eu.contoso.com", to: []string{"ada@eu.contoso.com"}, cc: []string{"SecOps@contoso.com"}},
		{name: "explicit allow-list replaces the default", cfg: with(func(c *Config) { c.AllowedDomains = []string{"fabrikam.com"} }),
			owner: "ada@contoso.com", author: "eve@fabrikam.com", to: []string{"eve@fabrikam.com"}, cc: []string{"SecOps@contoso.com"},
			probable: true,
			dropped:  []Dropped{{Address: "ada@contoso.com", Role: "owner", Reason: `domain "contoso.com" is not in allowed_domains`}}},
		{name: "garbage is dropped", cfg: base, owner: "not an address", author: "bob@contoso.com\r\nBcc: x@evil.example",
			cc: []string{"SecOps@contoso.com"},
			dropped: []Dropped{
				{Address: "not an address", Role: "owner", Reason: "not an email address"},
				{Address: "bob@contoso.com\r\nBcc: x@evil.example", Role: "author", Reason: "not an email address"},
			}},
		{name: "owner is the security team: not twice", cfg: base, owner: "secops@contoso.com",
			to: []string{"secops@contoso.com"}},
		{name: "no security team, no config domains", cfg: Config{}, owner: "ada@contoso.com",
			dropped: []Dropped{{Address: "ada@contoso.com", Role: "owner", Reason: "no allowed domains (set allowed_domains, smtp.from or security_team)"}}},
		{name: "nobody known", cfg: base, cc: []string{"SecOps@contoso.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			to, cc, probable, dropped := tt.cfg.Recipients(tt.owner, tt.author)
			if diff := cmp.Diff(tt.to, to); diff != "" {
				t.Errorf("Recipients() to mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.cc, cc); diff != "" {
				t.Errorf("Recipients() cc mismatch (-want +got):\n%s", diff)
			}
			if probable != tt.probable {
				t.Errorf("Recipients() probable = %v, want %v", probable, tt.probable)
			}
			if diff := cmp.Diff(tt.dropped, dropped); diff != "" {
				t.Errorf("Recipients() dropped mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzRecipients(f *testing.F) {
	for _, s := range [][2]string{{"ada@contoso.com", "bob@contoso.com"}, {"", "Bob <bob@CONTOSO.com>"},
		{"ada@gmail.com", "x@eu.contoso.com"}, {"\"a b\"@contoso.com", "a@contoso.com\r\n"}, {"@", "a@"}} {
		f.Add(s[0], s[1])
	}
	c := Config{SMTP: &SMTPConfig{From: "patrol@contoso.com"}, SecurityTeam: "secops@contoso.com",
		AllowedDomains: []string{"contoso.com", "*.fabrikam.com"}}
	f.Fuzz(func(t *testing.T, owner, author string) {
		to, cc, probable, dropped := c.Recipients(owner, author)
		if len(to) > 1 || len(cc) > 1 {
			t.Fatalf("Recipients() = %q, %q: more than one each", to, cc)
		}
		for _, a := range to {
			p, err := mail.ParseAddress(a)
			if err != nil || p.Address != a {
				t.Errorf("to %q is not a bare address (%v)", a, err)
			}
			if !strings.HasSuffix(a, "@contoso.com") && !strings.HasSuffix(a, ".fabrikam.com") {
				t.Errorf("to %q is outside the allowed domains", a)
			}
			if strings.ContainsAny(a, "\r\n") {
				t.Errorf("to %q holds a line break", a)
			}
		}
		if probable && len(to) == 0 {
			t.Errorf("probable without a recipient")
		}
		if len(dropped) > 2 {
			t.Errorf("dropped %d addresses out of 2", len(dropped))
		}
	})
}

func TestConfigStringsHideSecrets(t *testing.T) {
	t.Parallel()
	s := SMTPConfig{Host: "smtp.contoso.com", Username: "patrol", Password: "hunter2-SECRET", From: "p@contoso.com"}
	w := WebhookConfig{URL: "https://hooks.slack.com/services/T0/B0/SECRETPATH"}
	c := Config{SMTP: &s, Webhook: &w}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "smtp", s, "webhook", w)
	for _, out := range []string{
		fmt.Sprintf("%v %+v %#v %s", s, s, s, s),
		fmt.Sprintf("%v %+v %#v %s", w, w, w, w),
		fmt.Sprintf("%v %+v", *c.SMTP, *c.Webhook),
		logged.String(),
	} {
		if strings.Contains(out, "SECRET") {
			t.Errorf("output %q holds a secret", out)
		}
	}
	if !strings.Contains(fmt.Sprint(s), "password=[redacted]") {
		t.Errorf("SMTPConfig.String() = %q, want the password marked redacted", s)
	}
}
