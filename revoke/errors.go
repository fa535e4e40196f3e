package revoke

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinels matched with errors.Is. The HTTP ones are matched by *APIError; the others are
// wrapped with fmt.Errorf by the providers.
var (
	// ErrUnauthorized: the provider rejected the credential (HTTP 401, Slack invalid_auth,
	// token_revoked, token_expired, account_inactive). Returned by Client.Do and the
	// providers; from Verify it means the token is dead, from an admin call that the admin
	// credential is not accepted.
	ErrUnauthorized = errors.New("bad credentials")
	// ErrForbidden: HTTP 403 that is not a rate limit (scope missing, SSO, not an admin).
	// Returned by Client.Do.
	ErrForbidden = errors.New("forbidden")
	// ErrRateLimited: HTTP 429, a 403 with rate-limit headers, or Slack's ratelimited, still so
	// after retries or asking for a longer wait than the client accepts; APIError.RetryAfter
	// says how long. Returned by Client.Do and the providers.
	ErrRateLimited = errors.New("rate limited")
	// ErrNotFound: HTTP 404. Returned by Client.Do.
	ErrNotFound = errors.New("not found")
	// ErrServer: HTTP 5xx after retries. Returned by Client.Do.
	ErrServer = errors.New("server error")
	// ErrTimeout: no answer within the per-call timeout, after retries. Returned by Client.Do.
	ErrTimeout = errors.New("timeout")
	// ErrUnexpected: an answer outside the documented contract (status or body). Returned by
	// the providers.
	ErrUnexpected = errors.New("unexpected answer")
	// ErrNotLive: Revoke was given a Verification that is not StatusLive. Returned by Revoke.
	ErrNotLive = errors.New("token not verified live")
	// ErrNotSupported: the provider cannot revoke this token, or is not configured to
	// (Azure DevOps without an admin token, GitHub ghs_ tokens, npm asking for a one-time
	// password). Returned by Revoke.
	ErrNotSupported = errors.New("revocation not supported")
	// ErrNoMatch: none of the owner's tokens can be the leaked one (Azure DevOps token list).
	// Returned by Revoke.
	ErrNoMatch = errors.New("no matching token")
	// ErrAmbiguous: several of the owner's tokens could be the leaked one and the policy says
	// skip (Azure DevOps). Returned by Revoke; the wrapping text says why.
	ErrAmbiguous = errors.New("ambiguous token")
	// ErrNoOrg: Azure DevOps could not be checked because no organization was known (none in
	// the config, the repository URL or the nearby text). Returned by Verify.
	ErrNoOrg = errors.New("no organization to check")
)

// APIError is a failed provider call. It never holds a token, an Authorization header, a
// request URL or a response body.
type APIError struct {
	// Provider is the provider name ("github").
	Provider string
	// Op is the documented operation, "METHOD /path/{template}".
	Op string
	// StatusCode is the HTTP status, 0 when no answer came.
	StatusCode int
	// Code is the provider's error code when the body carries one (Slack "invalid_auth").
	Code string
	// Kind, when set, is the sentinel a provider mapped a body-level error to (Slack ok:false
	// with HTTP 200); Is matches it.
	Kind error
	// RetryAfter is how long the provider asked to wait (Retry-After, X-RateLimit-Reset).
	RetryAfter time.Duration
	// Err is the transport cause (timeout, connection refused), without the URL.
	Err error
}

// Error implements error: "github: GET /user: 401 Unauthorized".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider)
	b.WriteString(": ")
	b.WriteString(e.Op)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap returns the transport cause.
func (e *APIError) Unwrap() error { return e.Err }

// Is matches the sentinels by status code, Kind and cause.
func (e *APIError) Is(target error) bool {
	if e.Kind != nil && target == e.Kind {
		return true
	}
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden && !e.rateLimited()
	case ErrRateLimited:
		return e.rateLimited()
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	case ErrTimeout:
		return e.StatusCode == 0 && errors.Is(e.Err, context.DeadlineExceeded)
	}
	return false
}

func (e *APIError) rateLimited() bool {
	return e.StatusCode == http.StatusTooManyRequests ||
		(e.StatusCode == http.StatusForbidden && e.RetryAfter > 0) ||
		e.Kind == ErrRateLimited
}
