package azuredevops

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/patrolsec/patrol/internal/httpx"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/secret"
)

// Name is the provider key.
const Name = "azuredevops"

// Cloud defaults.
const (
	DefaultBaseURL  = "https://dev.azure.com/"
	DefaultVSSPSURL = "https://vssps.dev.azure.com/"
)

// Ambiguity policies (AzureDevOpsConfig.Ambiguous).
const (
	AmbiguousSkip      = "skip"
	AmbiguousRevokeAll = "revoke_all"
)

// DefaultConfirmTimeout is how long the pipeline's confirm step should keep calling Verify
// after Revoke before it calls the revocation unconfirmed. Azure DevOps documents that a PAT
// may keep working for up to an hour after it was revoked (PROVIDERS.md §1.3.1, Learn "Revoke
// personal access tokens for organization users"), so Revoke cannot wait for it.
const DefaultConfirmTimeout = time.Hour

// API versions. The cloud Token Admin version is the preview that adds
// crossCompanyCorrelatingId; Azure DevOps Server 2019 knows only 5.0-preview.1, which later
// servers still accept [unverified for 2022].
const (
	tokenAdminCloud  = "7.2-preview.1"
	tokenAdminOnPrem = "5.0-preview.1"
	graphVersion     = "7.1-preview.1"
	descVersion      = "7.1"
	identitiesCloud  = "7.1"
	identitiesOnPrem = "5.0"
)

// Limits.
const (
	maxOrgs     = 10  // organizations tried per token
	pageSize    = 20  // Token Admin page size (the documented example's)
	maxPages    = 500 // 10 000 PATs for one user is beyond any real account
	revokeBatch = 990 // ids per revocations call, as Microsoft's script sends
)

// Config configures a Provider.
type Config struct {
	// BaseURL is https://dev.azure.com/ (empty means that) or an on-prem collection URL.
	BaseURL string
	// VSSPSURL hosts Token Admin and Graph: https://vssps.dev.azure.com/ in the cloud. Empty
	// with an on-prem BaseURL, or equal to BaseURL, means on-prem.
	VSSPSURL string
	// Orgs are tried after the organizations the hints name.
	Orgs []string
	// AdminToken is a Project Collection Administrator PAT with vso.tokenadministration.
	// Without it the provider verifies but Revoke returns ErrNotSupported.
	AdminToken secret.Token
	// Ambiguous is AmbiguousSkip (default) or AmbiguousRevokeAll.
	Ambiguous string
	// HTTP shapes the client used for every call.
	HTTP revoke.ClientOptions
}

// Provider is the Azure DevOps provider. It is safe for concurrent use.
type Provider struct {
	c         *revoke.Client
	base      string // https://dev.azure.com/ or the collection URL, with a trailing slash
	vssps     string
	onPrem    bool
	orgs      []string
	admin     secret.Token
	revokeAll bool
}

// New returns a Provider for cfg.
func New(cfg Config) (*Provider, error) {
	base, err := httpx.BaseURL(cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, fmt.Errorf("azuredevops: %w", err)
	}
	onPrem := false
	vsspsDefault := DefaultVSSPSURL
	if base != DefaultBaseURL && cfg.VSSPSURL == "" {
		vsspsDefault, onPrem = base, true
	}
	vssps, err := httpx.BaseURL(cfg.VSSPSURL, vsspsDefault)
	if err != nil {
		return nil, fmt.Errorf("azuredevops: vssps %w", err)
	}
	if vssps == base {
		onPrem = true
	}
	switch cfg.Ambiguous {
	case "", AmbiguousSkip, AmbiguousRevokeAll:
	default:
		return nil, fmt.Errorf("azuredevops: ambiguous %q is not %s or %s", cfg.Ambiguous, AmbiguousSkip, AmbiguousRevokeAll)
	}
	cfg.HTTP.Provider = Name
	p := &Provider{
		c: revoke.NewClient(cfg.HTTP), base: base, vssps: vssps, onPrem: onPrem,
		admin: cfg.AdminToken, revokeAll: cfg.Ambiguous == AmbiguousRevokeAll,
	}
	for _, o := range cfg.Orgs {
		if validOrg(o) {
			p.orgs = append(p.orgs, o)
		}
	}
	return p, nil
}

// Name returns "azuredevops".
func (p *Provider) Name() string { return Name }

// target is one place a PAT can be checked: an organization, or the on-prem collection.
type target struct {
	org   string // name in reports; the collection name on-prem
	api   string // {base}{org}/ or the collection URL
	vssps string // {vssps}{org}/ or the collection URL
}

func (p *Provider) target(org string) target {
	if p.onPrem {
		return target{org: collectionName(p.base), api: p.base, vssps: p.base}
	}
	e := url.PathEscape(org)
	return target{org: org, api: p.base + e + "/", vssps: p.vssps + e + "/"}
}

func (p *Provider) targets(h revoke.Hints) []target {
	if p.onPrem {
		return []target{p.target("")}
	}
	orgs := OrgsFrom(h.Repository, maxOrgs)
	orgs = append(orgs, OrgsFrom(h.Text, maxOrgs)...)
	orgs = append(orgs, p.orgs...)
	var out []target
	seen := map[string]bool{}
	for _, o := range orgs {
		if k := strings.ToLower(o); !seen[k] && len(out) < maxOrgs {
			seen[k] = true
			out = append(out, p.target(o))
		}
	}
	return out
}

func collectionName(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	return segs[len(segs)-1]
}

func validOrg(o string) bool {
	if o == "" || len(o) > 50 || o[0] == '-' || o[len(o)-1] == '-' {
		return false
	}
	for _, r := range o {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// headers are what every call carries: Basic with an empty user name, and the header that
// turns a sign-in redirect into a plain 401.
func headers(tok secret.Token) http.Header {
	return http.Header{
		"Authorization":         {"Basic " + base64.StdEncoding.EncodeToString([]byte(":"+tok.Reveal()))},
		"X-Tfs-Fedauthredirect": {"Suppress"},
		"Accept":                {"application/json"},
	}
}

func (p *Provider) get(ctx context.Context, tok secret.Token, op, u string) (*revoke.Response, error) {
	return p.c.Do(ctx, &revoke.Request{Op: op, Method: http.MethodGet, URL: u, Header: headers(tok)})
}

// connectionData checks tok against one target.
//
// Azure DevOps docs: https://learn.microsoft.com/rest/api/azure/devops/ (core spec, Location
// service); used this way by the Azure Pipelines agent.
//
//meta:operation GET /{organization}/_apis/connectionData
func (p *Provider) connectionData(ctx context.Context, tok secret.Token, t target) (ConnectionData, error) {
	const op = "GET /{organization}/_apis/connectionData"
	resp, err := p.get(ctx, tok, op, t.api+"_apis/connectionData")
	if err != nil {
		return ConnectionData{}, err
	}
	cd, err := ParseConnectionData(resp.Body)
	if err != nil {
		// A 203 sign-in page lands here.
		return ConnectionData{}, &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Err: err}
	}
	if cd.AuthenticatedUser.Anonymous() {
		return ConnectionData{}, &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "anonymous identity"}
	}
	return cd, nil
}

// Verify checks tok with connectionData in each candidate organization (from the hints, then
// the config) until one accepts it. 401 from every organization tried means dead; any other
// failure with no acceptance means unknown. The owner's e-mail comes from connectionData, else
// Graph, else Identities (with the admin token when configured, else the leaked one).
//
// Azure DevOps docs: https://learn.microsoft.com/rest/api/azure/devops/graph/users/get,
// https://learn.microsoft.com/rest/api/azure/devops/ims/identities/read-identities
//
//meta:operation GET /{organization}/_apis/connectionData
//meta:operation GET /{organization}/_apis/graph/descriptors/{storageKey}
//meta:operation GET /{organization}/_apis/graph/users/{subjectDescriptor}
//meta:operation GET /{organization}/_apis/identities
func (p *Provider) Verify(ctx context.Context, tok secret.Token, h revoke.Hints) (revoke.Verification, error) {
	ts := p.targets(h)
	if len(ts) == 0 {
		return revoke.Verification{Status: revoke.StatusUnknown, CheckedAt: p.c.Now()},
			fmt.Errorf("azuredevops: %w: configure providers.azuredevops.orgs or scan a repository hosted on Azure DevOps", revoke.ErrNoOrg)
	}
	var undecided []error
	for _, t := range ts {
		cd, err := p.connectionData(ctx, tok, t)
		switch revoke.StatusOf(err) {
		case revoke.StatusLive:
			v := revoke.Verification{Status: revoke.StatusLive, CheckedAt: p.c.Now(), Identity: identity(t, cd)}
			p.enrich(ctx, tok, t, &v.Identity)
			return v, nil
		case revoke.StatusDead:
			continue
		}
		if ctx.Err() != nil {
			return revoke.Verification{Status: revoke.StatusUnknown, CheckedAt: p.c.Now()}, ctx.Err()
		}
		undecided = append(undecided, fmt.Errorf("org %s: %w", t.org, err))
	}
	v := revoke.Verification{Status: revoke.StatusDead, CheckedAt: p.c.Now()}
	if len(undecided) > 0 {
		v.Status = revoke.StatusUnknown
		return v, errors.Join(undecided...)
	}
	return v, nil
}

func identity(t target, cd ConnectionData) revoke.Identity {
	u := cd.AuthenticatedUser
	id := revoke.Identity{
		ID: u.ID, Name: u.ProviderDisplayName, Login: u.Prop("Account"),
		Org: t.org, OrgID: cd.InstanceID, Tenant: u.Tenant(), Descriptor: u.SubjectDescriptor,
	}
	if strings.Contains(id.Login, "@") {
		id.Email = id.Login
	}
	return id
}

// reader is the credential for Graph and Identities reads: the admin's when configured.
func (p *Provider) reader(tok secret.Token) secret.Token {
	if !p.admin.IsZero() {
		return p.admin
	}
	return tok
}

// enrich fills the subject descriptor and e-mail when connectionData lacked them; failures
// only cost detail, so they are logged at debug level.
func (p *Provider) enrich(ctx context.Context, tok secret.Token, t target, id *revoke.Identity) {
	cred := p.reader(tok)
	logErr := func(what string, err error) {
		p.c.Logger().DebugContext(ctx, "azure devops owner "+what+" unavailable", "provider", Name, "err", err.Error())
	}
	if id.Descriptor == "" && id.ID != "" {
		if d, err := p.descriptor(ctx, cred, t, id.ID); err != nil {
			logErr("descriptor", err)
		} else {
			id.Descriptor = d
		}
	}
	if id.Email != "" {
		return
	}
	if !p.onPrem && id.Descriptor != "" {
		mail, err := p.graphMail(ctx, cred, t, id.Descriptor)
		if err != nil {
			logErr("graph e-mail", err)
		}
		if id.Email = mail; mail != "" {
			return
		}
	}
	if id.ID != "" {
		ident, err := p.identity(ctx, cred, t, id.ID)
		if err != nil {
			logErr("identities e-mail", err)
			return
		}
		id.Email = ident.Prop("Mail")
		if id.Descriptor == "" {
			id.Descriptor = ident.SubjectDescriptor
		}
	}
}

// descriptor maps a storage key (VSID) to a subject descriptor: Graph in the cloud,
// Identities on-prem (no Graph there).
func (p *Provider) descriptor(ctx context.Context, cred secret.Token, t target, vsid string) (string, error) {
	if p.onPrem {
		ident, err := p.identity(ctx, cred, t, vsid)
		return ident.SubjectDescriptor, err
	}
	const op = "GET /{organization}/_apis/graph/descriptors/{storageKey}"
	resp, err := p.get(ctx, cred, op, t.vssps+"_apis/graph/descriptors/"+url.PathEscape(vsid)+"?api-version="+descVersion)
	if err != nil {
		return "", err
	}
	var body struct {
		Value string `json:"value"`
	}
	if json.Unmarshal(resp.Body, &body) != nil || body.Value == "" {
		return "", &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "no descriptor"}
	}
	return body.Value, nil
}

func (p *Provider) graphMail(ctx context.Context, cred secret.Token, t target, desc string) (string, error) {
	const op = "GET /{organization}/_apis/graph/users/{subjectDescriptor}"
	resp, err := p.get(ctx, cred, op, t.vssps+"_apis/graph/users/"+url.PathEscape(desc)+"?api-version="+graphVersion)
	if err != nil {
		return "", err
	}
	var u struct {
		MailAddress string `json:"mailAddress"`
	}
	if json.Unmarshal(resp.Body, &u) != nil {
		return "", &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "malformed graph user"}
	}
	return u.MailAddress, nil
}

func (p *Provider) identity(ctx context.Context, cred secret.Token, t target, vsid string) (IdentityRef, error) {
	const op = "GET /{organization}/_apis/identities"
	ver := identitiesCloud
	if p.onPrem {
		ver = identitiesOnPrem
	}
	q := url.Values{"identityIds": {vsid}, "queryMembership": {"None"}, "api-version": {ver}}
	resp, err := p.get(ctx, cred, op, t.vssps+"_apis/identities?"+q.Encode())
	if err != nil {
		return IdentityRef{}, err
	}
	var body struct {
		Value []IdentityRef `json:"value"`
	}
	if json.Unmarshal(resp.Body, &body) != nil || len(body.Value) == 0 {
		return IdentityRef{}, &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "no identity"}
	}
	return body.Value[0], nil
}
