package webhook

import "errors"

var (
	// ErrNoCredential: a handler was built without the secret, token or password that
	// authenticates its deliveries. Returned by GitHub, GitLab and AzureDevOps: a receiver
	// that accepts unauthenticated pushes is never built.
	ErrNoCredential = errors.New("no webhook credential configured")
	// ErrBadOptions: Options lacks a required callback. Returned by GitHub, GitLab and
	// AzureDevOps.
	ErrBadOptions = errors.New("bad webhook options")
	// errPayload marks a delivery whose payload is malformed or misses a field patrol needs;
	// the handler answers 400. Returned by the parsers.
	errPayload = errors.New("bad payload")
)
