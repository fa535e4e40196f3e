// Package notify tells a leaked token's owner and the security team what happened: what
// leaked, where, when, what patrol did about it, and what the owner must do now.
//
// [Render] turns a [Leak] into a subject and text and HTML bodies from embedded templates;
// [Mailer] sends the resulting [Email] through SMTP (STARTTLS, implicit TLS, or plain text to
// a local relay; AUTH PLAIN or LOGIN); [Webhook] posts [WebhookText] to the security team's
// chat. [Config] is the notify section of patrol.yaml, and [Config.Recipients] picks who is
// mailed: the owner the provider names, else the commit author as probable owner, the
// security team in cc, and only addresses in allowed domains.
//
// What it does not do: queue, retry or remember what was sent. The durable outbox (one
// message per fingerprint, recipient and event, retried with [Backoff], never dropped) lives
// in the pipeline and the store. This package's part is to classify every failure precisely:
// [Mailer.Send] and [Webhook.Post] return a [*DeliveryError] that matches [ErrTemporary]
// (retry later) or [ErrPermanent] (record it; the server's reason is in the error). It
// imports no other patrol package.
//
// # Configuration
//
// The notify section of patrol.yaml (every key optional; see [Config] for each):
//
//	notify:
//	  smtp:
//	    host: smtp.contoso.com
//	    port: 587                      # default by tls: 587 starttls, 465 implicit, 25 none
//	    tls: starttls                  # starttls (default) | implicit | none (loopback relays)
//	    username: patrol               # AUTH PLAIN, or LOGIN when only that is offered
//	    password: ${SMTP_PASSWORD}
//	    from: "patrol <patrol@contoso.com>"
//	    ca_file: /etc/patrol/smtp-ca.pem  # extra roots for an internal CA
//	    timeout: 30s                   # connect and each SMTP command
//	  security_team: secops@contoso.com  # cc on every owner email
//	  allowed_domains: [contoso.com, "*.contoso.com"]  # default: the from and security_team domains
//	  contact: secops@contoso.com      # whom owners should contact; default security_team
//	  webhook:
//	    url: ${PATROL_WEBHOOK_URL}     # Slack/Teams incoming webhook; a secret
//
// Invariants:
//   - No field of a Leak holds the raw secret, and Render shows at most a preview of
//     Redacted. Every Leak string is untrusted: HTML is escaped by html/template, control
//     and bidi characters are removed, the commit link must be http(s), and the chat text
//     escapes what Slack would read as mentions or links.
//   - Render and WebhookText are deterministic: same Leak, same bytes.
//   - The SMTP password and the webhook URL never appear in an error, a String or a log
//     value.
//   - Mailer and Webhook are safe for concurrent use.
package notify
