// Package whoami verifies, and where the issuer documents it revokes, tokens whose issuer
// offers a read-only "who am I" call answered with the token itself.
//
// Many issuers (Hugging Face, Doppler, DigitalOcean, Postman, Telegram, SendGrid, Cloudflare,
// Datadog, CircleCI, Buildkite, Notion, Heroku, Discord, Stripe) have one such call and, at
// most, one self-revoke call. Writing a package for each would repeat the same forty lines,
// so each issuer is a [Spec] — method and path, how the token is carried, which statuses
// mean "bad credentials", where the owner is in the JSON answer — and [New] turns a Spec into
// a [revoke.Provider]. Each issuer's Spec lives in its own file, whose comment names the
// issuer's documentation of the calls it makes.
//
// The rules are those of package revoke: one call per verification through the shared
// [revoke.Client] (per-call deadline, retries with backoff, Retry-After, no redirects); only
// the statuses the issuer documents for a bad token (401 unless the Spec says otherwise) make
// a token dead; 403, 429, 5xx, timeouts and an answer off the documented contract are
// unknown. A Spec without a Revoke call makes [Provider.Revoke] return
// [revoke.ErrNotSupported], and the owner's email then links the detector's RotateURL.
//
// Invariants: the token leaves its [secret.Token] only to build the request (a header, or,
// for Telegram, the path); errors and log lines name a call by its documented template
// ("GET /bot{token}/getMe"), never by its URL. Providers are safe for concurrent use.
package whoami
