// Package revoke proves leaked tokens live or dead, names their owner, and revokes them through
// the issuing provider's API.
//
// Each provider lives in its own subpackage (azuredevops, github, gitlab, slack, npm) behind
// the small [Provider] interface, except the issuers whose only calls are a "who am I" and at
// most a self-revoke: those are rows of one table in package whoami; [github.com/patrolsec/patrol/revoke/providers] builds them from
// config. This package holds what they share: the [Verification] and [Identity] types, the
// typed [*APIError] and its sentinels (errors.go), and [Client], the one HTTP discipline every
// provider uses: per-call timeouts, retries with exponential backoff and jitter, Retry-After and
// rate-limit headers, a per-provider [rate.Limiter], context cancellation and the
// "patrol/<version>" User-Agent.
//
// [Provider.Revoke] returns when the provider accepted the revocation; it never waits for the
// token to stop working. Confirming that is a separate step the pipeline schedules, calling
// [Provider.Verify] until the token answers dead (Azure DevOps documents up to an hour), so
// that a slow provider holds neither a worker nor anyone else's e-mail.
//
// What it does not do: decide whether a token may be revoked (policy), remember what was
// verified (the pipeline caches per fingerprint), confirm a revocation, or write the audit
// log. Those live in [github.com/patrolsec/patrol/pipeline].
//
// Invariants:
//   - A token leaves its [secret.Token] only inside a provider, to build the request that
//     must carry it. No error, log line or Verification carries a token, an Authorization
//     header value or a request URL (npm puts the token in the path); errors name the operation
//     by its documented template, e.g. "DELETE /-/npm/v1/tokens/token/{token}".
//   - Only a provider's "bad credentials" answer (HTTP 401, Slack invalid_auth …) makes a token
//     [StatusDead]. 403, 429, 5xx, timeouts and anything unexpected are [StatusUnknown] after
//     retries: calling a live token dead is worse than saying nothing.
//   - Providers and Client are safe for concurrent use.
package revoke
