package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/store"
)

// StateRevoking marks a finding whose revocation was recorded as started. A finding left in it
// by a crash is re-verified before anything else: dead means the revocation took effect, live
// means it did not, so revoking again is not a second revocation.
const StateRevoking store.State = "revoking"

// Outbox events, one message per (fingerprint, recipient, event).
const (
	EventRevoked      = "revoked"       // revoked and confirmed dead
	EventRevokeFailed = "revoke_failed" // live, revocation failed: the owner must act now
	EventNotRevoked   = "not_revoked"   // live, not revoked by policy or dry run
	EventUnconfirmed  = "unconfirmed"   // revocation accepted, not yet confirmed dead
)

// Channels of outbox messages.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Sender delivers one rendered email; *notify.Mailer implements it.
type Sender interface {
	Send(ctx context.Context, e notify.Email) error
}

// Poster delivers one webhook message; *notify.Webhook implements it.
type Poster interface {
	Post(ctx context.Context, l notify.Leak) error
}

// DurableOptions configure a Durable pipeline.
type DurableOptions struct {
	Store    store.Store
	Provs    map[string]revoke.Provider
	Policy   Policy
	Notify   notify.Config
	Mailer   Sender // nil: email is not sent (messages stay queued)
	Webhook  Poster // nil: no webhook messages
	Notifies bool   // enqueue owner and security-team messages
	Actor    string // who acts, for the audit log ("patrol scan", "patrol serve")
	Hints    func(scanner.Finding) revoke.Hints
	Logger   *slog.Logger
	Now      func() time.Time
	// Backoff is the retry schedule for unknown verifications, failed revocations and
	// unsent messages (notify.Backoff when nil).
	Backoff func(attempt int) time.Duration
	// StopAfterRevoke, for tests, stops Run right after the revoke step, as a crash would.
	StopAfterRevoke bool
}

// Durable is the pipeline of `patrol scan --revoke --notify` and `patrol serve`: every step is
// recorded in the store before and after it runs, so a restart resumes pending work and never
// repeats a revocation or an email.
type Durable struct {
	o DurableOptions
}

// NewDurable returns a Durable pipeline.
func NewDurable(o DurableOptions) *Durable {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Backoff == nil {
		o.Backoff = notify.Backoff
	}
	if o.Actor == "" {
		o.Actor = "patrol"
	}
	return &Durable{o: o}
}

// ErrStopped is returned by Run when DurableOptions.StopAfterRevoke stopped it.
var ErrStopped = errors.New("pipeline stopped after the revoke step")

// Run takes the findings of one scan through the pipeline and returns their results for the
// report. The raw secrets are needed for verify and revoke, so work left pending by an earlier
// run is resumed here when this scan sees the same token again.
func (d *Durable) Run(ctx context.Context, findings []scanner.Finding) ([]Result, error) {
	now := d.o.Now()
	groups := map[string][]int{}
	var order []string
	for i, f := range findings {
		if _, ok := groups[f.Fingerprint]; !ok {
			order = append(order, f.Fingerprint)
		}
		groups[f.Fingerprint] = append(groups[f.Fingerprint], i)
	}
	state := map[string]store.Finding{}
	for _, fp := range order {
		idx := groups[fp]
		rec := toRecord(findings[idx[0]], now)
		for _, i := range idx[1:] {
			rec.Locations = append(rec.Locations, toLocation(findings[i]))
		}
		stored, created, err := d.o.Store.SaveFinding(ctx, rec)
		if err != nil {
			return nil, fmt.Errorf("save finding %s: %w", fp, err)
		}
		if created {
			d.audit(ctx, "detect", stored, findings[idx[0]].Location.Repository, "detected", "")
		}
		state[fp] = stored
	}

	// Verify what is new, what was unknown and is due, and what a crash left mid-revocation.
	var toVerify []scanner.Finding
	for _, fp := range order {
		s := state[fp]
		if d.needsVerify(s, now) {
			toVerify = append(toVerify, findings[groups[fp][0]])
		}
	}
	inner := New(d.o.Provs, Options{Logger: d.o.Logger, Now: d.o.Now, Hints: d.o.Hints, Audit: &storeAuditor{d: d, state: state}})
	verified := map[string]Result{}
	for _, r := range inner.Verify(ctx, toVerify) {
		verified[r.Finding.Fingerprint] = r
		s, err := d.recordVerification(ctx, state[r.Finding.Fingerprint], r)
		if err != nil {
			return nil, err
		}
		state[r.Finding.Fingerprint] = s
	}

	// Revoke live tokens (the storeAuditor moves each to revoking before the provider call).
	var live []Result
	for _, fp := range order {
		if r, ok := verified[fp]; ok && r.Verification != nil && r.Verification.Status == revoke.StatusLive &&
			(state[fp].State == store.StateVerified || state[fp].State == store.StateRevokeFailed) {
			live = append(live, r)
		}
	}
	revoked := map[string]Result{}
	for _, r := range inner.Revoke(ctx, live, d.o.Policy) {
		revoked[r.Finding.Fingerprint] = r
		s, err := d.recordRevocation(ctx, state[r.Finding.Fingerprint], r)
		if err != nil {
			return nil, err
		}
		state[r.Finding.Fingerprint] = s
	}
	if d.o.StopAfterRevoke {
		return nil, ErrStopped
	}

	if d.o.Notifies {
		for _, fp := range order {
			s, err := d.enqueue(ctx, state[fp], findings[groups[fp][0]])
			if err != nil {
				return nil, err
			}
			state[fp] = s
		}
		if err := d.Deliver(ctx); err != nil {
			d.o.Logger.WarnContext(ctx, "deliver notifications", "err", err.Error())
		}
	}

	// Results for the report, from what this run learned or what the store remembers.
	out := make([]Result, len(findings))
	for i, f := range findings {
		out[i] = resultFromState(f, state[f.Fingerprint], verified[f.Fingerprint], revoked[f.Fingerprint])
	}
	return out, nil
}

// needsVerify reports whether a stored finding must be verified in this run.
func (d *Durable) needsVerify(s store.Finding, now time.Time) bool {
	switch s.State {
	case store.StateSkipped, store.StateNotified:
		// A live token left alone by a dry run is taken up again once policy allows
		// revoking it (a later scan with --revoke --yes, or revoke: true in the config).
		return s.Verify == string(revoke.StatusLive) && s.Revocation == string(StatusDryRun) &&
			d.o.Policy.allows(s.Provider)
	case store.StateDetected, StateRevoking:
		return true
	case store.StateVerified:
		return s.Verify == string(revoke.StatusUnknown) && !s.NextAttempt.After(now) ||
			s.Verify == string(revoke.StatusLive) // live but not yet acted on (a crash before revoke)
	case store.StateRevokeFailed, store.StateRevoked:
		return !s.NextAttempt.After(now)
	}
	return false
}

func (d *Durable) recordVerification(ctx context.Context, s store.Finding, r Result) (store.Finding, error) {
	status := revoke.StatusUnknown
	var id revoke.Identity
	if r.Verification != nil {
		status, id = r.Verification.Status, r.Verification.Identity
	}
	detail := ""
	if r.VerifyErr != nil {
		detail = r.VerifyErr.Error()
	}
	d.audit(ctx, "verify", s, r.Finding.Location.Repository, string(status), detail)
	v := string(status)
	upd := store.Update{Verify: &v}
	if status == revoke.StatusLive {
		name := first(id.Name, id.Login)
		org := first(id.Org, id.Tenant)
		upd.OwnerID, upd.OwnerName, upd.OwnerEmail, upd.Org = &id.ID, &name, &id.Email, &org
	}
	to := store.StateVerified
	switch {
	case status == revoke.StatusUnknown:
		attempts := s.Attempts + 1
		next := d.o.Now().Add(d.o.Backoff(attempts))
		upd.Attempts, upd.NextAttempt = &attempts, &next
	case status == revoke.StatusDead && (s.State == StateRevoking || s.State == store.StateRevoked):
		to = store.StateConfirmedDead // the revocation of an earlier run took effect
		rv := string(StatusRevoked)
		reason := "revoked; confirmed dead on re-check"
		upd.Revocation, upd.RevocationReason = &rv, &reason
	case status == revoke.StatusDead:
		to = store.StateConfirmedDead
	}
	from := []store.State{store.StateDetected, store.StateVerified, StateRevoking, store.StateRevokeFailed, store.StateRevoked,
		store.StateSkipped, store.StateNotified}
	ns, err := d.o.Store.Transition(ctx, s.Fingerprint, from, to, upd)
	if err != nil {
		return s, fmt.Errorf("record verification of %s: %w", s.Fingerprint, err)
	}
	return ns, nil
}

func (d *Durable) recordRevocation(ctx context.Context, s store.Finding, r Result) (store.Finding, error) {
	if r.Revocation == nil {
		return s, nil
	}
	st, reason := string(r.Revocation.Status), r.Revocation.Reason
	upd := store.Update{Revocation: &st, RevocationReason: &reason}
	var to store.State
	switch r.Revocation.Status {
	case StatusRevoked:
		to = store.StateConfirmedDead
	case StatusFailed:
		to = store.StateRevokeFailed
		if errors.Is(r.Revocation.Err, revoke.ErrNotConfirmed) {
			to = store.StateRevoked // accepted, not yet dead: re-checked on the next run
		}
		attempts := s.Attempts + 1
		next := d.o.Now().Add(d.o.Backoff(attempts))
		upd.Attempts, upd.NextAttempt = &attempts, &next
		if to == store.StateRevokeFailed {
			d.o.Logger.ErrorContext(ctx, "revocation failed; will retry", "provider", s.Provider,
				"fingerprint", s.Fingerprint, "attempt", attempts, "err", reason)
		}
	default: // skipped, dry run
		to = store.StateSkipped
	}
	from := []store.State{store.StateVerified, StateRevoking, store.StateRevokeFailed}
	ns, err := d.o.Store.Transition(ctx, s.Fingerprint, from, to, upd)
	if err != nil {
		return s, fmt.Errorf("record revocation of %s: %w", s.Fingerprint, err)
	}
	return ns, nil
}

// storeAuditor is the Auditor of the inner pipeline: before a revoke attempt it moves the
// finding to StateRevoking (compare-and-set: another worker that got there first wins and this
// attempt is dropped) and appends to the audit log; after it, it appends the result.
type storeAuditor struct {
	d     *Durable
	state map[string]store.Finding
}

func (a *storeAuditor) Audit(ctx context.Context, e Event) error {
	st := store.Finding{Fingerprint: e.Fingerprint, Provider: e.Provider}
	switch e.Phase {
	case PhaseAttempt:
		if _, err := a.d.o.Store.Transition(ctx, e.Fingerprint, []store.State{store.StateVerified, store.StateRevokeFailed}, StateRevoking, store.Update{}); err != nil {
			return fmt.Errorf("claim revocation: %w", err)
		}
		return a.d.o.Store.Audit(ctx, store.AuditEvent{At: e.At, Actor: a.d.o.Actor, Action: "revoke_attempt",
			Fingerprint: e.Fingerprint, Provider: e.Provider, Target: e.Repository, Result: "started",
			Detail: strings.TrimSpace("owner " + e.OwnerID + " " + e.Org)})
	default:
		a.d.audit(ctx, "revoke", st, e.Repository, string(e.Status), e.Reason)
	}
	return nil
}

func (d *Durable) audit(ctx context.Context, action string, s store.Finding, target, result, detail string) {
	err := d.o.Store.Audit(ctx, store.AuditEvent{At: d.o.Now(), Actor: d.o.Actor, Action: action,
		Fingerprint: s.Fingerprint, Provider: s.Provider, Target: target, Result: result, Detail: detail})
	if err != nil {
		d.o.Logger.ErrorContext(ctx, "audit log write failed", "action", action, "fingerprint", s.Fingerprint, "err", err.Error())
	}
}

// notifyEvent picks the notification event of a stored finding, or "" when there is none to send.
func notifyEvent(s store.Finding) string {
	switch s.State {
	case store.StateConfirmedDead:
		if s.Revocation == string(StatusRevoked) {
			return EventRevoked
		}
	case store.StateRevokeFailed:
		return EventRevokeFailed
	case store.StateRevoked:
		return EventUnconfirmed
	case store.StateSkipped:
		if s.Verify == string(revoke.StatusLive) {
			return EventNotRevoked
		}
	}
	return ""
}

// enqueue queues the messages of a finding's current event: to the owner (or the commit
// author, marked probable owner), the security team, and the webhook. The outbox key makes it
// idempotent; a finding whose revocation is final moves to notified.
func (d *Durable) enqueue(ctx context.Context, s store.Finding, f scanner.Finding) (store.Finding, error) {
	ev := notifyEvent(s)
	if ev == "" {
		return s, nil
	}
	leak := d.leak(s, f)
	to, cc, probable, dropped := d.o.Notify.Recipients(s.OwnerEmail, f.Location.AuthorEmail)
	leak.ProbableOwner = probable
	if probable && len(to) > 0 {
		leak.OwnerEmail = to[0]
	}
	for _, dr := range dropped {
		d.audit(ctx, "notify", s, dr.Address, "dropped", dr.Reason)
	}
	payload, err := json.Marshal(leak)
	if err != nil {
		return s, err
	}
	add := func(recipient, channel string) error {
		m, created, err := d.o.Store.Enqueue(ctx, store.Message{Fingerprint: s.Fingerprint, Recipient: recipient,
			Event: ev, Channel: channel, Payload: payload, NextAttempt: d.o.Now()})
		if err != nil {
			return fmt.Errorf("enqueue %s message for %s: %w", ev, s.Fingerprint, err)
		}
		if created {
			d.audit(ctx, "notify_queued", s, recipient, ev, fmt.Sprintf("message %d via %s", m.ID, channel))
		}
		return nil
	}
	for _, r := range append(to, cc...) {
		if err := add(strings.ToLower(r), ChannelEmail); err != nil {
			return s, err
		}
	}
	if d.o.Webhook != nil {
		if err := add("webhook", ChannelWebhook); err != nil {
			return s, err
		}
	}
	if s.State == store.StateConfirmedDead || s.State == store.StateSkipped {
		ns, err := d.o.Store.Transition(ctx, s.Fingerprint, []store.State{s.State}, store.StateNotified, store.Update{})
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return s, fmt.Errorf("mark %s notified: %w", s.Fingerprint, err)
		}
		if err == nil {
			return ns, nil
		}
	}
	return s, nil
}

// leak builds the message data of a finding; it never holds the raw secret.
func (d *Durable) leak(s store.Finding, f scanner.Finding) notify.Leak {
	l := notify.Leak{
		Detector: s.DetectorID, Provider: s.Provider, TokenKind: tokenKind(s.DetectorID),
		Redacted: s.Redacted, Fingerprint: s.Fingerprint,
		Repository: f.Location.Repository, Commit: f.Location.Commit, Path: f.Location.Path, Line: f.Location.Line,
		CommitURL: commitURL(f.Location.Repository, f.Location.Commit),
		FoundAt:   s.FirstSeen, Action: s.Revocation, ActionAt: s.UpdatedAt, ActionReason: s.RevocationReason,
		OwnerName: s.OwnerName, OwnerEmail: s.OwnerEmail, Contact: d.o.Notify.ContactOrDefault(),
	}
	switch s.State {
	case store.StateRevokeFailed:
		l.Action = notify.ActionRevokeFailed
	case store.StateRevoked:
		l.Action = notify.ActionUnconfirmed
	}
	return l
}

// Deliver sends the due messages of the outbox: a temporary failure is retried with backoff, a
// permanent one is recorded as failed with the server's reason, and a sent message is never
// sent again.
func (d *Durable) Deliver(ctx context.Context) error {
	msgs, err := d.o.Store.DueMessages(ctx, d.o.Now(), 100)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	var errs []error
	for _, m := range msgs {
		if m.Channel == ChannelEmail && d.o.Mailer == nil || m.Channel == ChannelWebhook && d.o.Webhook == nil {
			continue // not configured in this process: leave it queued
		}
		claimed, err := d.o.Store.ClaimMessage(ctx, m.ID, d.o.Now())
		if err != nil {
			continue // another worker has it
		}
		var leak notify.Leak
		if err := json.Unmarshal(claimed.Payload, &leak); err != nil {
			errs = append(errs, d.o.Store.MessageFailed(ctx, m.ID, d.o.Now(), "bad payload: "+err.Error()))
			continue
		}
		err = d.send(ctx, claimed, leak)
		rec := store.Finding{Fingerprint: m.Fingerprint, Provider: leak.Provider}
		switch {
		case err == nil:
			errs = append(errs, d.o.Store.MessageSent(ctx, m.ID, d.o.Now()))
			d.audit(ctx, "notify", rec, m.Recipient, "sent", m.Event)
		case errors.Is(err, notify.ErrPermanent):
			errs = append(errs, d.o.Store.MessageFailed(ctx, m.ID, d.o.Now(), err.Error()))
			d.audit(ctx, "notify", rec, m.Recipient, "failed", err.Error())
		default:
			wait := d.o.Backoff(claimed.Attempts) // Attempts counts this claim
			if ra, ok := notify.RetryAfter(err); ok && ra > wait {
				wait = ra
			}
			next := d.o.Now().Add(wait)
			errs = append(errs, d.o.Store.MessageRetry(ctx, m.ID, next, err.Error()))
			d.audit(ctx, "notify", rec, m.Recipient, "retry", err.Error())
		}
	}
	return errors.Join(errs...)
}

func (d *Durable) send(ctx context.Context, m store.Message, l notify.Leak) error {
	if m.Channel == ChannelWebhook {
		return d.o.Webhook.Post(ctx, l)
	}
	subject, text, html, err := notify.Render(l)
	if err != nil {
		return fmt.Errorf("%w: render: %v", notify.ErrPermanent, err)
	}
	if !strings.EqualFold(m.Recipient, l.OwnerEmail) {
		subject = "[security copy] " + subject
	}
	// A stable Message-ID lets a receiver drop the duplicate of the one at-least-once window
	// (a crash between the server accepting the message and recording it sent).
	id := fmt.Sprintf("patrol-%d-%s@patrol.invalid", m.ID, m.Fingerprint[:min(16, len(m.Fingerprint))])
	return d.o.Mailer.Send(ctx, notify.Email{To: []string{m.Recipient}, Subject: subject, Text: text, HTML: html, MessageID: id})
}

func toLocation(f scanner.Finding) store.Location {
	l := store.Location{Source: f.Location.Source, Repository: f.Location.Repository, Commit: f.Location.Commit,
		Path: f.Location.Path, Line: f.Location.Line, Column: f.Location.Column,
		AuthorName: f.Location.AuthorName, AuthorEmail: f.Location.AuthorEmail,
		WebURL: commitURL(f.Location.Repository, f.Location.Commit)}
	if f.Location.Date != nil {
		l.Date = *f.Location.Date
	}
	return l
}

func toRecord(f scanner.Finding, now time.Time) store.Finding {
	return store.Finding{Fingerprint: f.Fingerprint, DetectorID: f.DetectorID, Provider: f.Provider,
		Confidence: string(f.Confidence), Redacted: f.Redacted, State: store.StateDetected,
		FirstSeen: now, LastSeen: now, Locations: []store.Location{toLocation(f)}}
}

// resultFromState builds the report result of a finding from this run's results, falling back
// to what the store remembers from earlier runs.
func resultFromState(f scanner.Finding, s store.Finding, v, r Result) Result {
	out := Result{Finding: f, Verification: v.Verification, VerifyErr: v.VerifyErr, Revocation: r.Revocation}
	if out.Verification == nil && s.Verify != "" {
		out.Verification = &revoke.Verification{Status: revoke.Status(s.Verify), CheckedAt: s.UpdatedAt,
			Identity: revoke.Identity{ID: s.OwnerID, Name: s.OwnerName, Email: s.OwnerEmail, Org: s.Org}}
	}
	if out.Revocation == nil && s.Revocation != "" {
		out.Revocation = &Revocation{Status: RevocationStatus(s.Revocation), Reason: s.RevocationReason, At: s.UpdatedAt}
	}
	return out
}

// commitURL returns a web link to a commit for the hosts whose URL scheme is known.
func commitURL(repo, commit string) string {
	if commit == "" || !strings.HasPrefix(repo, "https://") {
		return ""
	}
	u := strings.TrimSuffix(strings.TrimSuffix(repo, "/"), ".git")
	switch {
	case strings.HasPrefix(u, "https://github.com/"), strings.HasPrefix(u, "https://gitlab.com/"):
		return u + "/commit/" + commit
	case strings.Contains(u, "dev.azure.com/") && strings.Contains(u, "/_git/"):
		return u + "/commit/" + commit
	}
	return ""
}

// detectorNames maps built-in rule ids to their descriptions, the names people read.
var detectorNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, d := range detectors.All() {
		m[d.ID] = d.Description
	}
	return m
})

// tokenKind names a detector for people: its description, or the rule id of a custom rule.
func tokenKind(id string) string {
	if n := detectorNames()[id]; n != "" {
		return n
	}
	return id
}
