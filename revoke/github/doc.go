// Package github verifies and revokes GitHub tokens: GET /user with the token for owner and
// liveness, POST /credentials/revoke without any credential to revoke.
//
// It talks to github.com or GitHub Enterprise Server (base URL https://{host}/api/v3/) through
// go-github v60, whose requests go through a [revoke.Client]. v60 has no Credentials service,
// so the revoke call is built with Client.NewRequest and sent with Client.Do on a client that
// holds no token: github.com answers 403 to an authenticated revoke call.
//
// The revoke endpoint allows 60 calls an hour and 1000 tokens a call; [Provider.RevokeBatch]
// packs tokens and paces calls with a limiter. Revoke returns on the 202 Accepted. GitHub
// documents no delay before a revoked token fails, but a 202 does not say which tokens were
// valid, so the pipeline's confirm step re-checks each token with Verify (GET /user) until it
// answers 401 ([DefaultConfirmTimeout]).
package github
