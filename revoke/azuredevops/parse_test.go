package azuredevops_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/revoke/azuredevops"
	"github.com/patrolsec/patrol/revoke/internal/revtest"
)

func TestC3ID(t *testing.T) {
	t.Parallel()
	// PROVIDERS.md §1.1.3 test vector.
	if got, want := azuredevops.C3ID("test"), "rPHgxCVAOw6CZsT9xXEw"; got != want {
		t.Errorf("C3ID(test) = %q, want %q", got, want)
	}
}

func TestOrgsFrom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"https://dev.azure.com/contoso/proj/_git/repo", []string{"contoso"}},
		{"https://contoso@dev.azure.com/contoso/proj/_git/repo", []string{"contoso"}},
		{"https://contoso.visualstudio.com/DefaultCollection/proj/_git/repo", []string{"contoso"}},
		{"https://contoso.vssps.visualstudio.com/_apis", []string{"contoso"}},
		{"git@ssh.dev.azure.com:v3/contoso/proj/repo", []string{"contoso"}},
		{"contoso@vs-ssh.visualstudio.com:v3/contoso/proj/repo", []string{"contoso"}},
		{"https://vssps.dev.azure.com/Fabrikam/_apis/x and https://dev.azure.com/contoso/ and dev.azure.com/fabrikam", []string{"Fabrikam", "contoso"}},
		{"https://app.vssps.visualstudio.com/_apis/profile", nil},
		{"https://dev.azure.com/_apis/x", nil},
		{"https://github.com/contoso/repo", nil},
		{"/srv/repos/legacy", nil},
		{"https://notdev.azure.com/contoso/", nil},
	}
	for _, tt := range tests {
		if got := azuredevops.OrgsFrom(tt.in, 10); !cmp.Equal(got, tt.want) {
			t.Errorf("OrgsFrom(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseTokenPage(t *testing.T) {
	t.Parallel()
	b := []byte(`{"value":[{"authorizationId":"952858d3-7084-4635-964e-3c2a57645185","displayName":"ci","scope":"app_token",
		"validFrom":"2026-02-10T09:00:00.1234567Z","validTo":"2026-05-10T09:00:00","targetAccounts":null,"isValid":true,
		"isPublic":false,"token":null,"crossCompanyCorrelatingId":"rPHgxCVAOw6CZsT9xXEw"},{"displayName":"no id"}],
		"continuationToken":null}`)
	got, err := azuredevops.ParseTokenPage(b)
	if err != nil {
		t.Fatal(err)
	}
	want := azuredevops.TokenPage{Value: []azuredevops.SessionToken{{
		AuthorizationID: "952858d3-7084-4635-964e-3c2a57645185", DisplayName: "ci", Scope: "app_token",
		ValidFrom: time.Date(2026, 2, 10, 9, 0, 0, 123456700, time.UTC), ValidTo: time.Date(2026, 5, 10, 9, 0, 0, 0, time.UTC),
		IsValid: true, CrossCompanyCorrelatingID: "rPHgxCVAOw6CZsT9xXEw",
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseTokenPage (-want +got):\n%s", diff)
	}
}

func TestPickLegacyHasNoDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	pats := []azuredevops.SessionToken{
		{AuthorizationID: "a", IsValid: true, ValidFrom: jan, ValidTo: now.AddDate(0, 1, 0)},
		{AuthorizationID: "b", IsValid: true, ValidFrom: feb, ValidTo: now.AddDate(0, 1, 0)},
	}
	got := azuredevops.Pick(revtest.ADOLegacyToken().Reveal(), pats, "", now)
	if len(got.IDs) != 2 || !strings.Contains(got.Reason, "2 of 2") {
		t.Errorf("Pick(legacy) = %+v, want both candidates", got)
	}
}

func FuzzParsers(f *testing.F) {
	f.Add([]byte(`{"authenticatedUser":{"id":"x","descriptor":"Microsoft.IdentityModel.Claims.ClaimsIdentity;t\\u","properties":{"Account":{"$type":"System.String","$value":"a@b"}}},"instanceId":"i"}`))
	f.Add([]byte(`{"value":[{"authorizationId":"a","validFrom":"2026-02-10T09:00:00Z","targetAccounts":["x"]}],"continuationToken":"c"}`))
	f.Add([]byte(`https://contoso@dev.azure.com/contoso/p/_git/r ssh.dev.azure.com:v3/x/ y.visualstudio.com`))
	f.Add([]byte(`{"authenticatedUser":{"properties":{"Account":{"$value":7}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if cd, err := azuredevops.ParseConnectionData(b); err == nil {
			_ = cd.AuthenticatedUser.Prop("Account")
			_ = cd.AuthenticatedUser.Tenant()
			_ = cd.AuthenticatedUser.Anonymous()
		}
		if p, err := azuredevops.ParseTokenPage(b); err == nil {
			for _, s := range p.Value {
				if s.AuthorizationID == "" {
					t.Errorf("ParseTokenPage kept an entry without authorizationId")
				}
			}
			_ = azuredevops.Pick(string(b), p.Value, "x", time.Now())
		}
		orgs := azuredevops.OrgsFrom(string(b), 3)
		if len(orgs) > 3 {
			t.Errorf("OrgsFrom returned %d orgs, max 3", len(orgs))
		}
		for _, o := range orgs {
			if o == "" || len(o) > 50 || strings.ContainsAny(o, "/:@ ") {
				t.Errorf("OrgsFrom returned %q", o)
			}
		}
	})
}
