package azuredevops_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsec/patrol/revoke/azuredevops"
	"github.com/patrolsec/patrol/revoke/internal/revtest"
	"github.com/patrolsec/patrol/secret"
)

// fake is Azure DevOps as PROVIDERS.md §1.2–1.4 documents it: connectionData on the org host,
// Token Admin, Graph and Identities on vssps, Basic auth with an empty user name,
// X-TFS-FedAuthRedirect, 401 for a bad PAT, 204 for a revocation, continuationToken paging.
// On-prem, one server serves /tfs/{collection}/_apis/… and has no Graph.
type fake struct {
	t      *testing.T
	api    *revtest.Server
	vssps  *revtest.Server
	onPrem bool
	admin  string

	mu          sync.Mutex
	owners      []*owner
	deadAfter   int            // connectionData keeps accepting a revoked PAT this many times
	polls       map[string]int // token → connectionData calls after revocation
	revocations [][]string
	cdFn        http.HandlerFunc // overrides connectionData
	graphFails  bool
	anonymous   bool
}

type owner struct {
	vsid, descriptor, name, account, mail string
	orgs                                  []string // where the owner's PATs authenticate
	noSubjectDescriptor                   bool
	pats                                  []*pat
}

type pat struct {
	authID             string
	token              string // "" for the owner's other PATs
	validFrom, validTo time.Time
	isValid            bool
	targets            []string
	c3id               bool
	revoked            bool
}

const (
	tenant    = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	onPremAPI = "5.0-preview.1"
	cloudAPI  = "7.2-preview.1"
	coll      = "/tfs/DefaultCollection"
)

func instanceID(org string) string {
	return fmt.Sprintf("%08x-1111-2222-3333-444444444444", len(org)*7919)
}

func newFake(t *testing.T, onPrem bool) *fake {
	f := &fake{t: t, onPrem: onPrem, admin: revtest.ADOToken(2025, 1).Reveal(), polls: map[string]int{}}
	if onPrem {
		f.api = revtest.NewServer(t, map[string]http.HandlerFunc{
			"GET /tfs/{org}/_apis/connectionData":                               f.connectionData,
			"GET /tfs/{org}/_apis/tokenadmin/personalaccesstokens/{descriptor}": f.list,
			"POST /tfs/{org}/_apis/tokenadmin/revocations":                      f.revoke,
			"GET /tfs/{org}/_apis/identities":                                   f.identities,
		})
		f.vssps = f.api
		return f
	}
	f.api = revtest.NewServer(t, map[string]http.HandlerFunc{
		"GET /{org}/_apis/connectionData": f.connectionData,
	})
	f.vssps = revtest.NewServer(t, map[string]http.HandlerFunc{
		"GET /{org}/_apis/tokenadmin/personalaccesstokens/{descriptor}": f.list,
		"POST /{org}/_apis/tokenadmin/revocations":                      f.revoke,
		"GET /{org}/_apis/graph/descriptors/{key}":                      f.graphDescriptor,
		"GET /{org}/_apis/graph/users/{descriptor}":                     f.graphUser,
		"GET /{org}/_apis/identities":                                   f.identities,
	})
	return f
}

// cred checks the documented auth headers and returns the PAT.
func (f *fake) cred(w http.ResponseWriter, r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != "" {
		f.t.Errorf("%s %s: want Basic auth with an empty user name", r.Method, r.URL.Path)
	}
	if r.Header.Get("X-TFS-FedAuthRedirect") != "Suppress" {
		f.t.Errorf("%s %s: X-TFS-FedAuthRedirect: Suppress missing", r.Method, r.URL.Path)
		http.Redirect(w, r, "/_signin", http.StatusFound)
		return "", false
	}
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		f.t.Errorf("%s %s: Accept = %q", r.Method, r.URL.Path, r.Header.Get("Accept"))
	}
	if r.Header.Get("User-Agent") != "patrol/test" {
		f.t.Errorf("%s %s: User-Agent = %q", r.Method, r.URL.Path, r.Header.Get("User-Agent"))
	}
	return pass, true
}

func unauthorized(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/"+tenant)
	w.WriteHeader(http.StatusUnauthorized)
}

func (f *fake) requireAdmin(w http.ResponseWriter, r *http.Request) bool {
	pass, ok := f.cred(w, r)
	if !ok {
		return false
	}
	if pass != f.admin {
		unauthorized(w)
		return false
	}
	return true
}

func (f *fake) checkVersion(r *http.Request, want string) {
	if got := r.URL.Query().Get("api-version"); got != want {
		f.t.Errorf("%s %s: api-version = %q, want %q", r.Method, r.URL.Path, got, want)
	}
}

func (f *fake) ownerOf(tok string) (*owner, *pat) {
	for _, o := range f.owners {
		for _, p := range o.pats {
			if p.token != "" && p.token == tok {
				return o, p
			}
		}
	}
	return nil, nil
}

func (f *fake) connectionData(w http.ResponseWriter, r *http.Request) {
	if f.cdFn != nil {
		f.cdFn(w, r)
		return
	}
	tok, ok := f.cred(w, r)
	if !ok {
		return
	}
	org := r.PathValue("org")
	f.mu.Lock()
	o, p := f.ownerOf(tok)
	live := o != nil && (f.onPrem || contains(o.orgs, org))
	if live && p.revoked {
		f.polls[tok]++
		live = f.polls[tok] <= f.deadAfter
	}
	anonymous := f.anonymous
	f.mu.Unlock()
	if !live {
		unauthorized(w)
		return
	}
	u := map[string]any{
		"id":                  o.vsid,
		"descriptor":          `Microsoft.IdentityModel.Claims.ClaimsIdentity;` + tenant + `\` + o.account,
		"providerDisplayName": o.name,
		"isActive":            true,
		"properties":          map[string]any{"Account": map[string]any{"$type": "System.String", "$value": o.account}},
	}
	if f.onPrem {
		u["descriptor"] = "System.Security.Principal.WindowsIdentity;S-1-5-21-1004336348-1177238915-682003330-1001"
	}
	if !o.noSubjectDescriptor {
		u["subjectDescriptor"] = o.descriptor
	}
	if anonymous {
		u = map[string]any{"id": "00000000-0000-0000-0000-000000000000", "descriptor": "Microsoft.TeamFoundation.AnonymousRequest;x", "providerDisplayName": "Anonymous"}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"authenticatedUser": u, "authorizedUser": u, "instanceId": instanceID(org),
		"deploymentId": "d1", "locationServiceData": map[string]any{},
	})
}

func (f *fake) apiVersion() string {
	if f.onPrem {
		return onPremAPI
	}
	return cloudAPI
}

func (f *fake) list(w http.ResponseWriter, r *http.Request) {
	if !f.requireAdmin(w, r) {
		return
	}
	q := r.URL.Query()
	f.checkVersion(r, f.apiVersion())
	if q.Get("isPublic") != "false" {
		f.t.Errorf("list: isPublic = %q, want false", q.Get("isPublic"))
	}
	size, err := strconv.Atoi(q.Get("pageSize"))
	if err != nil || size <= 0 {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	start := 0
	if c := q.Get("continuationToken"); c != "" {
		n, err := strconv.ParseInt(strings.SplitN(c, "-", 2)[0], 16, 64)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		start = int(n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var o *owner
	for _, x := range f.owners {
		if x.descriptor == r.PathValue("descriptor") {
			o = x
		}
	}
	if o == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	end := min(start+size, len(o.pats))
	var value []map[string]any
	for _, p := range o.pats[start:end] {
		st := map[string]any{
			"authorizationId": p.authID, "userId": o.vsid, "displayName": "pat " + p.authID[:4],
			"scope": "app_token", "validFrom": p.validFrom.Format("2006-01-02T15:04:05.0000000Z"),
			"validTo": p.validTo.Format("2006-01-02T15:04:05.0000000Z"), "targetAccounts": p.targets,
			"isValid": p.isValid && !p.revoked, "isPublic": false, "token": nil, "clientId": "00000000-0000-0000-0000-000000000000",
		}
		if p.c3id && p.token != "" && !f.onPrem {
			st["crossCompanyCorrelatingId"] = azuredevops.C3ID(p.token)
		}
		value = append(value, st)
	}
	var cont any
	if end < len(o.pats) {
		cont = fmt.Sprintf("%08x-aaaa-bbbb-cccc-dddddddddddd", end)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"value": value, "continuationToken": cont})
}

func (f *fake) revoke(w http.ResponseWriter, r *http.Request) {
	if !f.requireAdmin(w, r) {
		return
	}
	f.checkVersion(r, f.apiVersion())
	if r.URL.Query().Get("isPublic") != "false" {
		f.t.Errorf("revocations: isPublic = %q", r.URL.Query().Get("isPublic"))
	}
	if r.Header.Get("Content-Type") != "application/json" {
		f.t.Errorf("revocations: Content-Type = %q", r.Header.Get("Content-Type"))
	}
	var body []map[string]string
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body) == 0 {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var ids []string
	for _, item := range body {
		if item["authorizationId"] == "" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		ids = append(ids, item["authorizationId"])
	}
	f.mu.Lock()
	f.revocations = append(f.revocations, ids)
	for _, o := range f.owners {
		for _, p := range o.pats {
			if contains(ids, p.authID) {
				p.revoked = true
			}
		}
	}
	f.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// anyCred accepts the admin PAT or a live leaked one, as Graph and Identities reads do.
func (f *fake) anyCred(w http.ResponseWriter, r *http.Request) bool {
	pass, ok := f.cred(w, r)
	if !ok {
		return false
	}
	f.mu.Lock()
	o, _ := f.ownerOf(pass)
	f.mu.Unlock()
	if pass != f.admin && o == nil {
		unauthorized(w)
		return false
	}
	return true
}

func (f *fake) byVSID(id string) *owner {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.owners {
		if o.vsid == id {
			return o
		}
	}
	return nil
}

func (f *fake) graphDescriptor(w http.ResponseWriter, r *http.Request) {
	if !f.anyCred(w, r) {
		return
	}
	f.checkVersion(r, "7.1")
	o := f.byVSID(r.PathValue("key"))
	if o == nil {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"value": o.descriptor})
}

func (f *fake) graphUser(w http.ResponseWriter, r *http.Request) {
	if !f.anyCred(w, r) {
		return
	}
	f.checkVersion(r, "7.1-preview.1")
	if f.graphFails {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.owners {
		if o.descriptor == r.PathValue("descriptor") {
			_ = json.NewEncoder(w).Encode(map[string]any{
				"mailAddress": o.mail, "principalName": o.account, "displayName": o.name,
				"origin": "aad", "domain": tenant, "descriptor": o.descriptor,
			})
			return
		}
	}
	w.WriteHeader(http.StatusNotFound)
}

func (f *fake) identities(w http.ResponseWriter, r *http.Request) {
	if !f.anyCred(w, r) {
		return
	}
	want := "7.1"
	if f.onPrem {
		want = "5.0"
	}
	f.checkVersion(r, want)
	if r.URL.Query().Get("queryMembership") != "None" {
		f.t.Errorf("identities: queryMembership = %q", r.URL.Query().Get("queryMembership"))
	}
	o := f.byVSID(r.URL.Query().Get("identityIds"))
	if o == nil {
		_ = json.NewEncoder(w).Encode(map[string]any{"count": 0, "value": []any{}})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"count": 1, "value": []any{map[string]any{
		"id": o.vsid, "descriptor": "Microsoft.IdentityModel.Claims.ClaimsIdentity;" + tenant + `\` + o.account,
		"subjectDescriptor": o.descriptor, "providerDisplayName": o.name,
		"properties": map[string]any{
			"Mail":    map[string]any{"$type": "System.String", "$value": o.mail},
			"Account": map[string]any{"$type": "System.String", "$value": o.account},
		},
	}}})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// jane owns tok (live in contoso) plus others PATs; the leaked one is at index leak.
func (f *fake) addOwner(o *owner) *owner {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.owners = append(f.owners, o)
	return o
}

func newPAT(i int, tok secret.Token, from time.Time) *pat {
	return &pat{
		authID:    fmt.Sprintf("%08x-7084-4635-964e-3c2a57645185", i+1),
		token:     tok.Reveal(),
		validFrom: from, validTo: from.AddDate(0, 3, 0),
		isValid: true,
	}
}
