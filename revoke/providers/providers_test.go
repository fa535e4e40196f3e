package providers_test

import (
	"errors"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/internal/revtest"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/secret"
)

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	got, err := providers.New(providers.Config{}, providers.Options{})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	var names []string
	for k, p := range got {
		if p.Name() != k {
			t.Errorf("provider %q names itself %q", k, p.Name())
		}
		names = append(names, k)
	}
	sort.Strings(names)
	want := append([]string(nil), providers.Names...)
	sort.Strings(want)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}
	if err := providers.Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
	if _, err := providers.New(providers.Default(), providers.Options{}); err != nil {
		t.Errorf("New(Default()) = %v", err)
	}
}

func TestNewInvalid(t *testing.T) {
	t.Parallel()
	_, err := providers.New(providers.Config{AzureDevOps: &providers.AzureDevOpsConfig{Ambiguous: "x"}}, providers.Options{})
	if err == nil {
		t.Error("New(invalid) = nil error")
	}
}

func TestRevokePolicy(t *testing.T) {
	t.Parallel()
	cfg := providers.Config{
		AzureDevOps: &providers.AzureDevOpsConfig{Revoke: new(true), AdminToken: "x"},
		GitHub:      &providers.GitHubConfig{providers.BaseConfig{Revoke: new(false)}},
		GitLab:      &providers.BaseConfig{Revoke: new(true)},
		Slack:       &providers.BaseConfig{},
	}
	tests := []struct {
		name              string
		allowed, explicit bool
	}{
		{name: "azuredevops", allowed: true, explicit: true},
		{name: "github", allowed: false, explicit: true},
		{name: "gitlab", allowed: true, explicit: true},
		{name: "slack", allowed: false, explicit: false},
		{name: "npm", allowed: false, explicit: false},
		{name: "other", allowed: false, explicit: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			allowed, explicit := cfg.RevokePolicy(tt.name)
			if allowed != tt.allowed || explicit != tt.explicit {
				t.Errorf("RevokePolicy(%q) = %v, %v, want %v, %v", tt.name, allowed, explicit, tt.allowed, tt.explicit)
			}
			if got := cfg.RevokeAllowed(tt.name); got != tt.allowed {
				t.Errorf("RevokeAllowed(%q) = %v, want %v", tt.name, got, tt.allowed)
			}
		})
	}
	if allowed, explicit := (providers.Config{}).RevokePolicy("github"); allowed || explicit {
		t.Errorf("RevokePolicy with no section = %v, %v, want false, false", allowed, explicit)
	}
}

func TestConfirmTimeout(t *testing.T) {
	t.Parallel()
	set := providers.Config{AzureDevOps: &providers.AzureDevOpsConfig{ConfirmTimeout: providers.Duration(20 * time.Minute)}}
	tests := []struct {
		name     string
		cfg      providers.Config
		provider string
		want     time.Duration
	}{
		{name: "azuredevops default", provider: "azuredevops", want: time.Hour},
		{name: "azuredevops from Default()", cfg: providers.Default(), provider: "azuredevops", want: time.Hour},
		{name: "azuredevops configured", cfg: set, provider: "azuredevops", want: 20 * time.Minute},
		{name: "github", cfg: set, provider: "github", want: 2 * time.Minute},
		{name: "gitlab", provider: "gitlab", want: time.Minute},
		{name: "slack", provider: "slack", want: time.Minute},
		{name: "npm", provider: "npm", want: time.Minute},
		{name: "unknown gets the longest", provider: "other", want: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.cfg.ConfirmTimeout(tt.provider); got != tt.want {
				t.Errorf("ConfirmTimeout(%q) = %v, want %v", tt.provider, got, tt.want)
			}
		})
	}
}

// TestNoTokenInErrorsOrLogs drives every provider through failing calls (500 with retries,
// then revoke attempts) and checks that no error text and no debug log line carries a token or
// an Authorization value. It also proves New honours each base_url.
func TestNoTokenInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	fail := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"message":"boom"}`))
	}
	srv := revtest.NewServer(t, map[string]http.HandlerFunc{
		"GET /ado/contoso/_apis/connectionData":                        fail,
		"GET /vssps/contoso/_apis/tokenadmin/personalaccesstokens/{d}": fail,
		"GET /gh/user":                                  fail,
		"POST /gh/credentials/revoke":                   fail,
		"GET /gl/api/v4/personal_access_tokens/self":    fail,
		"DELETE /gl/api/v4/personal_access_tokens/self": fail,
		"POST /slack/api/auth.test":                     fail,
		"POST /slack/api/auth.revoke":                   fail,
		"GET /npm/-/whoami":                             fail,
		"DELETE /npm/-/npm/v1/tokens/token/{t}":         fail,
	})
	admin := revtest.ADOToken(2025, 7)
	cfg := providers.Config{
		AzureDevOps: &providers.AzureDevOpsConfig{BaseURL: srv.URL + "/ado/", VSSPSURL: srv.URL + "/vssps/", Orgs: []string{"contoso"}, AdminToken: admin.Reveal(), Revoke: new(true)},
		GitHub:      &providers.GitHubConfig{providers.BaseConfig{BaseURL: srv.URL + "/gh/"}},
		GitLab:      &providers.BaseConfig{BaseURL: srv.URL + "/gl/"},
		Slack:       &providers.BaseConfig{BaseURL: srv.URL + "/slack/api/"},
		NPM:         &providers.BaseConfig{BaseURL: srv.URL + "/npm/"},
	}
	clk, log := revtest.NewClock(), &revtest.Log{}
	provs, err := providers.New(cfg, providers.Options{
		Version: "test", Logger: log.Logger(), Timeout: time.Second, MaxAttempts: 2,
		Now: clk.Now, Sleep: clk.Sleep, Jitter: func() float64 { return 0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]secret.Token{
		"azuredevops": revtest.ADOToken(2026, 2),
		"github":      revtest.GitHubToken("ghp_"),
		"gitlab":      revtest.GitLabToken(),
		"slack":       revtest.SlackToken(),
		"npm":         revtest.NPMToken(),
	}
	var texts []string
	for name, tok := range tokens {
		p := provs[name]
		v, err := p.Verify(t.Context(), tok, revoke.Hints{})
		if v.Status != revoke.StatusUnknown || !errors.Is(err, revoke.ErrServer) {
			t.Errorf("%s: Verify() = %s, %v, want unknown, ErrServer", name, v.Status, err)
		}
		texts = append(texts, revtest.ErrText(err))
		live := revoke.Verification{Status: revoke.StatusLive, Identity: revoke.Identity{ID: "1", Org: "contoso", Descriptor: "aad.x"}}
		err = p.Revoke(t.Context(), tok, live)
		if !errors.Is(err, revoke.ErrServer) {
			t.Errorf("%s: Revoke() = %v, want ErrServer", name, err)
		}
		texts = append(texts, revtest.ErrText(err))
	}
	texts = append(texts, log.String())
	if log.String() == "" {
		t.Error("no debug log lines were written; the check would prove nothing")
	}
	for _, tok := range tokens {
		revtest.NoLeak(t, tok, texts...)
	}
	revtest.NoLeak(t, admin, texts...)
}
