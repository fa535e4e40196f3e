package providers_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/internal/revtest"
	"github.com/patrolsec/patrol/revoke/providers"
	"github.com/patrolsec/patrol/secret"
)

// TestWhoamiIssuers: every whoami issuer is built by New from its own section, honours its
// base_url, verifies, and revokes only where its issuer documents a self-revoke.
func TestWhoamiIssuers(t *testing.T) {
	t.Parallel()
	const doc = `
timeout: 3s
huggingface: {base_url: BASE/huggingface/}
doppler: {base_url: BASE/doppler/, revoke: true}
digitalocean: {base_url: BASE/digitalocean/}
postman: {base_url: BASE/postman/}
telegram: {base_url: BASE/telegram/}
sendgrid: {base_url: BASE/sendgrid/}
cloudflare: {base_url: BASE/cloudflare/}
datadog: {base_url: BASE/datadog/}
circleci: {base_url: BASE/circleci/}
buildkite: {base_url: BASE/buildkite/, revoke: false, timeout: 1s}
notion: {base_url: BASE/notion/}
heroku: {base_url: BASE/heroku/}
discord: {base_url: BASE/discord/}
stripe: {base_url: BASE/stripe/}
`
	fail := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }
	routes := map[string]http.HandlerFunc{
		"GET /huggingface/api/whoami-v2":               fail,
		"GET /doppler/v3/me":                           fail,
		"POST /doppler/v3/auth/revoke":                 fail,
		"GET /digitalocean/v2/account":                 fail,
		"GET /postman/me":                              fail,
		"GET /telegram/{bot}/getMe":                    fail,
		"GET /sendgrid/v3/scopes":                      fail,
		"GET /cloudflare/client/v4/user/tokens/verify": fail,
		"GET /datadog/api/v1/validate":                 fail,
		"GET /circleci/api/v2/me":                      fail,
		"GET /buildkite/v2/access-token":               fail,
		"DELETE /buildkite/v2/access-token":            fail,
		"GET /notion/v1/users/me":                      fail,
		"GET /heroku/account":                          fail,
		"GET /discord/api/v10/users/@me":               fail,
		"GET /stripe/v1/account":                       fail,
	}
	srv := revtest.NewServer(t, routes)
	var cfg providers.Config
	if err := yaml.UnmarshalWithOptions([]byte(strings.ReplaceAll(doc, "BASE", srv.URL)), &cfg, yaml.Strict()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	clk, log := revtest.NewClock(), &revtest.Log{}
	provs, err := providers.New(cfg, providers.Options{Version: "test", Logger: log.Logger(), MaxAttempts: 1,
		Now: clk.Now, Sleep: clk.Sleep, Jitter: func() float64 { return 0 }})
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	revokes := map[string]bool{providers.Doppler: true, providers.Buildkite: true}
	prefix := map[string]string{providers.Doppler: "dp.pt.", providers.DigitalOcean: "dop_v1_", providers.Telegram: "1234567:"}
	for _, name := range []string{providers.HuggingFace, providers.Doppler, providers.DigitalOcean, providers.Postman,
		providers.Telegram, providers.SendGrid, providers.Cloudflare, providers.Datadog, providers.CircleCI,
		providers.Buildkite, providers.Notion, providers.Heroku, providers.Discord, providers.Stripe} {
		t.Run(name, func(t *testing.T) {
			p := provs[name]
			if p == nil || p.Name() != name {
				t.Fatalf("New() has no provider %q", name)
			}
			if c := providers.Capabilities(name); !c.Verify || c.Revoke != revokes[name] {
				t.Errorf("Capabilities(%q) = %+v, want verify, revoke %v", name, c, revokes[name])
			}
			tok := secret.New(prefix[name] + revtest.Random(64, "abcdef0123456789"))
			v, err := p.Verify(t.Context(), tok, revoke.Hints{})
			if v.Status != revoke.StatusUnknown || !errors.Is(err, revoke.ErrServer) {
				t.Errorf("Verify() = %s, %v, want unknown, ErrServer (from the base_url's fake)", v.Status, err)
			}
			err2 := p.Revoke(t.Context(), tok, revoke.Verification{Status: revoke.StatusLive})
			want := revoke.ErrNotSupported
			if revokes[name] {
				want = revoke.ErrServer
			}
			if !errors.Is(err2, want) {
				t.Errorf("Revoke() = %v, want %v", err2, want)
			}
			revtest.NoLeak(t, tok, revtest.ErrText(err), revtest.ErrText(err2), log.String())
			if got := cfg.ConfirmTimeout(name); got != time.Minute {
				t.Errorf("ConfirmTimeout(%q) = %v, want 1m", name, got)
			}
		})
	}
	if allowed, explicit := cfg.RevokePolicy(providers.Doppler); !allowed || !explicit {
		t.Errorf("RevokePolicy(doppler) = %v, %v, want true, true", allowed, explicit)
	}
	if allowed, explicit := cfg.RevokePolicy(providers.Buildkite); allowed || !explicit {
		t.Errorf("RevokePolicy(buildkite) = %v, %v, want false, true", allowed, explicit)
	}
	if got := cfg.CallTimeout(providers.Buildkite); got != time.Second {
		t.Errorf("CallTimeout(buildkite) = %v, want its own 1s", got)
	}
	if got := cfg.CallTimeout(providers.Stripe); got != 3*time.Second {
		t.Errorf("CallTimeout(stripe) = %v, want providers.timeout 3s", got)
	}
	bad := providers.Config{Stripe: &providers.BaseConfig{BaseURL: "http://api.stripe.example/"}, Notion: &providers.BaseConfig{Timeout: -1},
		Heroku: &providers.BaseConfig{Revoke: new(true)}}
	err = bad.Validate()
	for _, key := range []string{"providers.stripe.base_url", "providers.notion.timeout", "providers.heroku.revoke: heroku documents no self-revoke"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("Validate() = %v, want %s named", err, key)
		}
	}
}
