package targets

import "errors"

// Sentinels matched with errors.Is. List and the constructors wrap them with the target, the
// operation and the HTTP status, and never with a token.
var (
	// ErrConfig: a target is not usable as configured (no org, a base URL that is not https,
	// an unknown project, a path that is not a git repository). Returned by the constructors
	// and by List.
	ErrConfig = errors.New("invalid target")
	// ErrAccess: the host refused the token (HTTP 401 or 403 that is not a rate limit; Azure
	// DevOps' 203 sign-in page). The token is missing, expired, or lacks the scope to list.
	// Returned by List.
	ErrAccess = errors.New("the token lacks access")
	// ErrNotFound: the organization, user or group does not exist, or the token cannot see it
	// (HTTP 404). Returned by List.
	ErrNotFound = errors.New("not found, or not visible to the token")
	// ErrRateLimited: the host still limited the calls after the retries, or asked for a
	// longer wait than Options.MaxWait. Returned by List.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: no answer, or 5xx answers, after the retries. Returned by List.
	ErrUnavailable = errors.New("host unavailable")
	// ErrUnexpected: an answer outside the documented contract (a status, body, clone URL or
	// page link patrol cannot use). Returned by List.
	ErrUnexpected = errors.New("unexpected answer")
)
