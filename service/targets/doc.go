// Package targets turns the targets of `patrol serve` (a GitHub organization or user, an Azure
// DevOps organization, a GitLab group, one git URL, one local directory) into the list of
// repositories to mirror and scan.
//
// The service re-lists every target on each sweep: new repositories join, and the ones that
// are gone retire. That is why [Lister.List] returns either the whole list or an error, never
// part of one: a page that failed must not look like repositories that were deleted.
//
// Each host is read through its documented listing contract (SERVICE.md §3):
//
//   - GitHub, with go-github v60: GET /orgs/{org}/repos (type=all) or GET /users/{user}/repos
//     (type=owner), every page of the Link header; forks and archived repositories are left out
//     unless asked for.
//   - Azure DevOps, REST api-version 7.1: GET {org}/_apis/projects, following the
//     x-ms-continuationtoken header, then GET {org}/{project}/_apis/git/repositories for each
//     project (or each configured one); disabled repositories are left out.
//   - GitLab: GET /api/v4/groups/{group}/projects with include_subgroups=true, every page of
//     X-Next-Page (or the Link header); archived projects are left out unless asked for.
//
// What is left out is logged, never dropped silently. Every request goes to https, or to plain
// http on a loopback address only (tests, a local proxy); so does every clone URL a host
// answers with, and none keeps a user name or password. Redirects are not followed: the token
// goes only to the configured host.
//
// Rate limits and outages are waited out on an injected clock, bounded by the caller's
// context: GitHub's primary limit (403 or 429 with X-RateLimit-Remaining: 0) until
// X-RateLimit-Reset, its secondary limit for Retry-After (at least a minute when it gives
// none), 429 and 5xx answers for Retry-After or with exponential backoff. A refused token
// (401, 403, Azure DevOps' 203 sign-in page) is an error wrapping [ErrAccess] that names the
// target and never the token; the tokens themselves are [secret.Token] values and print
// redacted.
//
// Listers are safe for concurrent use; each List call works on its own.
package targets
