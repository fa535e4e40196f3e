package providers

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/patrolsec/patrol/internal/httpx"
)

// Ambiguity policies for Azure DevOps, in AzureDevOpsConfig.Ambiguous.
const (
	// AmbiguousSkip leaves every candidate alone when the leaked PAT cannot be told apart from
	// the owner's other PATs, and reports why. It is the default.
	AmbiguousSkip = "skip"
	// AmbiguousRevokeAll revokes every remaining candidate PAT of the owner.
	AmbiguousRevokeAll = "revoke_all"
)

// Config is the providers section of patrol.yaml. A nil section means the provider runs with
// its cloud defaults and no revoke policy of its own (only --yes revokes).
type Config struct {
	// Timeout is the deadline of one provider call (see CallTimeout) for every provider
	// whose section does not set its own; zero means DefaultTimeout.
	Timeout     Duration           `yaml:"timeout"`
	AzureDevOps *AzureDevOpsConfig `yaml:"azuredevops"`
	GitHub      *GitHubConfig      `yaml:"github"`
	GitLab      *BaseConfig        `yaml:"gitlab"`
	Slack       *BaseConfig        `yaml:"slack"`
	NPM         *BaseConfig        `yaml:"npm"`

	// The issuers checked through their "who am I" call (package whoami). Only buildkite and
	// doppler revoke; base_url points the others at a fake, a proxy or, for datadog, the
	// organization's site (https://api.datadoghq.eu/).
	HuggingFace  *BaseConfig `yaml:"huggingface"`
	Doppler      *BaseConfig `yaml:"doppler"`
	DigitalOcean *BaseConfig `yaml:"digitalocean"`
	Postman      *BaseConfig `yaml:"postman"`
	Telegram     *BaseConfig `yaml:"telegram"`
	SendGrid     *BaseConfig `yaml:"sendgrid"`
	Cloudflare   *BaseConfig `yaml:"cloudflare"`
	Datadog      *BaseConfig `yaml:"datadog"`
	CircleCI     *BaseConfig `yaml:"circleci"`
	Buildkite    *BaseConfig `yaml:"buildkite"`
	Notion       *BaseConfig `yaml:"notion"`
	Heroku       *BaseConfig `yaml:"heroku"`
	Discord      *BaseConfig `yaml:"discord"`
	Stripe       *BaseConfig `yaml:"stripe"`
}

// BaseConfig holds the keys every provider has.
type BaseConfig struct {
	// BaseURL is the API root; empty means the cloud default (see the provider's package).
	BaseURL string `yaml:"base_url"`
	// Revoke is the revoke policy for this provider; see Config.RevokePolicy. nil (the key is
	// absent) leaves the choice to --yes; true allows revocation without --yes; an explicit
	// false forbids it, even with --yes.
	Revoke *bool `yaml:"revoke"`
	// Timeout is this provider's call deadline (see Config.CallTimeout); zero means the
	// section-wide providers.timeout.
	Timeout Duration `yaml:"timeout"`
}

// GitHubConfig configures github.com or GitHub Enterprise Server (base_url
// https://{host}/api/v3/).
type GitHubConfig struct {
	BaseConfig `yaml:",inline"`
}

// AzureDevOpsConfig configures Azure DevOps Services or an Azure DevOps Server / TFS
// collection (base_url = collection URL; vssps_url empty or the same URL).
type AzureDevOpsConfig struct {
	// BaseURL is https://dev.azure.com/ or an on-prem collection URL.
	BaseURL string `yaml:"base_url"`
	// VSSPSURL hosts tokenadmin and graph: https://vssps.dev.azure.com/; on-prem leave it empty
	// (it then equals BaseURL).
	VSSPSURL string `yaml:"vssps_url"`
	// Orgs are the organizations tried when the finding does not name one.
	Orgs []string `yaml:"orgs"`
	// AdminToken is a Project Collection Administrator PAT with vso.tokenadministration; without
	// it patrol can verify but not revoke.
	AdminToken string `yaml:"admin_token"`
	// Revoke is the revoke policy, as BaseConfig.Revoke.
	Revoke *bool `yaml:"revoke"`
	// Ambiguous is AmbiguousSkip (default) or AmbiguousRevokeAll.
	Ambiguous string `yaml:"ambiguous"`
	// ConfirmTimeout is how long the pipeline's confirm step keeps checking a revoked PAT with
	// Verify before it calls the revocation unconfirmed; zero means
	// azuredevops.DefaultConfirmTimeout (1h: Azure DevOps documents that a revoked PAT may
	// keep working that long). See Config.ConfirmTimeout.
	ConfirmTimeout Duration `yaml:"confirm_timeout"`
	// Timeout is as BaseConfig.Timeout.
	Timeout Duration `yaml:"timeout"`
}

// Duration is a time.Duration written as "90s", "15m" or "1h" in YAML.
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like 90s, 15m or 1h", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// String returns the duration as time.Duration prints it.
func (d Duration) String() string { return time.Duration(d).String() }

// orgName is what Azure DevOps accepts as an organization name (letters, digits, hyphens;
// on-prem collection names may also hold dots, underscores and spaces, but those come with the
// collection URL, not in orgs).
var orgName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$`)

// Validate reports every problem in c, each naming its key path, joined into one error.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("providers.%s: "+format, append([]any{key}, args...)...))
	}
	checkURL := func(key, raw string) {
		if raw == "" {
			return
		}
		u, err := url.Parse(raw)
		switch {
		case err != nil || u.Host == "":
			bad(key, "%q is not an absolute URL", raw)
		case u.Scheme != "https" && u.Scheme != "http":
			bad(key, "%q: scheme must be https or http", raw)
		case u.User != nil:
			bad(key, "%q: credentials do not belong in the URL", httpx.RedactURL(raw))
		case u.RawQuery != "" || u.Fragment != "":
			bad(key, "%q: no query or fragment allowed", httpx.RedactURL(raw))
		}
		// Plain http would carry the admin token and the leaked tokens unencrypted (issue 15):
		// only to loopback, a local fake or proxy, where nothing crosses a network.
		if err == nil && u.Host != "" && u.Scheme == "http" && !httpx.Loopback(u.Hostname()) {
			bad(key, "%q: http would send tokens unencrypted; use https (http is for loopback only)", "http://"+u.Host)
		}
	}
	if c.Timeout < 0 {
		bad("timeout", "%s is negative", c.Timeout)
	}
	if a := c.AzureDevOps; a != nil {
		if a.Timeout < 0 {
			bad("azuredevops.timeout", "%s is negative", a.Timeout)
		}
		checkURL("azuredevops.base_url", a.BaseURL)
		checkURL("azuredevops.vssps_url", a.VSSPSURL)
		for i, o := range a.Orgs {
			if !orgName.MatchString(o) {
				bad(fmt.Sprintf("azuredevops.orgs[%d]", i), "%q is not an organization name", o)
			}
		}
		switch a.Ambiguous {
		case "", AmbiguousSkip, AmbiguousRevokeAll:
		default:
			bad("azuredevops.ambiguous", "%q is not %s or %s", a.Ambiguous, AmbiguousSkip, AmbiguousRevokeAll)
		}
		if a.ConfirmTimeout < 0 {
			bad("azuredevops.confirm_timeout", "%s is negative", a.ConfirmTimeout)
		}
		if a.Revoke != nil && *a.Revoke && a.AdminToken == "" {
			bad("azuredevops.admin_token", "required when revoke is true (a Project Collection Administrator PAT with vso.tokenadministration)")
		}
	}
	var github *BaseConfig
	if c.GitHub != nil {
		github = &c.GitHub.BaseConfig
	}
	if github != nil {
		checkURL("github.base_url", github.BaseURL)
		if github.Timeout < 0 {
			bad("github.timeout", "%s is negative", github.Timeout)
		}
	}
	for _, name := range Names {
		if p := c.section(name); p != nil {
			checkURL(name+".base_url", p.BaseURL)
			if p.Timeout < 0 {
				bad(name+".timeout", "%s is negative", p.Timeout)
			}
			if p.Revoke != nil && *p.Revoke && !Capabilities(name).Revoke {
				bad(name+".revoke", "%s documents no self-revoke, so patrol can only verify its tokens (the owner's email links where to rotate them)", name)
			}
		}
	}
	return errors.Join(errs...)
}
