package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/revoke/azuredevops"
)

// fakeADO is Azure DevOps as PROVIDERS.md §1.2–1.3 documents it: connectionData on the org
// host; Token Admin on vssps, with an org admin's PAT; Basic auth with an empty user name and
// X-TFS-FedAuthRedirect: Suppress on every call; 401 for a bad PAT; 204 for a revocation.
type fakeADO struct {
	t            *testing.T
	leaked       string
	admin        string
	mu           sync.Mutex
	revoked      bool
	revocations  [][]string
	checks       int
	orgsTried    []string
	instanceGUID string
}

func (f *fakeADO) pat(w http.ResponseWriter, r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != "" {
		f.t.Errorf("%s %s: want Basic auth with an empty user", r.Method, r.URL.Path)
	}
	if r.Header.Get("X-TFS-FedAuthRedirect") != "Suppress" {
		f.t.Errorf("%s %s: X-TFS-FedAuthRedirect missing", r.Method, r.URL.Path)
		http.Redirect(w, r, "/_signin", http.StatusFound)
		return "", false
	}
	return pass, true
}

func (f *fakeADO) api() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{org}/_apis/connectionData", func(w http.ResponseWriter, r *http.Request) {
		tok, ok := f.pat(w, r)
		if !ok {
			return
		}
		f.mu.Lock()
		f.checks++
		f.orgsTried = append(f.orgsTried, r.PathValue("org"))
		live := tok == f.leaked && !f.revoked && r.PathValue("org") == "contoso"
		f.mu.Unlock()
		if !live {
			w.Header().Set("WWW-Authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/tenant")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		u := map[string]any{"id": "5a5a5a5a-0000-0000-0000-000000000001", "subjectDescriptor": "aad.b3duZXI",
			"descriptor": `Microsoft.IdentityModel.Claims.ClaimsIdentity;tenant\ada@contoso.example`, "providerDisplayName": "Ada Lovelace",
			"isActive": true, "properties": map[string]any{"Account": map[string]any{"$type": "System.String", "$value": "ada@contoso.example"}}}
		json.NewEncoder(w).Encode(map[string]any{"authenticatedUser": u, "authorizedUser": u, "instanceId": f.instanceGUID, "locationServiceData": map[string]any{}})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.t.Errorf("off-contract request to the org host: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	return mux
}

func (f *fakeADO) vssps() http.Handler {
	mux := http.NewServeMux()
	admin := func(w http.ResponseWriter, r *http.Request) bool {
		tok, ok := f.pat(w, r)
		if ok && tok != f.admin {
			w.WriteHeader(http.StatusUnauthorized)
			return false
		}
		if r.URL.Query().Get("api-version") == "" || r.URL.Query().Get("isPublic") != "false" {
			f.t.Errorf("%s %s: api-version and isPublic=false are required", r.Method, r.URL.Path)
		}
		return ok
	}
	mux.HandleFunc("GET /{org}/_apis/tokenadmin/personalaccesstokens/{descriptor}", func(w http.ResponseWriter, r *http.Request) {
		if !admin(w, r) {
			return
		}
		if r.PathValue("descriptor") != "aad.b3duZXI" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		f.mu.Lock()
		valid := !f.revoked
		f.mu.Unlock()
		entry := func(id string, c3 string, from time.Time) map[string]any {
			m := map[string]any{"authorizationId": id, "userId": "5a5a5a5a-0000-0000-0000-000000000001", "displayName": "ci",
				"scope": "app_token", "validFrom": from.Format(time.RFC3339), "validTo": time.Now().AddDate(1, 0, 0).Format(time.RFC3339),
				"targetAccounts": []string{f.instanceGUID}, "isValid": valid, "isPublic": false, "token": nil}
			if c3 != "" {
				m["crossCompanyCorrelatingId"] = c3
			}
			return m
		}
		other := detectors.ADOPAT(randString(301, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 52), 2025, 7)
		json.NewEncoder(w).Encode(map[string]any{"continuationToken": nil, "value": []any{
			entry("11111111-1111-1111-1111-111111111111", azuredevops.C3ID(other), time.Date(2025, 7, 3, 0, 0, 0, 0, time.UTC)),
			entry("22222222-2222-2222-2222-222222222222", azuredevops.C3ID(f.leaked), time.Date(2025, 7, 9, 0, 0, 0, 0, time.UTC)),
		}})
	})
	mux.HandleFunc("POST /{org}/_apis/tokenadmin/revocations", func(w http.ResponseWriter, r *http.Request) {
		if !admin(w, r) {
			return
		}
		var body []map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body) == 0 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var ids []string
		for _, b := range body {
			ids = append(ids, b["authorizationId"])
		}
		f.mu.Lock()
		f.revocations = append(f.revocations, ids)
		if len(ids) == 1 && ids[0] == "22222222-2222-2222-2222-222222222222" {
			f.revoked = true
		}
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.t.Errorf("off-contract request to vssps: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	return mux
}

// TestScanRevokeAzureDevOpsEndToEnd: a PAT leaked in a repository whose remote names the
// organization is verified against that org, matched to its authorization id by C3ID among the
// owner's PATs, revoked once as org admin, and confirmed dead.
func TestScanRevokeAzureDevOpsEndToEnd(t *testing.T) {
	t.Parallel()
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	f := &fakeADO{t: t, leaked: detectors.ADOPAT(randString(302, alnum, 52), 2025, 7),
		admin: detectors.ADOPAT(randString(303, alnum, 52), 2025, 1), instanceGUID: "0e0e0e0e-1111-2222-3333-444444444444"}
	api, vssps := httptest.NewServer(f.api()), httptest.NewServer(f.vssps())
	defer api.Close()
	defer vssps.Close()

	repo := t.TempDir()
	gitRun(t, repo, "init", "-q")
	gitRun(t, repo, "remote", "add", "origin", "https://dev.azure.com/contoso/app/_git/app")
	os.WriteFile(filepath.Join(repo, "azure-pipelines.yml"), []byte("variables:\n  AZURE_DEVOPS_PAT: "+f.leaked+"\n"), 0o644)
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "commit", "-qm", "pipeline")

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "patrol.yaml")
	os.WriteFile(cfgPath, []byte("providers:\n  azuredevops: {base_url: "+api.URL+"/, vssps_url: "+vssps.URL+"/, admin_token: "+f.admin+
		", orgs: [contoso], revoke: true, confirm_timeout: 1m}\n"), 0o600)
	code, out, errs := runPatrol(t, "", "scan", "-c", cfgPath, "-f", "json", "--revoke", "--store", filepath.Join(dir, "p.db"), repo)
	if code != 1 {
		t.Fatalf("exit = %d, want 1; stderr: %s", code, errs)
	}
	var got []struct {
		Detector     string
		Verification struct {
			Status string
			Owner  struct{ Email, Org string }
		}
		Revocation struct{ Status, Reason string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 {
		t.Fatalf("report: %v\n%s", err, out)
	}
	g := got[0]
	if g.Detector != "azure-devops-pat" || g.Verification.Status != "live" || g.Verification.Owner.Email != "ada@contoso.example" {
		t.Errorf("verification = %+v", g)
	}
	if g.Revocation.Status != "revoked" {
		t.Errorf("revocation = %+v, want revoked", g.Revocation)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.revocations) != 1 || strings.Join(f.revocations[0], ",") != "22222222-2222-2222-2222-222222222222" {
		t.Errorf("revocations = %v, want exactly the leaked PAT's authorization id, once", f.revocations)
	}
	if len(f.orgsTried) == 0 || f.orgsTried[0] != "contoso" {
		t.Errorf("orgs tried = %v, want contoso (from the remote URL) first", f.orgsTried)
	}
	if strings.Contains(out+errs, f.leaked) || strings.Contains(out+errs, f.admin) {
		t.Errorf("a raw PAT in the output")
	}
}
