// Package npm verifies and revokes npm registry tokens with the token itself: GET /-/whoami
// for liveness and owner, GET /-/npm/v1/user for the e-mail, DELETE
// /-/npm/v1/tokens/token/{token} to revoke.
//
// The revoke path carries the token value, so this package never lets a request URL reach an
// error or a log line; operations are named by their template.
//
// Revoke returns when the registry accepted the revocation (2xx). npm documents no delay
// before a revoked token fails; the pipeline confirms with Verify ([DefaultConfirmTimeout]).
package npm
