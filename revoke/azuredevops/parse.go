package azuredevops

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ConnectionData is the part of GET _apis/connectionData that patrol reads.
type ConnectionData struct {
	AuthenticatedUser IdentityRef `json:"authenticatedUser"`
	InstanceID        string      `json:"instanceId"`
}

// IdentityRef is an identity as connectionData and Identities return it.
type IdentityRef struct {
	ID                  string              `json:"id"`
	Descriptor          string              `json:"descriptor"`
	SubjectDescriptor   string              `json:"subjectDescriptor"`
	ProviderDisplayName string              `json:"providerDisplayName"`
	Properties          map[string]Property `json:"properties"`
}

// Property is a typed property bag entry: {"$type":"System.String","$value":"…"}.
type Property struct {
	Type  string          `json:"$type"`
	Value json.RawMessage `json:"$value"`
}

// Prop returns the string value of property name, or "".
func (r IdentityRef) Prop(name string) string {
	p, ok := r.Properties[name]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(p.Value, &s) != nil {
		return ""
	}
	return s
}

// Anonymous reports whether r is not a real user: the identity Azure DevOps reports for
// unauthenticated access to public projects. [unverified] shapes; any of them means the PAT did
// not authenticate as a person.
func (r IdentityRef) Anonymous() bool {
	id := strings.Trim(r.ID, "{}")
	if id == "" || id == "00000000-0000-0000-0000-000000000000" {
		return true
	}
	d := strings.ToLower(r.Descriptor)
	return strings.Contains(d, "anonymous") || strings.Contains(d, "unauthenticated") ||
		strings.EqualFold(r.ProviderDisplayName, "Anonymous")
}

// Tenant returns the Entra tenant from a claims descriptor
// "Microsoft.IdentityModel.Claims.ClaimsIdentity;<tenant>\<upn>", or "".
func (r IdentityRef) Tenant() string {
	_, rest, ok := strings.Cut(r.Descriptor, ";")
	if !ok || !strings.HasPrefix(r.Descriptor, "Microsoft.IdentityModel.Claims.ClaimsIdentity") {
		return ""
	}
	tenant, _, ok := strings.Cut(rest, `\`)
	if !ok {
		return ""
	}
	return tenant
}

// ParseConnectionData decodes a connectionData body.
func ParseConnectionData(b []byte) (ConnectionData, error) {
	var cd ConnectionData
	if err := json.Unmarshal(b, &cd); err != nil {
		return ConnectionData{}, errors.New("malformed connectionData")
	}
	return cd, nil
}

// SessionToken is one PAT in a Token Admin list.
type SessionToken struct {
	AuthorizationID           string
	DisplayName               string
	Scope                     string
	ValidFrom, ValidTo        time.Time // zero when absent or unparsable
	TargetAccounts            []string  // org GUIDs; empty = all the user's orgs
	IsValid                   bool
	IsPublic                  bool
	CrossCompanyCorrelatingID string
}

// TokenPage is one page of GET …/tokenadmin/personalaccesstokens/{descriptor}.
type TokenPage struct {
	Value             []SessionToken
	ContinuationToken string // "" on the last page
}

// ParseTokenPage decodes a TokenAdminPagedSessionTokens body. Dates are read leniently (the
// service writes them with and without zone); an unreadable date is left zero.
func ParseTokenPage(b []byte) (TokenPage, error) {
	var raw struct {
		Value []struct {
			AuthorizationID           string   `json:"authorizationId"`
			DisplayName               string   `json:"displayName"`
			Scope                     string   `json:"scope"`
			ValidFrom                 string   `json:"validFrom"`
			ValidTo                   string   `json:"validTo"`
			TargetAccounts            []string `json:"targetAccounts"`
			IsValid                   bool     `json:"isValid"`
			IsPublic                  bool     `json:"isPublic"`
			CrossCompanyCorrelatingID string   `json:"crossCompanyCorrelatingId"`
		} `json:"value"`
		ContinuationToken *string `json:"continuationToken"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return TokenPage{}, errors.New("malformed token list")
	}
	var p TokenPage
	if raw.ContinuationToken != nil {
		p.ContinuationToken = *raw.ContinuationToken
	}
	for _, v := range raw.Value {
		if v.AuthorizationID == "" {
			continue
		}
		p.Value = append(p.Value, SessionToken{
			AuthorizationID:           v.AuthorizationID,
			DisplayName:               v.DisplayName,
			Scope:                     v.Scope,
			ValidFrom:                 parseTime(v.ValidFrom),
			ValidTo:                   parseTime(v.ValidTo),
			TargetAccounts:            v.TargetAccounts,
			IsValid:                   v.IsValid,
			IsPublic:                  v.IsPublic,
			CrossCompanyCorrelatingID: v.CrossCompanyCorrelatingID,
		})
	}
	return p, nil
}

func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// C3ID is the Cross Company Correlating Id of a token (security-utilities
// cross_company_correlating_id.rs): base64 of the first 15 bytes of
// SHA-256("CrossMicrosoftCorrelatingId:" + uppercase hex SHA-256(token)).
func C3ID(token string) string {
	h := sha256.Sum256([]byte(token))
	d := sha256.Sum256([]byte("CrossMicrosoftCorrelatingId:" + strings.ToUpper(hex.EncodeToString(h[:]))))
	return base64.StdEncoding.EncodeToString(d[:15])
}

// caskMonth returns the creation year and month a new-format (84/88-char CASK) PAT carries,
// or ok false for other tokens.
func caskMonth(tok string) (year int, month time.Month, ok bool) {
	if (len(tok) != 84 && len(tok) != 88) || tok[52:56] != "JQQJ" || tok[76:80] != "AZDO" {
		return 0, 0, false
	}
	const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	y := strings.IndexByte(b64, tok[58])
	m := strings.IndexByte("ABCDEFGHIJKL", tok[59])
	if y < 0 || m < 0 {
		return 0, 0, false
	}
	return 2024 + y, time.Month(m + 1), true
}

var (
	// dev.azure.com/{org}, also vssps./feeds./pkgs./vsrm. hosts and user@ forms.
	reDevAzure = regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9.-])(?:(?:vssps|vsrm|feeds|pkgs|almsearch|vsaex)\.)?dev\.azure\.com/([A-Za-z0-9][A-Za-z0-9-]{0,49})(?:[/?#\s"'<>]|$)`)
	// {org}.visualstudio.com and {org}.vssps.visualstudio.com.
	reVisualStudio = regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9.-])([A-Za-z0-9][A-Za-z0-9-]{0,49})(?:\.(?:vssps|vsrm|feeds|pkgs|vsaex))?\.visualstudio\.com(?:[/:?#\s"'<>]|$)`)
	// ssh.dev.azure.com:v3/{org}/ and vs-ssh.visualstudio.com:v3/{org}/.
	reSSH = regexp.MustCompile(`(?i)(?:ssh\.dev\.azure\.com|vs-ssh\.visualstudio\.com):v3/([A-Za-z0-9][A-Za-z0-9-]{0,49})/`)
)

// notOrgs are visualstudio.com host names that are not organizations.
var notOrgs = map[string]bool{"app": true, "vssps": true, "www": true, "marketplace": true, "vs-ssh": true, "status": true, "login": true, "aex": true}

// OrgsFrom returns the Azure DevOps organizations named in text (a remote URL or text near a
// match): dev.azure.com/{org}/…, {org}.visualstudio.com, ssh.dev.azure.com:v3/{org}/…, in order
// of appearance, without duplicates (case-insensitive), at most max.
func OrgsFrom(text string, max int) []string {
	type hit struct {
		at  int
		org string
	}
	var hits []hit
	for _, re := range []*regexp.Regexp{reDevAzure, reVisualStudio, reSSH} {
		for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
			org := text[m[2]:m[3]]
			if strings.HasSuffix(org, "-") || notOrgs[strings.ToLower(org)] {
				continue
			}
			hits = append(hits, hit{m[2], org})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.at - b.at })
	var out []string
	seen := map[string]bool{}
	for _, h := range hits {
		k := strings.ToLower(h.org)
		if seen[k] || len(out) >= max {
			continue
		}
		seen[k] = true
		out = append(out, h.org)
	}
	return out
}
