// Package azuredevops verifies Azure DevOps personal access tokens and revokes them as an
// organization admin.
//
// Azure DevOps has no API that revokes a PAT from its value, so revocation is a chain
// (PROVIDERS.md §1.3.1):
//
//  1. Verify: GET {org}/_apis/connectionData with the leaked PAT (Basic, empty user name,
//     X-TFS-FedAuthRedirect: Suppress) for each candidate organization: those named by the
//     repository URL or nearby text ([OrgsFrom]), then the configured ones. 200 names the owner
//     (VSID, subject descriptor, UPN); 401 everywhere means dead. The e-mail comes from
//     connectionData, else Graph, else Identities.
//  2. Revoke, with the admin PAT (Project Collection Administrator, vso.tokenadministration):
//     list the owner's PATs through the Token Admin API (paged by continuationToken), pick the
//     leaked one by its C3ID ([C3ID], crossCompanyCorrelatingId) or, failing that, by the
//     narrowing rules (valid, unexpired, scoped to this org, created in the month the CASK
//     token says); several candidates left means [revoke.ErrAmbiguous] unless the policy is
//     revoke_all; then POST …/tokenadmin/revocations. Revoke returns when that answered 204.
//  3. Confirmation is not part of Revoke: Azure DevOps documents that a revoked PAT may keep
//     working for up to an hour ([DefaultConfirmTimeout]). The pipeline's confirm step calls
//     Verify (connectionData with the leaked PAT) until it answers 401.
//
// Azure DevOps Server / TFS is served by giving the collection URL as base URL (and as vssps
// URL, or leaving that empty): every call then goes to {collection}/_apis/…, the organization
// list is ignored, and Graph (cloud only) is skipped.
package azuredevops
