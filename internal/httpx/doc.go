// Package httpx holds the HTTP helpers that more than one patrol package needs and that must
// behave the same everywhere: reading a server's Retry-After ([RetryAfter]) and redacting a
// URL before it reaches an error, a log line or a report ([RedactURL]).
//
// It exists because both helpers had been copied and had drifted (two Retry-After parsers
// with different caps and grammars, three URL redactors keeping different parts). It is a
// leaf: it imports only the standard library, holds no state, and does no I/O, so that revoke,
// notify and scanner can share it without depending on each other.
//
// What it does not do: send requests, retry, or find tokens inside free text or URL paths
// (npm carries its token in the path; callers name such operations by a template instead).
package httpx
