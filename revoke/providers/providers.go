package providers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/azuredevops"
	"github.com/patrolsec/patrol/revoke/github"
	"github.com/patrolsec/patrol/revoke/gitlab"
	"github.com/patrolsec/patrol/revoke/npm"
	"github.com/patrolsec/patrol/revoke/slack"
	"github.com/patrolsec/patrol/revoke/whoami"
	"github.com/patrolsec/patrol/secret"
)

// Provider names, as in scanner.Finding.Provider.
const (
	AzureDevOps = azuredevops.Name
	GitHub      = github.Name
	GitLab      = gitlab.Name
	Slack       = slack.Name
	NPM         = npm.Name

	HuggingFace  = "huggingface"
	Doppler      = "doppler"
	DigitalOcean = "digitalocean"
	Postman      = "postman"
	Telegram     = "telegram"
	SendGrid     = "sendgrid"
	Cloudflare   = "cloudflare"
	Datadog      = "datadog"
	CircleCI     = "circleci"
	Buildkite    = "buildkite"
	Notion       = "notion"
	Heroku       = "heroku"
	Discord      = "discord"
	Stripe       = "stripe"
)

// Names lists every provider New builds: the five with packages of their own, then the
// issuers of package whoami.
var Names = append([]string{AzureDevOps, GitHub, GitLab, Slack, NPM}, whoamiNames()...)

// specs are the whoami issuers by name.
var specs = func() map[string]whoami.Spec {
	m := map[string]whoami.Spec{}
	for _, s := range whoami.Specs {
		m[s.Name] = s
	}
	return m
}()

func whoamiNames() []string {
	var out []string
	for _, s := range whoami.Specs {
		out = append(out, s.Name)
	}
	return out
}

// Capability is what patrol can do with a provider's tokens.
type Capability struct {
	// Verify: the provider answers whether a token is live (and whose it is).
	Verify bool
	// Revoke: the provider revokes a live token through its API.
	Revoke bool
}

// capabilities holds each provider's Capability; a provider that only verifies says so here.
var capabilities = map[string]Capability{
	AzureDevOps: {Verify: true, Revoke: true},
	GitHub:      {Verify: true, Revoke: true},
	GitLab:      {Verify: true, Revoke: true},
	Slack:       {Verify: true, Revoke: true},
	NPM:         {Verify: true, Revoke: true},
}

func init() {
	for _, s := range whoami.Specs {
		capabilities[s.Name] = Capability{Verify: true, Revoke: s.Revoke != nil}
	}
}

// Capabilities returns what patrol can do with the tokens of provider name; the zero
// Capability for "" or an unknown name.
func Capabilities(name string) Capability { return capabilities[name] }

// Options are the runtime settings shared by every provider. Zero fields take the defaults of
// revoke.ClientOptions.
type Options struct {
	// Version goes into the User-Agent "patrol/<version>".
	Version string
	// Logger receives debug lines about retries and lookups; nil discards.
	Logger *slog.Logger
	// Transport sends the requests; nil means a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Timeout bounds each HTTP attempt of every provider, over the config's CallTimeout;
	// zero means CallTimeout. MaxAttempts bounds retries.
	Timeout     time.Duration
	MaxAttempts int
	// Limiters override the per-provider pacing (DefaultLimits), by provider name.
	Limiters map[string]*rate.Limiter
	// Now, Sleep and Jitter are the clock and randomness; tests inject them.
	Now    func() time.Time
	Sleep  func(ctx context.Context, d time.Duration) error
	Jitter func() float64
}

// DefaultTimeout is the deadline of one provider call when the config sets none: a provider
// that accepts the connection and never answers costs each token this long, once (the
// verification is then unknown, and retried later).
const DefaultTimeout = 10 * time.Second

// DefaultLimits pace calls per provider, well under each one's documented budget: Azure DevOps
// 200 TSTUs per user per 5 minutes, GitHub 5000 an hour per token, GitLab.com 2000 a minute,
// Slack auth.revoke Tier 3 (50+ a minute), npm undocumented.
var DefaultLimits = map[string]struct {
	Every time.Duration
	Burst int
}{
	AzureDevOps: {200 * time.Millisecond, 5},
	GitHub:      {100 * time.Millisecond, 10},
	GitLab:      {100 * time.Millisecond, 10},
	Slack:       {time.Second, 5},
	NPM:         {200 * time.Millisecond, 5},
}

// whoamiLimit paces each whoami issuer: one self-check per fingerprint and interval is far
// under every documented budget (Discord 50 a second, Notion 3 a second, Postman 300 a
// minute, CircleCI and Heroku thousands an hour).
var whoamiLimit = struct {
	Every time.Duration
	Burst int
}{500 * time.Millisecond, 3}

func (o Options) client(name string, cfg Config) revoke.ClientOptions {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = cfg.CallTimeout(name)
	}
	lim := o.Limiters[name]
	if lim == nil {
		d, ok := DefaultLimits[name]
		if !ok {
			d = whoamiLimit
		}
		lim = rate.NewLimiter(rate.Every(d.Every), d.Burst)
	}
	return revoke.ClientOptions{
		Provider: name, Version: o.Version, Transport: o.Transport, Limiter: lim,
		Timeout: timeout, MaxAttempts: o.MaxAttempts, Logger: o.Logger,
		Now: o.Now, Sleep: o.Sleep, Jitter: o.Jitter,
	}
}

// New validates cfg and builds every provider, keyed by name.
func New(cfg Config, o Options) (map[string]revoke.Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	out := map[string]revoke.Provider{}
	add := func(name string, p revoke.Provider, err error) error {
		if err != nil {
			return fmt.Errorf("providers.%s: %w", name, err)
		}
		out[name] = p
		return nil
	}

	ado := azuredevops.Config{HTTP: o.client(AzureDevOps, cfg)}
	if a := cfg.AzureDevOps; a != nil {
		ado.BaseURL, ado.VSSPSURL, ado.Orgs = a.BaseURL, a.VSSPSURL, a.Orgs
		ado.Ambiguous = a.Ambiguous
		if a.AdminToken != "" {
			ado.AdminToken = secret.New(a.AdminToken)
		}
	}
	pa, err := azuredevops.New(ado)
	if err := add(AzureDevOps, pa, err); err != nil {
		return nil, err
	}

	gh := github.Config{HTTP: o.client(GitHub, cfg)}
	if cfg.GitHub != nil {
		gh.BaseURL = cfg.GitHub.BaseURL
	}
	pg, err := github.New(gh)
	if err := add(GitHub, pg, err); err != nil {
		return nil, err
	}

	pl, err := gitlab.New(gitlab.Config{BaseURL: base(cfg.GitLab), HTTP: o.client(GitLab, cfg)})
	if err := add(GitLab, pl, err); err != nil {
		return nil, err
	}
	ps, err := slack.New(slack.Config{BaseURL: base(cfg.Slack), HTTP: o.client(Slack, cfg)})
	if err := add(Slack, ps, err); err != nil {
		return nil, err
	}
	pn, err := npm.New(npm.Config{BaseURL: base(cfg.NPM), HTTP: o.client(NPM, cfg)})
	if err := add(NPM, pn, err); err != nil {
		return nil, err
	}
	for _, s := range whoami.Specs {
		pw, err := whoami.New(s, whoami.Config{BaseURL: base(cfg.section(s.Name)), HTTP: o.client(s.Name, cfg)})
		if err := add(s.Name, pw, err); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func base(c *BaseConfig) string {
	if c == nil {
		return ""
	}
	return c.BaseURL
}

// RevokePolicy is what provider's section says about revocation: allowed is true when it says
// revoke: true; explicit is true when it sets revoke at all, to true or to false. The caller
// combines it with --yes:
//
//	revoke: true   → (true, true)    revoke, with or without --yes
//	revoke: false  → (false, true)   never revoke, even with --yes (say why in the report)
//	no revoke key  → (false, false)  revoke only with --yes
//
// An unknown provider, or one without a section, is (false, false).
func (c Config) RevokePolicy(provider string) (allowed, explicit bool) {
	var v *bool
	switch provider {
	case AzureDevOps:
		if c.AzureDevOps != nil {
			v = c.AzureDevOps.Revoke
		}
	case GitHub:
		if c.GitHub != nil {
			v = c.GitHub.Revoke
		}
	default:
		if b := c.section(provider); b != nil {
			v = b.Revoke
		}
	}
	if v == nil {
		return false, false
	}
	return *v, true
}

// RevokeAllowed reports whether the config allows revoking provider's tokens without --yes
// (revoke: true in its section): the allowed half of RevokePolicy.
func (c Config) RevokeAllowed(provider string) bool {
	allowed, _ := c.RevokePolicy(provider)
	return allowed
}

// ConfirmTimeout is how long the pipeline's confirm step should keep calling Verify on a token
// whose revocation provider accepted, before it calls the revocation unconfirmed: the
// configured azuredevops.confirm_timeout, else the provider's DefaultConfirmTimeout (Azure
// DevOps 1h, as it documents; GitHub 2m; GitLab, Slack, npm and the whoami issuers 1m). An
// unknown provider gets
// the longest, Azure DevOps'.
func (c Config) ConfirmTimeout(provider string) time.Duration {
	switch provider {
	case AzureDevOps:
		if c.AzureDevOps != nil && c.AzureDevOps.ConfirmTimeout > 0 {
			return time.Duration(c.AzureDevOps.ConfirmTimeout)
		}
	case GitHub:
		return github.DefaultConfirmTimeout
	case GitLab:
		return gitlab.DefaultConfirmTimeout
	case Slack:
		return slack.DefaultConfirmTimeout
	case NPM:
		return npm.DefaultConfirmTimeout
	}
	if s, ok := specs[provider]; ok {
		return s.ConfirmWindow()
	}
	return azuredevops.DefaultConfirmTimeout
}

// CallTimeout is the deadline of one call to provider — one verification with its retries,
// and each HTTP attempt of any call: the provider's own timeout, else providers.timeout,
// else DefaultTimeout. A verification that runs out of time is unknown.
func (c Config) CallTimeout(provider string) time.Duration {
	var own Duration
	switch provider {
	case AzureDevOps:
		if c.AzureDevOps != nil {
			own = c.AzureDevOps.Timeout
		}
	case GitHub:
		if c.GitHub != nil {
			own = c.GitHub.Timeout
		}
	default:
		if b := c.section(provider); b != nil {
			own = b.Timeout
		}
	}
	switch {
	case own > 0:
		return time.Duration(own)
	case c.Timeout > 0:
		return time.Duration(c.Timeout)
	}
	return DefaultTimeout
}

// section returns the section of a provider configured by BaseConfig alone (every one but
// Azure DevOps and GitHub).
func (c Config) section(provider string) *BaseConfig {
	switch provider {
	case GitLab:
		return c.GitLab
	case Slack:
		return c.Slack
	case NPM:
		return c.NPM
	}
	if p := c.whoami(provider); p != nil {
		return *p
	}
	return nil
}

// whoami returns the field of a whoami issuer's section, or nil for another name.
func (c *Config) whoami(provider string) **BaseConfig {
	switch provider {
	case HuggingFace:
		return &c.HuggingFace
	case Doppler:
		return &c.Doppler
	case DigitalOcean:
		return &c.DigitalOcean
	case Postman:
		return &c.Postman
	case Telegram:
		return &c.Telegram
	case SendGrid:
		return &c.SendGrid
	case Cloudflare:
		return &c.Cloudflare
	case Datadog:
		return &c.Datadog
	case CircleCI:
		return &c.CircleCI
	case Buildkite:
		return &c.Buildkite
	case Notion:
		return &c.Notion
	case Heroku:
		return &c.Heroku
	case Discord:
		return &c.Discord
	case Stripe:
		return &c.Stripe
	}
	return nil
}

// Default returns the providers section with every provider at its cloud default and no
// revoke key set (only --yes revokes).
func Default() Config {
	c := Config{
		AzureDevOps: &AzureDevOpsConfig{
			BaseURL: azuredevops.DefaultBaseURL, VSSPSURL: azuredevops.DefaultVSSPSURL,
			Ambiguous: AmbiguousSkip, ConfirmTimeout: Duration(azuredevops.DefaultConfirmTimeout),
		},
		GitHub: &GitHubConfig{BaseConfig{BaseURL: github.DefaultBaseURL}},
		GitLab: &BaseConfig{BaseURL: gitlab.DefaultBaseURL},
		Slack:  &BaseConfig{BaseURL: slack.DefaultBaseURL},
		NPM:    &BaseConfig{BaseURL: npm.DefaultBaseURL},
	}
	for _, s := range whoami.Specs {
		*c.whoami(s.Name) = &BaseConfig{BaseURL: s.DefaultBaseURL}
	}
	return c
}
