// Package slack verifies and revokes Slack tokens with the token itself: POST auth.test for
// liveness and owner, GET users.info for the e-mail (needs users:read.email), POST auth.revoke
// to revoke.
//
// Slack answers HTTP 200 with {"ok":false,"error":…} for most failures; only the errors that
// mean the token no longer authenticates (invalid_auth, account_inactive, token_revoked,
// token_expired) make it dead. not_authed means the token did not arrive and is not taken as
// proof of anything.
//
// Revoke returns when Slack accepted the revocation ({"ok":true,"revoked":true}). Slack
// documents no delay before a revoked token fails; the pipeline confirms with Verify
// ([DefaultConfirmTimeout]).
package slack
