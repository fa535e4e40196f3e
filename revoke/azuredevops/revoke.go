package azuredevops

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/secret"
)

// Revoke revokes the leaked PAT as the configured admin: list the owner's PATs, pick the
// leaked one (Pick), POST its authorizationId to the revocations endpoint. It returns nil when
// every revocations call answered 204, without checking the PAT: Azure DevOps documents that a
// revoked PAT may keep working for up to an hour (DefaultConfirmTimeout), and the pipeline's
// confirm step calls Verify (connectionData with the leaked PAT) until it answers 401.
//
// Azure DevOps docs: https://learn.microsoft.com/rest/api/azure/devops/tokenadmin/personal-access-tokens/list,
// https://learn.microsoft.com/rest/api/azure/devops/tokenadmin/revocations/revoke-authorizations
//
//meta:operation GET /{organization}/_apis/tokenadmin/personalaccesstokens/{subjectDescriptor}
//meta:operation POST /{organization}/_apis/tokenadmin/revocations
func (p *Provider) Revoke(ctx context.Context, tok secret.Token, v revoke.Verification) error {
	_, err := p.RevokeDetail(ctx, tok, v)
	return err
}

// RevokeDetail is Revoke that also says, on success, which PATs were revoked and why they
// were chosen (for the report and the owner's e-mail, e.g. when the ambiguous policy
// revoke_all took several).
func (p *Provider) RevokeDetail(ctx context.Context, tok secret.Token, v revoke.Verification) (string, error) {
	if v.Status != revoke.StatusLive {
		return "", fmt.Errorf("azuredevops: %w (%s)", revoke.ErrNotLive, v.Status)
	}
	if p.admin.IsZero() {
		return "", fmt.Errorf("azuredevops: %w: no admin_token configured (a Project Collection Administrator PAT with vso.tokenadministration)", revoke.ErrNotSupported)
	}
	if !p.onPrem && !validOrg(v.Identity.Org) {
		return "", fmt.Errorf("azuredevops: %w: the verification names no organization", revoke.ErrNotSupported)
	}
	if !p.onPrem && !p.configuredOrg(v.Identity.Org) {
		// The admin token is for the configured organizations: an org named only by the
		// repository or by text next to the leak (which anyone who can commit controls) does
		// not get it.
		return "", fmt.Errorf("azuredevops: %w: organization %q is not in providers.azuredevops.orgs, where the admin token applies", revoke.ErrNotSupported, v.Identity.Org)
	}
	t := p.target(v.Identity.Org)
	desc := v.Identity.Descriptor
	if desc == "" && v.Identity.ID != "" {
		d, err := p.descriptor(ctx, p.admin, t, v.Identity.ID)
		if err != nil {
			return "", fmt.Errorf("azuredevops: owner descriptor: %w", err)
		}
		desc = d
	}
	if desc == "" {
		return "", fmt.Errorf("azuredevops: %w: the owner has no subject descriptor", revoke.ErrNotSupported)
	}
	pats, err := p.listPATs(ctx, t, desc)
	if err != nil {
		return "", fmt.Errorf("azuredevops: list the owner's PATs as admin: %w", err)
	}
	pick := Pick(tok.Reveal(), pats, v.Identity.OrgID, p.c.Now())
	ids := pick.IDs
	if len(ids) > 1 {
		policy := AmbiguousSkip
		if p.revokeAll {
			policy = AmbiguousRevokeAll
		}
		pick.Reason += "; policy ambiguous: " + policy
	}
	switch {
	case len(ids) == 0:
		return "", fmt.Errorf("azuredevops: %w: %s", revoke.ErrNoMatch, pick.Reason)
	case len(ids) > 1 && !p.revokeAll:
		return "", fmt.Errorf("azuredevops: %w: %s", revoke.ErrAmbiguous, pick.Reason)
	}
	for start := 0; start < len(ids); start += revokeBatch {
		if err := p.revocations(ctx, t, ids[start:min(start+revokeBatch, len(ids))]); err != nil {
			return "", fmt.Errorf("azuredevops: revoke as admin: %w", err)
		}
	}
	p.c.Logger().InfoContext(ctx, "azure devops PAT revocation accepted",
		"provider", Name, "count", len(ids), "reason", pick.Reason)
	return fmt.Sprintf("revoked %d PAT(s): %s", len(ids), pick.Reason), nil
}

func (p *Provider) tokenAdminVersion() string {
	if p.onPrem {
		return tokenAdminOnPrem
	}
	return tokenAdminCloud
}

// listPATs pages through the owner's PATs (isPublic=false) by continuationToken.
func (p *Provider) listPATs(ctx context.Context, t target, desc string) ([]SessionToken, error) {
	const op = "GET /{organization}/_apis/tokenadmin/personalaccesstokens/{subjectDescriptor}"
	var all []SessionToken
	seen := map[string]bool{}
	cont := ""
	for range maxPages {
		q := url.Values{"pageSize": {fmt.Sprint(pageSize)}, "isPublic": {"false"}, "api-version": {p.tokenAdminVersion()}}
		if cont != "" {
			q.Set("continuationToken", cont)
		}
		resp, err := p.get(ctx, p.admin, op, t.vssps+"_apis/tokenadmin/personalaccesstokens/"+url.PathEscape(desc)+"?"+q.Encode())
		if err != nil {
			return nil, err
		}
		page, err := ParseTokenPage(resp.Body)
		if err != nil {
			return nil, &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Err: err}
		}
		all = append(all, page.Value...)
		if page.ContinuationToken == "" {
			return all, nil
		}
		if seen[page.ContinuationToken] {
			return nil, &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "continuationToken repeats"}
		}
		seen[page.ContinuationToken] = true
		cont = page.ContinuationToken
	}
	return nil, &revoke.APIError{Provider: Name, Op: op, Kind: revoke.ErrUnexpected, Code: fmt.Sprintf("more than %d pages", maxPages)}
}

func (p *Provider) revocations(ctx context.Context, t target, ids []string) error {
	const op = "POST /{organization}/_apis/tokenadmin/revocations"
	body := make([]map[string]string, len(ids))
	for i, id := range ids {
		body[i] = map[string]string{"authorizationId": id}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	h := headers(p.admin)
	h.Set("Content-Type", "application/json")
	q := url.Values{"isPublic": {"false"}, "api-version": {p.tokenAdminVersion()}}
	resp, err := p.c.Do(ctx, &revoke.Request{Op: op, Method: http.MethodPost, URL: t.vssps + "_apis/tokenadmin/revocations?" + q.Encode(), Header: h, Body: b})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusNoContent {
		return &revoke.APIError{Provider: Name, Op: op, StatusCode: resp.StatusCode, Kind: revoke.ErrUnexpected, Code: "want 204 No Content"}
	}
	return nil
}

// Picked is the outcome of Pick: the authorization ids to revoke and why.
type Picked struct {
	IDs    []string
	Reason string
}

// Pick chooses which of the owner's PATs is the leaked token (PROVIDERS.md §1.3.1):
//
//  1. the one whose crossCompanyCorrelatingId equals C3ID(token);
//  2. else the PATs that are valid, not expired at now, scoped to orgID (or to all orgs),
//     and — for new-format tokens, which carry their creation month — created that month
//     (this last filter is dropped when it would leave none).
//
// More than one id means ambiguous; none means no match.
func Pick(token string, pats []SessionToken, orgID string, now time.Time) Picked {
	c3 := C3ID(token)
	var byC3 []string
	filled := 0
	for _, s := range pats {
		if s.CrossCompanyCorrelatingID != "" {
			filled++
		}
		if s.CrossCompanyCorrelatingID == c3 && !s.IsPublic {
			byC3 = append(byC3, s.AuthorizationID)
		}
	}
	if len(byC3) == 1 {
		return Picked{IDs: byC3, Reason: "matched by crossCompanyCorrelatingId"}
	}
	var cands []SessionToken
	for _, s := range pats {
		if !s.IsValid || s.IsPublic || (!s.ValidTo.IsZero() && !s.ValidTo.After(now)) || !scopedTo(s, orgID) {
			continue
		}
		cands = append(cands, s)
	}
	why := []string{fmt.Sprintf("%d of %d PATs valid, unexpired and scoped to this org", len(cands), len(pats))}
	if filled > 0 {
		why = append(why, "no crossCompanyCorrelatingId matched")
	}
	if y, m, ok := caskMonth(token); ok {
		var dated []SessionToken
		for _, s := range cands {
			if createdIn(s.ValidFrom, y, m) {
				dated = append(dated, s)
			}
		}
		if len(dated) > 0 {
			why = append(why, fmt.Sprintf("%d created %d-%02d", len(dated), y, m))
			cands = dated
		} else if len(cands) > 0 {
			why = append(why, fmt.Sprintf("none created %d-%02d as the token says; date ignored", y, m))
		}
	}
	ids := make([]string, len(cands))
	for i, s := range cands {
		ids[i] = s.AuthorizationID
	}
	return Picked{IDs: ids, Reason: strings.Join(why, ", ")}
}

func scopedTo(s SessionToken, orgID string) bool {
	if len(s.TargetAccounts) == 0 || orgID == "" {
		return true
	}
	for _, a := range s.TargetAccounts {
		if strings.EqualFold(a, orgID) {
			return true
		}
	}
	return false
}

// createdIn allows a day either side of the month, for time zones.
func createdIn(from time.Time, y int, m time.Month) bool {
	if from.IsZero() {
		return false
	}
	start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return !from.Before(start.AddDate(0, 0, -1)) && from.Before(start.AddDate(0, 1, 1))
}

// configuredOrg reports whether org is one of the configured organizations.
func (p *Provider) configuredOrg(org string) bool {
	for _, o := range p.orgs {
		if strings.EqualFold(o, org) {
			return true
		}
	}
	return false
}
