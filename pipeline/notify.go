package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/store"
)

// Events of outbox messages: at most one message per (fingerprint, recipient, event).
const (
	// EventRevoked: revoked by patrol and confirmed dead. Final.
	EventRevoked = "revoked"
	// EventNotRevoked: live, and policy does not allow revoking it (dry run, revoke:
	// false). Final until policy changes.
	EventNotRevoked = "not_revoked"
	// EventSkipped: live, and the provider cannot revoke it (not supported, ambiguous, no
	// match). Final.
	EventSkipped = "skipped"
	// EventRevokeFailed: live, and the revocation failed; it is retried, but the owner must
	// act now.
	EventRevokeFailed = "revoke_failed"
	// EventUnconfirmed: the revocation was accepted but the token still worked after the
	// confirm window; the owner must treat it as live.
	EventUnconfirmed = "unconfirmed"
)

// Channels of outbox messages.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// eventOf is the event a finding's state tells its owner about, or "".
func eventOf(f store.Finding) string {
	switch f.State {
	case lifecycle.StateConfirmedDead:
		if f.Revocation == lifecycle.OutcomeRevoked {
			return EventRevoked
		}
	case lifecycle.StateNotRevoked:
		return EventNotRevoked
	case lifecycle.StateSkipped:
		if f.Verify == lifecycle.VerdictLive {
			return EventSkipped
		}
	case lifecycle.StateRevokeFailed:
		return EventRevokeFailed
	case lifecycle.StateUnconfirmed:
		return EventUnconfirmed
	}
	return ""
}

// notifiedFrom is the state a finding is in while its final event's message is out: the
// state it leaves for notified when a server accepts that message. nil for events that are
// not final.
func notifiedFrom(event string) []store.State {
	switch event {
	case EventRevoked:
		return []store.State{lifecycle.StateConfirmedDead}
	case EventNotRevoked:
		return []store.State{lifecycle.StateNotRevoked}
	case EventSkipped:
		return []store.State{lifecycle.StateSkipped}
	}
	return nil
}

var actions = map[string]string{
	EventRevoked: notify.ActionRevoked, EventNotRevoked: notify.ActionDryRun, EventSkipped: notify.ActionSkipped,
	EventRevokeFailed: notify.ActionRevokeFailed, EventUnconfirmed: notify.ActionUnconfirmed,
}

// enqueue queues, in tx, the messages of f's current event: email to the owner (the
// provider's identity, or the commit author as probable owner) and the security team, and the
// webhook, as far as this Pipeline has a Mailer and a Webhook. The outbox key makes it
// idempotent. It reports whether a message was created. Addresses refused by the allowed
// domains, and an event nobody can be told about, are written to the audit log when a
// transition (loud) or a new message caused the call.
func (p *Pipeline) enqueue(ctx context.Context, tx store.Store, f store.Finding, loud bool) (bool, error) {
	ev := eventOf(f)
	if !p.notifies() || ev == "" {
		return false, nil
	}
	loc := firstCommitted(f)
	to, cc, probable, dropped := p.o.Notify.Recipients(f.OwnerEmail, loc.AuthorEmail)
	base := p.payloadOf(f, ev, loc)
	base.ProbableOwner = probable
	if len(to) > 0 {
		base.OwnerEmail = to[0]
	}
	type out struct {
		rcpt, channel, role string
		primary             bool
	}
	var msgs []out
	if p.o.Mailer != nil {
		for _, a := range to {
			msgs = append(msgs, out{strings.ToLower(a), ChannelEmail, roleOwner, true})
		}
		for _, a := range cc {
			msgs = append(msgs, out{strings.ToLower(a), ChannelEmail, roleSecurity, len(to) == 0})
		}
	}
	if p.o.Webhook != nil {
		msgs = append(msgs, out{"webhook", ChannelWebhook, roleWebhook, len(msgs) == 0})
	}
	created := false
	for _, m := range msgs {
		pl := base
		pl.Role, pl.Primary = m.role, m.primary
		b, err := json.Marshal(pl)
		if err != nil {
			return false, fmt.Errorf("encode %s message for %s: %w", ev, f.Fingerprint, err)
		}
		sm, c, err := tx.Enqueue(ctx, store.Message{Fingerprint: f.Fingerprint, Recipient: m.rcpt, Event: ev,
			Channel: m.channel, Payload: b, NextAttempt: p.now()})
		if err != nil {
			return false, fmt.Errorf("enqueue %s message for %s: %w", ev, f.Fingerprint, err)
		}
		if c {
			created = true
			if err := tx.Audit(ctx, p.row("notify_queued", f, m.rcpt, ev, fmt.Sprintf("message %d via %s", sm.ID, m.channel))); err != nil {
				return false, fmt.Errorf("audit queued message: %w", err)
			}
		}
	}
	if loud || created {
		var rows []store.AuditEvent
		for _, d := range dropped {
			rows = append(rows, p.row("notify", f, d.Address, "dropped", d.Role+": "+d.Reason))
		}
		if len(msgs) == 0 {
			rows = append(rows, p.row("notify", f, "", "no_recipient", ev+": no allowed owner or author address, no security team, no webhook"))
		}
		for _, r := range rows {
			if err := tx.Audit(ctx, r); err != nil {
				return false, fmt.Errorf("audit dropped recipient: %w", err)
			}
		}
	}
	return created, nil
}

// catchUp queues the messages of a resting finding whose event was reached without a
// notifier (a run without --notify) or before one was configured.
func (p *Pipeline) catchUp(ctx context.Context, f store.Finding) (bool, error) {
	var created bool
	err := p.o.Store.InTx(ctx, func(tx store.Store) error {
		cur, err := tx.Finding(ctx, f.Fingerprint)
		if err != nil {
			return err
		}
		if cur.State != f.State {
			return fmt.Errorf("finding %s is %s, not %s: %w", f.Fingerprint, cur.State, f.State, store.ErrConflict)
		}
		created, err = p.enqueue(ctx, tx, cur, false)
		return err
	})
	return created, err
}

// payloadOf is the message data of a finding's event; it never holds the raw token.
func (p *Pipeline) payloadOf(f store.Finding, ev string, loc store.Location) payload {
	at := f.UpdatedAt
	if at.IsZero() {
		at = p.now()
	}
	return payload{V: payloadVersion, Event: ev, Detector: f.DetectorID, Provider: f.Provider,
		TokenKind: p.kind(f.DetectorID), Redacted: f.Redacted, Fingerprint: f.Fingerprint,
		Repository: loc.Repository, Commit: loc.Commit, Path: loc.Path, Line: loc.Line,
		CommitURL: first(loc.WebURL, commitURL(loc.Repository, loc.Commit)),
		FoundAt:   f.FirstSeen, Action: actions[ev], ActionAt: at, ActionReason: f.RevocationReason,
		OwnerName: f.OwnerName, Contact: p.o.Notify.ContactOrDefault(), RotateURL: builtinRotateURL(f.DetectorID)}
}

// firstCommitted is where the token was first committed: the location with the earliest
// commit date, the first recorded among equals, and the first recorded when none is dated.
func firstCommitted(f store.Finding) store.Location {
	if len(f.Locations) == 0 {
		return store.Location{}
	}
	best := f.Locations[0]
	for _, l := range f.Locations[1:] {
		if !l.Date.IsZero() && (best.Date.IsZero() || l.Date.Before(best.Date)) {
			best = l
		}
	}
	return best
}

// Deliver sends the due messages of the outbox (any finding's): a temporary failure is
// retried with backoff and never dropped, a permanent one is recorded as failed with the
// server's reason, a sent message is never sent again. When the message that completes a
// final event is accepted, its finding moves to notified. Each outcome is in the audit log.
// Channels this Pipeline has no sender for stay queued for one that has.
func (p *Pipeline) Deliver(ctx context.Context) error {
	if p.o.Store == nil {
		return errNoStore
	}
	msgs, err := p.o.Store.DueMessages(ctx, p.now(), 100)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return p.deliver(ctx, msgs)
}

// deliverFor sends the due messages of one finding.
func (p *Pipeline) deliverFor(ctx context.Context, fingerprint string) error {
	msgs, err := p.o.Store.Messages(ctx, fingerprint)
	if err != nil {
		return fmt.Errorf("outbox of %s: %w", fingerprint, err)
	}
	now := p.now()
	due := msgs[:0]
	for _, m := range msgs {
		if (m.Status == store.StatusPending || m.Status == store.StatusSending) && !m.NextAttempt.After(now) {
			due = append(due, m)
		}
	}
	return p.deliver(ctx, due)
}

func (p *Pipeline) deliver(ctx context.Context, msgs []store.Message) error {
	var errs []error
	for _, m := range msgs {
		if !p.canSend(m.Channel) {
			continue // not configured in this process: leave it queued
		}
		claimed, err := p.o.Store.ClaimMessage(ctx, m.ID, p.now())
		if errors.Is(err, store.ErrConflict) {
			continue // another worker has it, or sent it
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("claim message %d: %w", m.ID, err))
			continue
		}
		errs = append(errs, p.deliverOne(ctx, claimed))
	}
	return errors.Join(errs...)
}

func (p *Pipeline) canSend(channel string) bool {
	return channel == ChannelEmail && p.o.Mailer != nil || channel == ChannelWebhook && p.o.Webhook != nil
}

// deliverOne sends a claimed message and records the outcome.
func (p *Pipeline) deliverOne(ctx context.Context, m store.Message) error {
	rec := store.Finding{Fingerprint: m.Fingerprint}
	pl, err := readPayload(m.Payload)
	if err == nil {
		rec.Provider = pl.Provider
		err = p.send(ctx, m, pl)
	}
	now := p.now()
	switch {
	case err == nil:
		return p.o.Store.InTx(ctx, func(tx store.Store) error {
			if err := tx.MessageSent(ctx, m.ID, now); err != nil {
				return err
			}
			if err := tx.Audit(ctx, p.row("notify", rec, m.Recipient, "sent", m.Event)); err != nil {
				return err
			}
			primary := pl.Primary || pl.V == 0 && m.Channel == ChannelEmail && strings.EqualFold(m.Recipient, pl.OwnerEmail)
			if from := notifiedFrom(m.Event); primary && from != nil {
				_, err := tx.Transition(ctx, m.Fingerprint, from, lifecycle.StateNotified, store.Update{})
				if err != nil && !errors.Is(err, store.ErrConflict) { // it moved on since: nothing to finish
					return fmt.Errorf("mark %s notified: %w", m.Fingerprint, err)
				}
			}
			return nil
		})
	case errors.Is(err, notify.ErrPermanent), errors.Is(err, ErrPayload):
		p.log.WarnContext(ctx, "notification failed for good", "fingerprint", m.Fingerprint, "channel", m.Channel, "err", err.Error())
		return errors.Join(p.o.Store.MessageFailed(ctx, m.ID, now, err.Error()),
			p.audit(ctx, p.row("notify", rec, m.Recipient, "failed", err.Error())))
	default:
		wait := p.o.Backoff(m.Attempts) // Attempts counts this claim
		if ra, ok := notify.RetryAfter(err); ok && ra > wait {
			wait = ra
		}
		p.log.WarnContext(ctx, "notification not delivered; will retry", "fingerprint", m.Fingerprint, "channel", m.Channel,
			"retry_in", wait.String(), "err", err.Error())
		return errors.Join(p.o.Store.MessageRetry(ctx, m.ID, now.Add(wait), err.Error()),
			p.audit(ctx, p.row("notify", rec, m.Recipient, "retry", err.Error())))
	}
}

// send delivers one message, bounded well within the outbox's claim lease.
func (p *Pipeline) send(ctx context.Context, m store.Message, pl payload) error {
	ctx, cancel := context.WithTimeout(ctx, store.SendLease/2)
	defer cancel()
	l := pl.leak()
	if m.Channel == ChannelWebhook {
		return p.o.Webhook.Post(ctx, l)
	}
	subject, text, html, err := notify.Render(l)
	if err != nil {
		return fmt.Errorf("%w: render: %v", notify.ErrPermanent, err)
	}
	if pl.Role == roleSecurity || pl.V == 0 && !strings.EqualFold(m.Recipient, l.OwnerEmail) {
		subject = "[security copy] " + subject
	}
	// A stable Message-ID lets a receiver drop the duplicate of the one at-least-once window
	// (a crash between the server accepting the message and recording it sent).
	id := fmt.Sprintf("patrol-%d-%s@patrol.invalid", m.ID, m.Fingerprint[:min(16, len(m.Fingerprint))])
	return p.o.Mailer.Send(ctx, notify.Email{To: []string{m.Recipient}, Subject: subject, Text: text, HTML: html, MessageID: id})
}

// messagesDue is when the earliest pending message of a finding that this Pipeline can send is
// due, or false.
func (p *Pipeline) messagesDue(ctx context.Context, fingerprint string) (time.Time, bool, error) {
	msgs, err := p.o.Store.Messages(ctx, fingerprint)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("outbox of %s: %w", fingerprint, err)
	}
	var at time.Time
	found := false
	for _, m := range msgs {
		if (m.Status == store.StatusPending || m.Status == store.StatusSending) && p.canSend(m.Channel) &&
			(!found || m.NextAttempt.Before(at)) {
			at, found = m.NextAttempt, true
		}
	}
	return at, found, nil
}
