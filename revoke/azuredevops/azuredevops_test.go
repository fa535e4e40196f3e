package azuredevops_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/azuredevops"
	"github.com/patrolsec/patrol/revoke/internal/revtest"
	"github.com/patrolsec/patrol/secret"
)

var (
	feb = time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC)
	jan = time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC)
)

type env struct {
	f   *fake
	clk *revtest.Clock
	log *revtest.Log
	p   *azuredevops.Provider
	tok secret.Token
	o   *owner
}

// setup builds a fake with jane, who owns tok (created Feb 2026, live in contoso) and others.
func setup(t *testing.T, onPrem bool, mod func(*azuredevops.Config), others ...*pat) *env {
	t.Helper()
	e := &env{f: newFake(t, onPrem), clk: revtest.NewClock(), log: &revtest.Log{}, tok: revtest.ADOToken(2026, 2)}
	leaked := newPAT(len(others), e.tok, feb)
	e.o = e.f.addOwner(&owner{
		vsid: "6f3c1a2e-0000-4000-8000-00000000ja9e", descriptor: "aad.ZjNjMWEyZS1qYW5l", name: "Jane Doe",
		account: "jane@contoso.com", mail: "jane.doe@contoso.com", orgs: []string{"contoso"},
		pats: append(others, leaked),
	})
	cfg := azuredevops.Config{
		BaseURL: e.f.api.URL + "/", VSSPSURL: e.f.vssps.URL + "/", Orgs: []string{"contoso"},
		AdminToken: secret.New(e.f.admin), HTTP: revtest.Options(e.clk, e.log),
	}
	if onPrem {
		cfg.BaseURL, cfg.VSSPSURL, cfg.Orgs = e.f.api.URL+coll, "", nil
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := azuredevops.New(cfg)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	e.p = p
	return e
}

func (e *env) noLeak(t *testing.T, errs ...error) {
	t.Helper()
	texts := []string{e.log.String()}
	for _, err := range errs {
		texts = append(texts, revtest.ErrText(err))
	}
	revtest.NoLeak(t, e.tok, texts...)
	revtest.NoLeak(t, secret.New(e.f.admin), texts...)
}

func TestVerify(t *testing.T) {
	t.Parallel()
	wantJane := revoke.Identity{
		ID: "6f3c1a2e-0000-4000-8000-00000000ja9e", Login: "jane@contoso.com", Name: "Jane Doe",
		Email: "jane@contoso.com", Org: "contoso", OrgID: instanceID("contoso"), Tenant: tenant,
		Descriptor: "aad.ZjNjMWEyZS1qYW5l",
	}
	tests := []struct {
		name      string
		mod       func(*azuredevops.Config)
		fake      func(*fake, *owner)
		hints     revoke.Hints
		want      revoke.Status
		wantID    func(revoke.Identity) revoke.Identity
		wantIs    error
		wantCalls int // connectionData calls
	}{
		{name: "live in configured org", want: revoke.StatusLive, wantCalls: 1},
		{
			name:  "org from the repository URL is tried first",
			mod:   func(c *azuredevops.Config) { c.Orgs = []string{"fabrikam"} },
			hints: revoke.Hints{Repository: "https://contoso@dev.azure.com/contoso/app/_git/app"},
			want:  revoke.StatusLive, wantCalls: 1,
		},
		{
			name:  "org from nearby text after a 401 elsewhere",
			mod:   func(c *azuredevops.Config) { c.Orgs = nil },
			hints: revoke.Hints{Repository: "git@ssh.dev.azure.com:v3/fabrikam/app/app", Text: `url = "https://contoso.visualstudio.com/DefaultCollection"`},
			want:  revoke.StatusLive, wantCalls: 2,
		},
		{
			name: "e-mail from Graph when the account is not one",
			fake: func(f *fake, o *owner) { o.account = "jane" },
			want: revoke.StatusLive, wantCalls: 1,
			wantID: func(id revoke.Identity) revoke.Identity {
				id.Login, id.Email = "jane", "jane.doe@contoso.com"
				return id
			},
		},
		{
			name: "e-mail from Identities when Graph refuses",
			fake: func(f *fake, o *owner) { o.account, f.graphFails = "jane", true },
			want: revoke.StatusLive, wantCalls: 1,
			wantID: func(id revoke.Identity) revoke.Identity {
				id.Login, id.Email = "jane", "jane.doe@contoso.com"
				return id
			},
		},
		{
			name: "descriptor from Graph when connectionData has none",
			fake: func(f *fake, o *owner) { o.noSubjectDescriptor = true },
			want: revoke.StatusLive, wantCalls: 1,
		},
		{
			name: "401 in every org is dead",
			mod:  func(c *azuredevops.Config) { c.Orgs = []string{"contoso", "fabrikam"} },
			fake: func(f *fake, o *owner) { o.orgs = nil },
			want: revoke.StatusDead, wantCalls: 2,
		},
		{
			name: "401 in one org, 500 in another is unknown",
			mod:  func(c *azuredevops.Config) { c.Orgs = []string{"contoso", "fabrikam"} },
			fake: func(f *fake, o *owner) {
				f.cdFn = func(w http.ResponseWriter, r *http.Request) {
					if r.PathValue("org") == "fabrikam" {
						w.WriteHeader(http.StatusInternalServerError)
						return
					}
					unauthorized(w)
				}
			},
			want: revoke.StatusUnknown, wantIs: revoke.ErrServer, wantCalls: 4,
		},
		{
			name: "403 is unknown",
			fake: func(f *fake, o *owner) {
				f.cdFn = func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }
			},
			want: revoke.StatusUnknown, wantIs: revoke.ErrForbidden, wantCalls: 1,
		},
		{
			name: "429 TF400733 with Retry-After is retried",
			fake: func(f *fake, o *owner) {
				n := 0
				f.cdFn = func(w http.ResponseWriter, r *http.Request) {
					if n++; n == 1 {
						w.Header().Set("Retry-After", "6")
						w.Header().Set("X-RateLimit-Resource", "Core")
						w.Header().Set("X-RateLimit-Remaining", "0")
						w.WriteHeader(http.StatusTooManyRequests)
						_, _ = w.Write([]byte(`{"message":"TF400733: Request was blocked due to exceeding usage of resource Core"}`))
						return
					}
					f.cdFn = nil
					f.connectionData(w, r)
				}
			},
			want: revoke.StatusLive, wantCalls: 2,
		},
		{
			name: "203 sign-in page is unknown",
			fake: func(f *fake, o *owner) {
				f.cdFn = func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					w.WriteHeader(http.StatusNonAuthoritativeInfo)
					_, _ = w.Write([]byte(`<html>Sign in</html>`))
				}
			},
			want: revoke.StatusUnknown, wantIs: revoke.ErrUnexpected, wantCalls: 1,
		},
		{
			name: "anonymous identity is unknown",
			fake: func(f *fake, o *owner) { f.anonymous = true },
			want: revoke.StatusUnknown, wantIs: revoke.ErrUnexpected, wantCalls: 1,
		},
		{
			name: "no organization is unknown",
			mod:  func(c *azuredevops.Config) { c.Orgs = nil },
			want: revoke.StatusUnknown, wantIs: revoke.ErrNoOrg,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, false, tt.mod)
			if tt.fake != nil {
				tt.fake(e.f, e.o)
			}
			got, err := e.p.Verify(t.Context(), e.tok, tt.hints)
			if tt.wantIs == nil && err != nil || tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Verify() error = %v, want %v", err, tt.wantIs)
			}
			if got.Status != tt.want {
				t.Errorf("Verify() status = %s, want %s", got.Status, tt.want)
			}
			if tt.want == revoke.StatusLive {
				want := wantJane
				if tt.wantID != nil {
					want = tt.wantID(want)
				}
				if diff := cmp.Diff(want, got.Identity); diff != "" {
					t.Errorf("identity (-want +got):\n%s", diff)
				}
			}
			if n := e.f.api.Calls("GET /{org}/_apis/connectionData"); n != tt.wantCalls {
				t.Errorf("connectionData calls = %d, want %d", n, tt.wantCalls)
			}
			e.noLeak(t, err)
		})
	}
}

func TestVerifySlow(t *testing.T) {
	t.Parallel()
	e := setup(t, false, func(c *azuredevops.Config) { c.HTTP.Timeout = 30 * time.Millisecond })
	e.f.cdFn = func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	got, err := e.p.Verify(t.Context(), e.tok, revoke.Hints{})
	if got.Status != revoke.StatusUnknown || !errors.Is(err, revoke.ErrTimeout) {
		t.Errorf("Verify() = %s, %v, want unknown, ErrTimeout", got.Status, err)
	}
	e.noLeak(t, err)
}

const connectionData = "GET /{org}/_apis/connectionData"

// revokeOnce verifies e.tok live, revokes it, and checks that Revoke neither called
// connectionData nor slept: confirming is the pipeline's own step.
func revokeOnce(t *testing.T, e *env) (string, error) {
	t.Helper()
	v, err := e.p.Verify(t.Context(), e.tok, revoke.Hints{})
	if err != nil || v.Status != revoke.StatusLive {
		t.Fatalf("Verify() = %s, %v, want live", v.Status, err)
	}
	before := e.f.api.Calls(connectionData)
	detail, err := e.p.RevokeDetail(t.Context(), e.tok, v)
	revtest.NoPoll(t, e.f.api, connectionData, before)
	return detail, err
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	other := func(i int, from time.Time, mod func(*pat)) *pat {
		p := newPAT(i, secret.Token{}, from)
		if mod != nil {
			mod(p)
		}
		return p
	}
	leakedID := func(n int) string { return newPAT(n, secret.Token{}, feb).authID }
	tests := []struct {
		name       string
		others     []*pat
		mod        func(*azuredevops.Config)
		c3id       bool
		deadAfter  int // connectionData accepts the revoked PAT this many more times
		wantIDs    [][]string
		wantIs     error
		wantDetail string
		wantPages  int
	}{
		{
			name:   "C3ID picks one among several",
			others: []*pat{other(0, feb, nil), other(1, feb, nil)},
			c3id:   true, deadAfter: 2,
			wantIDs: [][]string{{leakedID(2)}}, wantDetail: "crossCompanyCorrelatingId", wantPages: 1,
		},
		{
			name: "paging across three pages",
			others: func() []*pat {
				var ps []*pat
				for i := range 44 {
					ps = append(ps, other(i, feb, nil))
				}
				return ps
			}(),
			c3id:    true,
			wantIDs: [][]string{{leakedID(44)}}, wantPages: 3,
		},
		{
			name: "narrowing leaves one",
			others: []*pat{
				other(0, feb, func(p *pat) { p.isValid = false }),
				other(1, feb, func(p *pat) { p.validTo = feb.AddDate(0, 0, 5) }),
				other(2, feb, func(p *pat) { p.targets = []string{instanceID("fabrikam")} }),
			},
			wantIDs: [][]string{{leakedID(3)}}, wantPages: 1,
		},
		{
			name:    "creation month narrows",
			others:  []*pat{other(0, jan, nil)},
			wantIDs: [][]string{{leakedID(1)}}, wantDetail: "created 2026-02",
		},
		{
			name:       "ambiguous skip",
			others:     []*pat{other(0, feb.AddDate(0, 0, 3), nil)},
			wantIs:     revoke.ErrAmbiguous,
			wantDetail: "policy ambiguous: skip",
		},
		{
			name:       "ambiguous revoke_all",
			others:     []*pat{other(0, feb.AddDate(0, 0, 3), nil)},
			mod:        func(c *azuredevops.Config) { c.Ambiguous = azuredevops.AmbiguousRevokeAll },
			wantIDs:    [][]string{{leakedID(0), leakedID(1)}},
			wantDetail: "policy ambiguous: revoke_all",
		},
		{
			// Azure DevOps keeps the PAT working after the 204; Revoke does not wait for it.
			name:      "still live after the revocation was accepted",
			c3id:      true,
			deadAfter: 1 << 30,
			wantIDs:   [][]string{{leakedID(0)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, false, tt.mod, tt.others...)
			e.o.pats[len(e.o.pats)-1].c3id = tt.c3id
			e.f.deadAfter = tt.deadAfter
			detail, err := revokeOnce(t, e)
			if tt.wantIs == nil && err != nil || tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Fatalf("RevokeDetail() = %v, want %v", err, tt.wantIs)
			}
			if tt.wantDetail != "" && !strings.Contains(detail+revtest.ErrText(err), tt.wantDetail) {
				t.Errorf("detail %q / error %v do not say %q", detail, err, tt.wantDetail)
			}
			if diff := cmp.Diff(tt.wantIDs, e.f.revocations); diff != "" {
				t.Errorf("revoked ids (-want +got):\n%s", diff)
			}
			if tt.wantPages > 0 {
				if n := e.f.vssps.Calls("GET /{org}/_apis/tokenadmin/personalaccesstokens/{descriptor}"); n != tt.wantPages {
					t.Errorf("list calls = %d, want %d", n, tt.wantPages)
				}
			}
			if err == nil {
				// What the pipeline's confirm step sees: Verify answers live while Azure
				// DevOps still accepts the PAT (deadAfter times), then dead.
				for range min(tt.deadAfter, 3) {
					revtest.WantVerify(t, e.p, e.tok, revoke.StatusLive)
				}
				if tt.deadAfter <= 3 {
					revtest.WantVerify(t, e.p, e.tok, revoke.StatusDead)
				}
			}
			e.noLeak(t, err)
		})
	}
}

func TestRevokeRefusals(t *testing.T) {
	t.Parallel()
	t.Run("no admin token", func(t *testing.T) {
		t.Parallel()
		e := setup(t, false, func(c *azuredevops.Config) { c.AdminToken = secret.Token{} })
		_, err := revokeOnce(t, e)
		if !errors.Is(err, revoke.ErrNotSupported) {
			t.Errorf("Revoke() = %v, want ErrNotSupported", err)
		}
		if n := e.f.vssps.Total(); n != 0 {
			t.Errorf("vssps calls = %d, want 0", n)
		}
	})
	t.Run("admin token rejected is a failure, not dead", func(t *testing.T) {
		t.Parallel()
		e := setup(t, false, func(c *azuredevops.Config) { c.AdminToken = revtest.ADOToken(2026, 3) })
		_, err := revokeOnce(t, e)
		if !errors.Is(err, revoke.ErrUnauthorized) || !strings.Contains(err.Error(), "as admin") {
			t.Errorf("Revoke() = %v, want an admin ErrUnauthorized", err)
		}
		if len(e.f.revocations) != 0 {
			t.Errorf("revocations = %v, want none", e.f.revocations)
		}
		e.noLeak(t, err)
	})
	t.Run("not live", func(t *testing.T) {
		t.Parallel()
		e := setup(t, false, nil)
		err := e.p.Revoke(t.Context(), e.tok, revoke.Verification{Status: revoke.StatusUnknown})
		if !errors.Is(err, revoke.ErrNotLive) || e.f.api.Total()+e.f.vssps.Total() != 0 {
			t.Errorf("Revoke(unknown) = %v, want ErrNotLive and no calls", err)
		}
	})
	t.Run("no candidate", func(t *testing.T) {
		t.Parallel()
		e := setup(t, false, nil)
		e.o.pats[0].validTo = feb // expired per the list, though connectionData accepted it
		_, err := revokeOnce(t, e)
		if !errors.Is(err, revoke.ErrNoMatch) {
			t.Errorf("Revoke() = %v, want ErrNoMatch", err)
		}
	})
}

func TestOnPrem(t *testing.T) {
	t.Parallel()
	e := setup(t, true, nil, newPAT(0, secret.Token{}, jan))
	e.o.account = `CONTOSO\jane`
	e.o.noSubjectDescriptor = true
	legacy := revtest.ADOLegacyToken()
	e.o.pats[0].token = legacy.Reveal()
	v, err := e.p.Verify(t.Context(), e.tok, revoke.Hints{Repository: "https://dev.azure.com/elsewhere/x/_git/y"})
	if err != nil || v.Status != revoke.StatusLive {
		t.Fatalf("Verify() = %s, %v, want live", v.Status, err)
	}
	want := revoke.Identity{
		ID: e.o.vsid, Login: `CONTOSO\jane`, Name: "Jane Doe", Email: "jane.doe@contoso.com",
		Org: "DefaultCollection", OrgID: instanceID("DefaultCollection"), Descriptor: e.o.descriptor,
	}
	if diff := cmp.Diff(want, v.Identity); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
	before := e.f.api.Calls("GET /tfs/{org}/_apis/connectionData")
	if err := e.p.Revoke(t.Context(), e.tok, v); err != nil {
		t.Fatalf("Revoke() = %v", err)
	}
	if diff := cmp.Diff([][]string{{e.o.pats[1].authID}}, e.f.revocations); diff != "" {
		t.Errorf("revoked (-want +got):\n%s", diff)
	}
	revtest.NoPoll(t, e.f.api, "GET /tfs/{org}/_apis/connectionData", before)
	revtest.WantVerify(t, e.p, e.tok, revoke.StatusDead)
	e.noLeak(t)
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	for _, cfg := range []azuredevops.Config{
		{BaseURL: "dev.azure.com"},
		{VSSPSURL: "https://user:pw@vssps.example/"},
		{Ambiguous: "maybe"},
	} {
		if _, err := azuredevops.New(cfg); err == nil || strings.Contains(err.Error(), "pw") {
			t.Errorf("New(%+v) = %v, want an error without credentials", cfg, err)
		}
	}
}
