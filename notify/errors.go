package notify

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinels matched with errors.Is. Every delivery failure of [Mailer.Send] and [Webhook.Post]
// is a [*DeliveryError] that matches exactly one of ErrTemporary and ErrPermanent, so the outbox
// can decide between retrying with [Backoff] and recording the failure.
var (
	// ErrTemporary: the message may go through later, unchanged. Returned by Mailer.Send for an
	// SMTP 4xx reply, a refused or dropped connection, a timeout, a TLS or STARTTLS failure and
	// a cancelled context; by Webhook.Post for 408, 429, 5xx and transport failures. The outbox
	// retries it; a DeliveryError's RetryAfter, when set, is the earliest sensible retry.
	ErrTemporary = errors.New("temporary delivery failure")
	// ErrPermanent: sending the same message again will fail the same way, until someone
	// changes the configuration or the recipient. Returned by Mailer.Send for an SMTP 5xx reply
	// (the server's reason is in the DeliveryError) and for a message that cannot be composed
	// (no recipient, a malformed address); by Webhook.Post for 4xx other than 408 and 429, and
	// for a redirect (webhooks do not move).
	ErrPermanent = errors.New("permanent delivery failure")
	// ErrInvalidLeak: Render was given a Leak it cannot describe (an Action it does not know).
	// Returned by Render; retrying cannot help. WebhookText never fails: it describes such a
	// Leak as of unknown status.
	ErrInvalidLeak = errors.New("invalid leak")
)

// DeliveryError is a failed [Mailer.Send] or [Webhook.Post]. Under errors.Is it matches
// [ErrTemporary] or [ErrPermanent] (by Temporary) and whatever Err wraps (a context error, a
// net timeout). It never holds a password, a webhook URL or message content.
type DeliveryError struct {
	// Channel is "smtp" or "webhook".
	Channel string
	// Op is the step that failed: for SMTP "compose", "connect" (dial, TLS handshake of
	// implicit TLS, greeting), "ehlo", "starttls", "auth", "mail from", "rcpt to", "data"; for
	// the webhook "post".
	Op string
	// Code is the SMTP reply code or the HTTP status; 0 when no answer came.
	Code int
	// EnhancedCode is the SMTP enhanced status code (RFC 3463, "5.1.1") when the reply had one.
	EnhancedCode string
	// Reason is the server's own text: the SMTP reply without its codes, or the start of the
	// webhook's response body (Slack answers "invalid_token", "channel_is_archived" …).
	Reason string
	// Recipients are the addresses the server rejected at RCPT TO.
	Recipients []string
	// RetryAfter is how long the server asked to wait (HTTP Retry-After); 0 when it did not say.
	RetryAfter time.Duration
	// Temporary says whether the failure matches ErrTemporary (true) or ErrPermanent (false).
	Temporary bool
	// Err is the local cause (dial error, timeout, context error, TLS error), nil when the
	// server answered.
	Err error
}

// Error implements error: "smtp rcpt to: 550 5.1.1 mailbox unavailable (rejected
// owner@contoso.com)", "smtp connect: dial tcp 127.0.0.1:25: connect: connection refused",
// "webhook post: 429 Too Many Requests (retry after 30s)".
func (e *DeliveryError) Error() string {
	var b strings.Builder
	b.WriteString(e.Channel)
	if e.Op != "" {
		b.WriteString(" ")
		b.WriteString(e.Op)
	}
	b.WriteString(": ")
	var parts []string
	if e.Code != 0 {
		parts = append(parts, fmt.Sprint(e.Code))
	}
	if e.EnhancedCode != "" {
		parts = append(parts, e.EnhancedCode)
	}
	if e.Reason != "" {
		parts = append(parts, e.Reason)
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	if len(parts) == 0 {
		parts = append(parts, "failed")
	}
	b.WriteString(strings.Join(parts, " "))
	if len(e.Recipients) > 0 {
		b.WriteString(" (rejected ")
		b.WriteString(strings.Join(e.Recipients, ", "))
		b.WriteString(")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Unwrap returns the local cause, so errors.Is(err, context.DeadlineExceeded) works.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Is matches ErrTemporary or ErrPermanent according to Temporary.
func (e *DeliveryError) Is(target error) bool {
	switch target {
	case ErrTemporary:
		return e.Temporary
	case ErrPermanent:
		return !e.Temporary
	}
	return false
}

// RetryAfter returns how long the server that caused err asked to wait before the next
// attempt, and whether it said so. The outbox waits max(RetryAfter, Backoff(attempt)).
func RetryAfter(err error) (time.Duration, bool) {
	var de *DeliveryError
	if errors.As(err, &de) && de.RetryAfter > 0 {
		return de.RetryAfter, true
	}
	return 0, false
}
