package providers

import (
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

func TestConfigDecode(t *testing.T) {
	t.Parallel()
	const doc = `
azuredevops: {base_url: https://dev.azure.com/, vssps_url: https://vssps.dev.azure.com/, orgs: [contoso], admin_token: x, revoke: true, ambiguous: skip, confirm_timeout: 1h}
github: {base_url: https://api.github.com/, revoke: true}
gitlab: {base_url: https://gitlab.com/, revoke: true}
slack:  {base_url: https://slack.com/api/, revoke: true}
npm:    {base_url: https://registry.npmjs.org/, revoke: true}
`
	var c Config
	if err := yaml.UnmarshalWithOptions([]byte(doc), &c, yaml.Strict()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil", err)
	}
	if got := time.Duration(c.AzureDevOps.ConfirmTimeout); got != time.Hour {
		t.Errorf("confirm_timeout = %v, want 1h", got)
	}
	if c.GitHub.BaseURL != "https://api.github.com/" || c.GitHub.Revoke == nil || !*c.GitHub.Revoke {
		t.Errorf("github = %+v", c.GitHub)
	}
	if c.AzureDevOps.Orgs[0] != "contoso" || c.NPM.BaseURL != "https://registry.npmjs.org/" {
		t.Errorf("decoded = %+v", c)
	}
}

// TestRevokePolicyDecode proves that the YAML tells an explicit revoke: false apart from an
// absent key (issue 15: an explicit false must win over --yes).
func TestRevokePolicyDecode(t *testing.T) {
	t.Parallel()
	const doc = `
azuredevops: {orgs: [contoso], revoke: false}
github: {revoke: true}
gitlab: {base_url: https://gitlab.com/}
slack: {revoke: false}
`
	var c Config
	if err := yaml.UnmarshalWithOptions([]byte(doc), &c, yaml.Strict()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() = %v, want nil (revoke: false needs no admin_token)", err)
	}
	type policy struct{ Allowed, Explicit bool }
	want := map[string]policy{
		AzureDevOps: {false, true},
		GitHub:      {true, true},
		GitLab:      {false, false},
		Slack:       {false, true},
		NPM:         {false, false},
	}
	for name, w := range want {
		allowed, explicit := c.RevokePolicy(name)
		if got := (policy{allowed, explicit}); got != w {
			t.Errorf("RevokePolicy(%q) = %v, %v, want %v, %v", name, allowed, explicit, w.Allowed, w.Explicit)
		}
	}
}

func TestConfigDecodeBadDuration(t *testing.T) {
	t.Parallel()
	var c Config
	err := yaml.Unmarshal([]byte("azuredevops: {confirm_timeout: soon}"), &c)
	if err == nil || !strings.Contains(err.Error(), "soon") {
		t.Errorf("decode = %v, want error naming the value", err)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{name: "empty", cfg: Config{}},
		{
			name: "ambiguous",
			cfg:  Config{AzureDevOps: &AzureDevOpsConfig{Ambiguous: "x"}},
			want: []string{`providers.azuredevops.ambiguous: "x" is not skip or revoke_all`},
		},
		{
			name: "every problem joined",
			cfg: Config{
				AzureDevOps: &AzureDevOpsConfig{BaseURL: "dev.azure.com", Orgs: []string{"ok", "no/slash"}, Revoke: new(true), ConfirmTimeout: -1},
				GitHub:      &GitHubConfig{BaseConfig{BaseURL: "ftp://x/"}},
				GitLab:      &BaseConfig{BaseURL: "https://gitlab.example.com/?private_token=abc"},
				NPM:         &BaseConfig{BaseURL: "https://user:pw@registry.example.com/"},
			},
			want: []string{
				`providers.azuredevops.base_url: "dev.azure.com" is not an absolute URL`,
				`providers.azuredevops.orgs[1]: "no/slash" is not an organization name`,
				`providers.azuredevops.confirm_timeout: -1ns is negative`,
				`providers.azuredevops.admin_token: required when revoke is true`,
				`providers.github.base_url: "ftp://x/": scheme must be https or http`,
				`providers.gitlab.base_url:`,
				`providers.npm.base_url: "https://registry.example.com/": credentials do not belong in the URL`,
			},
		},
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
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "pw@") || strings.Contains(err.Error(), "abc") {
				t.Errorf("Validate() = %q leaks URL credentials", err)
			}
		})
	}
}

// TestCallTimeout: a provider's own timeout, else providers.timeout, else DefaultTimeout;
// negative values are refused with their key.
func TestCallTimeout(t *testing.T) {
	t.Parallel()
	const doc = `
timeout: 4s
github: {timeout: 2s}
gitlab: {base_url: https://gitlab.com/}
azuredevops: {timeout: 1m}
`
	var c Config
	if err := yaml.UnmarshalWithOptions([]byte(doc), &c, yaml.Strict()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	for provider, want := range map[string]time.Duration{"github": 2 * time.Second, "gitlab": 4 * time.Second,
		"slack": 4 * time.Second, "azuredevops": time.Minute} {
		if got := c.CallTimeout(provider); got != want {
			t.Errorf("CallTimeout(%s) = %v, want %v", provider, got, want)
		}
	}
	if got := (Config{}).CallTimeout("npm"); got != DefaultTimeout {
		t.Errorf("CallTimeout without a config = %v, want DefaultTimeout (%v)", got, DefaultTimeout)
	}
	bad := Config{Timeout: Duration(-time.Second), NPM: &BaseConfig{Timeout: Duration(-time.Second)}}
	err := bad.Validate()
	for _, key := range []string{"providers.timeout", "providers.npm.timeout"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("Validate(negative timeouts) = %v, want %s named", err, key)
		}
	}
}
