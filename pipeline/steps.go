package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

// stepKind is one of the steps of a finding.
type stepKind int

const (
	stepNone    stepKind = iota
	stepVerify           // ask the provider: live, dead or unknown
	stepRevoke           // policy, then claim + audit, provider call, record
	stepConfirm          // poll a revoked token until it answers dead
	stepRecover          // take over a claim whose lease expired
	stepNotify           // queue the messages of a resting finding
)

func (k stepKind) String() string {
	return [...]string{"none", "verify", "revoke", "confirm", "recover", "notify"}[k]
}

// activeStates are the states whose NextAttempt schedules a step: the retry queue.
var activeStates = []store.State{lifecycle.StateDetected, lifecycle.StateUnknown, lifecycle.StateLive, lifecycle.StateRevoking,
	lifecycle.StateRevokeFailed, lifecycle.StateRevocationSent, lifecycle.StateUnconfirmed}

// restingStates wait for a change of configuration (a policy that now allows revoking, a
// provider or a notifier configured) rather than for a time.
var restingStates = []store.State{lifecycle.StateNotRevoked, lifecycle.StateSkipped, lifecycle.StateConfirmedDead, lifecycle.StateNotified}

// plan returns the step due for f under this Pipeline's configuration and when it is due
// (the zero time: now), or stepNone.
func (p *Pipeline) plan(f store.Finding) (stepKind, time.Time) {
	switch f.State {
	case lifecycle.StateDetected, lifecycle.StateUnknown, lifecycle.StateRevokeFailed:
		// A failed revocation is verified again before the retry: the failed call may have
		// taken effect after all.
		return stepVerify, f.NextAttempt
	case lifecycle.StateLive:
		if !p.o.Policy.allows(f.Provider) || p.hasVerified(f.Fingerprint) {
			return stepRevoke, f.NextAttempt
		}
		return stepVerify, f.NextAttempt // live, but not verified by this process
	case lifecycle.StateRevoking:
		return stepRecover, f.NextAttempt // due when the claim's lease expires
	case lifecycle.StateRevocationSent, lifecycle.StateUnconfirmed:
		return stepConfirm, f.NextAttempt
	case lifecycle.StateNotRevoked:
		if p.o.Policy.allows(f.Provider) {
			return stepVerify, time.Time{}
		}
	case lifecycle.StateSkipped:
		if f.Verify == "" && p.o.Provs[f.Provider] != nil {
			return stepVerify, time.Time{} // skipped for want of a provider, which is now configured
		}
	case lifecycle.StateConfirmedDead:
		// Only its messages remain.
	case lifecycle.StateNotified:
		if f.Revocation == lifecycle.OutcomeDryRun && f.Verify == lifecycle.VerdictLive && p.o.Policy.allows(f.Provider) {
			return stepVerify, time.Time{} // a dry run's token, which policy now allows revoking
		}
		return stepNone, time.Time{}
	default:
		return stepNone, time.Time{}
	}
	if p.notifies() && eventOf(f) != "" {
		return stepNotify, time.Time{}
	}
	return stepNone, time.Time{}
}

// Step runs the one step of the finding that is due now, if any, and returns the finding as
// stored afterwards and whether a step ran. Losing a race to another worker is not an
// error: the finding is returned as the winner left it, with false. Provider failures are
// recorded in the finding (and retried later), not returned; errors are the store's.
func (p *Pipeline) Step(ctx context.Context, fingerprint string) (store.Finding, bool, error) {
	if p.o.Store == nil {
		return store.Finding{}, false, errNoStore
	}
	defer p.lockFinding(fingerprint)()
	f, err := p.o.Store.Finding(ctx, fingerprint)
	if err != nil {
		return store.Finding{}, false, fmt.Errorf("step %s: %w", fingerprint, err)
	}
	return p.stepLocked(ctx, f)
}

// step runs the step of f (as a listing read it) that is due now, if any. One step of a
// finding runs at a time in this process: under the finding's lock it reads the finding
// again, as another step may have left it, and plans from there.
func (p *Pipeline) step(ctx context.Context, f store.Finding) (store.Finding, bool, error) {
	if kind, at := p.plan(f); kind == stepNone || at.After(p.now()) {
		return f, false, nil
	}
	defer p.lockFinding(f.Fingerprint)()
	cur, err := p.o.Store.Finding(ctx, f.Fingerprint)
	if err != nil {
		return f, false, fmt.Errorf("step %s: %w", f.Fingerprint, err)
	}
	return p.stepLocked(ctx, cur)
}

// stepLocked is step under the finding's lock, f read under it.
func (p *Pipeline) stepLocked(ctx context.Context, f store.Finding) (store.Finding, bool, error) {
	kind, at := p.plan(f)
	if kind == stepNone || at.After(p.now()) {
		return f, false, nil
	}
	var nf store.Finding
	var err error
	switch kind {
	case stepVerify:
		nf, err = p.verify(ctx, f)
	case stepRevoke:
		nf, err = p.revoke(ctx, f)
	case stepConfirm:
		nf, err = p.confirm(ctx, f)
	case stepRecover:
		nf, err = p.recover(ctx, f)
	case stepNotify:
		var created bool
		created, err = p.catchUp(ctx, f)
		if err == nil && !created {
			return f, false, nil
		}
		nf = f
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		p.log.DebugContext(ctx, "another worker moved the finding first", "fingerprint", f.Fingerprint, "step", kind.String())
		cur, rerr := p.o.Store.Finding(ctx, f.Fingerprint)
		if rerr != nil {
			return f, false, fmt.Errorf("%s %s: %w", kind, f.Fingerprint, rerr)
		}
		return cur, false, nil
	case err != nil:
		return f, false, fmt.Errorf("%s %s: %w", kind, f.Fingerprint, err)
	}
	return nf, true, nil
}

// verify asks the finding's provider whether its token is live and records the verdict.
func (p *Pipeline) verify(ctx context.Context, f store.Finding) (store.Finding, error) {
	prov := p.o.Provs[f.Provider]
	if prov == nil {
		reason := fmt.Sprintf("no provider configured for %q", f.Provider)
		if f.Provider == "" {
			reason = "no provider issues this kind of token"
		}
		return p.commit(ctx, f, lifecycle.StateSkipped,
			store.Update{Revocation: ptr(lifecycle.OutcomeSkipped), RevocationReason: &reason, NextAttempt: &time.Time{}},
			p.row("verify", f, target(f), "skipped", reason))
	}
	tok, err := p.o.Tokens.Rehydrate(ctx, f)
	if err != nil {
		if ctx.Err() != nil {
			return f, ctx.Err()
		}
		return p.retryRead(ctx, f, "verify", lifecycle.StateUnknown, err)
	}
	v, verr := p.ask(ctx, prov, f, tok)
	if ctx.Err() != nil {
		return f, ctx.Err() // an interrupted check decides nothing
	}
	if v.Status == "" {
		v.Status = revoke.StatusUnknown
	}
	p.logCheck(ctx, "token verified", f, v.Status, verr)
	return p.verdict(ctx, f, v, verr)
}

// verdict records the answer of a verify step.
func (p *Pipeline) verdict(ctx context.Context, f store.Finding, v revoke.Verification, verr error) (store.Finding, error) {
	now := p.now()
	status := v.Status
	upd := store.Update{Verify: &status}
	rows := []store.AuditEvent{p.row("verify", f, target(f), string(status), errText(verr))}
	var to store.State
	if status != revoke.StatusUnknown && f.State != lifecycle.StateRevokeFailed {
		// A decisive answer starts the story over: what an earlier run did or could not do
		// (a dry run, an inconclusive check) no longer describes the token.
		upd.Revocation, upd.RevocationReason = ptr(lifecycle.Outcome("")), ptr("")
	}
	switch status {
	case revoke.StatusLive:
		to = lifecycle.StateLive
		id := v.Identity
		upd.OwnerID, upd.OwnerName, upd.OwnerEmail, upd.Org = &id.ID, ptr(first(id.Name, id.Login)), &id.Email, ptr(first(id.Org, id.Tenant))
		upd.NextAttempt = &time.Time{} // the revoke step is due now
		if f.State != lifecycle.StateRevokeFailed {
			upd.Attempts = ptr(0) // a failed revocation's count carries on into its retry
		}
	case revoke.StatusDead:
		to = lifecycle.StateDead
		upd.NextAttempt, upd.Attempts = &time.Time{}, ptr(0)
		if f.State == lifecycle.StateRevokeFailed {
			// The call that failed took effect after all (or someone else revoked it).
			to = lifecycle.StateConfirmedDead
			upd.Revocation = ptr(lifecycle.OutcomeRevoked)
			upd.RevocationReason = ptr("revoked; confirmed dead on re-check after a failed attempt")
			rows = append(rows, p.row("confirm", f, target(f), string(lifecycle.StateConfirmedDead), *upd.RevocationReason))
		}
	default:
		to = lifecycle.StateUnknown
		attempts := f.Attempts + 1
		next := now.Add(p.wait(attempts, verr))
		upd.Attempts, upd.NextAttempt = &attempts, &next
		upd.RevocationReason = ptr("not verified: " + first(errText(verr), "no decisive answer"))
	}
	nf, err := p.commit(ctx, f, to, upd, rows...)
	if err == nil && to == lifecycle.StateLive {
		p.cacheVerified(f.Fingerprint, v)
	}
	return nf, err
}

// revoke decides by policy, then claims the revocation with its audit row, calls the
// provider outside any transaction, and records the answer with its audit row.
func (p *Pipeline) revoke(ctx context.Context, f store.Finding) (store.Finding, error) {
	if u, ok := p.o.Provs[f.Provider].(revoke.Unrevocable); ok {
		if err := u.RevokeUnsupported(); err != nil {
			// Nothing to claim or dry-run: the issuer offers no revocation at all.
			p.takeVerified(f.Fingerprint)
			reason := err.Error()
			return p.commit(ctx, f, lifecycle.StateSkipped,
				store.Update{Revocation: ptr(lifecycle.OutcomeSkipped), RevocationReason: &reason, NextAttempt: &time.Time{}},
				p.row("revoke", f, target(f), string(lifecycle.OutcomeSkipped), reason))
		}
	}
	if ok, reason := p.o.Policy.Decide(f.Provider); !ok {
		p.takeVerified(f.Fingerprint)
		return p.commit(ctx, f, lifecycle.StateNotRevoked,
			store.Update{Revocation: ptr(lifecycle.OutcomeDryRun), RevocationReason: &reason, NextAttempt: &time.Time{}},
			p.row("policy", f, target(f), string(lifecycle.StateNotRevoked), reason))
	}
	v, ok := p.takeVerified(f.Fingerprint)
	if !ok {
		return p.verify(ctx, f)
	}
	prov := p.o.Provs[f.Provider]
	if prov == nil {
		return p.verify(ctx, f) // records skipped
	}
	tok, err := p.o.Tokens.Rehydrate(ctx, f)
	if err != nil {
		if ctx.Err() != nil {
			return f, ctx.Err()
		}
		return p.retryRead(ctx, f, "revoke", lifecycle.StateLive, err)
	}
	claimed, err := p.claim(ctx, f, v)
	if err != nil {
		return f, err
	}
	detail, cerr := p.call(ctx, prov, tok, v)
	return p.record(ctx, claimed, detail, cerr)
}

// claim moves a live finding to revoking, holding it for Lease, and writes the
// revoke_attempt audit row in the same transaction: nothing is revoked unrecorded.
func (p *Pipeline) claim(ctx context.Context, f store.Finding, v revoke.Verification) (store.Finding, error) {
	lease := p.now().Add(p.o.Lease)
	detail := strings.TrimSpace("owner " + v.Identity.ID + " " + first(v.Identity.Org, v.Identity.Tenant))
	nf, err := p.commit(ctx, f, lifecycle.StateRevoking, store.Update{NextAttempt: &lease},
		p.row("revoke_attempt", f, target(f), "started", detail))
	if err != nil {
		return f, fmt.Errorf("claim revocation: %w", err)
	}
	return nf, nil
}

// ask verifies tok with prov within the provider's CallTimeout. A call that runs out of time
// is unknown, whatever the provider made of it, with a reason that says so.
func (p *Pipeline) ask(ctx context.Context, prov revoke.Provider, f store.Finding, tok secret.Token) (revoke.Verification, error) {
	var d time.Duration
	if p.o.CallTimeout != nil {
		d = p.o.CallTimeout(f.Provider)
	}
	if d <= 0 {
		return prov.Verify(ctx, tok, p.o.Hints(f))
	}
	cctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	v, err := prov.Verify(cctx, tok, p.o.Hints(f))
	if ctx.Err() == nil && errors.Is(cctx.Err(), context.DeadlineExceeded) && v.Status != revoke.StatusLive && v.Status != revoke.StatusDead {
		v.Status = revoke.StatusUnknown
		if err == nil {
			err = cctx.Err()
		}
		err = fmt.Errorf("no answer within %s (providers timeout): %w", d, err)
	}
	return v, err
}

// call asks the provider to revoke tok, bounded by half the lease so that the claim
// outlives the call.
func (p *Pipeline) call(ctx context.Context, prov revoke.Provider, tok secret.Token, v revoke.Verification) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, p.o.Lease/2)
	defer cancel()
	if d, ok := prov.(revoke.DetailedRevoker); ok {
		return d.RevokeDetail(cctx, tok, v)
	}
	return "", prov.Revoke(cctx, tok, v)
}

// record writes the provider's answer to a claimed revocation, with the audit row that
// completes the claim's pair, in one transaction guarded by the claim (state and attempt
// count): a worker that lost its claim to a takeover records nothing. When ctx is done the
// process is going away: nothing is recorded, and the claim is left to recovery.
func (p *Pipeline) record(ctx context.Context, claimed store.Finding, detail string, err error) (store.Finding, error) {
	if ctx.Err() != nil {
		return claimed, ctx.Err()
	}
	now := p.now()
	upd := store.Update{}
	var to store.State
	var outcome lifecycle.Outcome
	var reason string
	switch {
	case err == nil:
		// Accepted. The confirm step polls until the token answers dead.
		to, outcome, reason = lifecycle.StateRevocationSent, lifecycle.OutcomeSent, detail
		upd.Attempts, upd.NextAttempt = ptr(0), &now
	case errors.Is(err, revoke.ErrNotSupported), errors.Is(err, revoke.ErrAmbiguous),
		errors.Is(err, revoke.ErrNoMatch), errors.Is(err, revoke.ErrNotLive):
		to, outcome, reason = lifecycle.StateSkipped, lifecycle.OutcomeSkipped, err.Error()
		upd.Attempts, upd.NextAttempt = ptr(0), &time.Time{}
	default:
		to, outcome, reason = lifecycle.StateRevokeFailed, lifecycle.OutcomeFailed, err.Error()
		attempts := claimed.Attempts + 1
		next := now.Add(p.wait(attempts, err))
		upd.Attempts, upd.NextAttempt = &attempts, &next
	}
	upd.Revocation, upd.RevocationReason = &outcome, &reason
	attrs := []any{"provider", claimed.Provider, "detector", claimed.DetectorID, "fingerprint", claimed.Fingerprint, "outcome", string(outcome)}
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	if to == lifecycle.StateRevokeFailed {
		p.log.ErrorContext(ctx, "token revocation failed; will retry", attrs...)
	} else {
		p.log.InfoContext(ctx, "token revocation", attrs...)
	}
	return p.commit(ctx, claimed, to, upd, p.row("revoke", claimed, target(claimed), string(outcome), reason))
}

// recover takes over a claim whose lease expired (its worker crashed or hung), exactly once,
// and finishes it under the same claim: the token is verified again; dead means the
// revocation took effect, which completes the claim's audit pair; live means the provider
// call never happened or did not take, so it is made now, without a second revoke_attempt.
func (p *Pipeline) recover(ctx context.Context, f store.Finding) (store.Finding, error) {
	attempts := f.Attempts + 1
	lease := p.now().Add(p.o.Lease)
	owned, err := p.commit(ctx, f, lifecycle.StateRevoking, store.Update{Attempts: &attempts, NextAttempt: &lease},
		p.row("revoke_recover", f, target(f), "taken_over", "claim lease expired; verifying again before acting"))
	if err != nil {
		return f, err
	}
	prov := p.o.Provs[f.Provider]
	if prov == nil {
		return p.record(ctx, owned, "", fmt.Errorf("no provider configured for %q: %w", f.Provider, revoke.ErrNotSupported))
	}
	tok, err := p.o.Tokens.Rehydrate(ctx, owned)
	if err != nil {
		if ctx.Err() != nil {
			return owned, ctx.Err()
		}
		// Keep the claim: it is taken over again when this lease expires.
		return owned, p.audit(ctx, p.row("revoke_recover", owned, target(owned), "retry", "read token: "+err.Error()))
	}
	v, verr := p.ask(ctx, prov, owned, tok)
	if ctx.Err() != nil {
		return owned, ctx.Err()
	}
	p.logCheck(ctx, "token verified after an interrupted revocation", owned, v.Status, verr)
	switch v.Status {
	case revoke.StatusDead:
		reason := "revoked; confirmed dead on re-check after an interrupted run"
		return p.commit(ctx, owned, lifecycle.StateConfirmedDead,
			store.Update{Verify: ptr(revoke.StatusDead), Revocation: ptr(lifecycle.OutcomeRevoked), RevocationReason: &reason,
				Attempts: ptr(0), NextAttempt: &time.Time{}},
			p.row("revoke", owned, target(owned), string(lifecycle.OutcomeRevoked), reason),
			p.row("confirm", owned, target(owned), string(lifecycle.StateConfirmedDead), reason))
	case revoke.StatusLive:
		detail, cerr := p.call(ctx, prov, tok, v)
		return p.record(ctx, owned, detail, cerr)
	}
	return owned, p.audit(ctx, p.row("revoke_recover", owned, target(owned), "retry", "verify: "+first(errText(verr), "no decisive answer")))
}

// confirm polls a revoked token: dead confirms the revocation; still live (or no answer)
// polls again later, and after ConfirmWindow the finding becomes unconfirmed and the owner is
// told to treat the token as live.
func (p *Pipeline) confirm(ctx context.Context, f store.Finding) (store.Finding, error) {
	prov := p.o.Provs[f.Provider]
	var tok secret.Token
	var err error
	if prov == nil {
		err = fmt.Errorf("no provider configured for %q", f.Provider)
	} else if tok, err = p.o.Tokens.Rehydrate(ctx, f); err != nil {
		err = fmt.Errorf("read token: %w", err)
	}
	if ctx.Err() != nil {
		return f, ctx.Err()
	}
	status, verr := revoke.StatusUnknown, err
	if err == nil {
		var v revoke.Verification
		v, verr = p.ask(ctx, prov, f, tok)
		if ctx.Err() != nil {
			return f, ctx.Err()
		}
		status = first(v.Status, revoke.StatusUnknown)
		p.logCheck(ctx, "revocation confirm check", f, status, verr)
	}
	if status == revoke.StatusDead {
		reason := "revoked; confirmed dead"
		if f.RevocationReason != "" {
			reason = f.RevocationReason + "; confirmed dead"
		}
		return p.commit(ctx, f, lifecycle.StateConfirmedDead,
			store.Update{Verify: &status, Revocation: ptr(lifecycle.OutcomeRevoked), RevocationReason: &reason,
				Attempts: ptr(0), NextAttempt: &time.Time{}},
			p.row("confirm", f, target(f), string(lifecycle.StateConfirmedDead), reason))
	}
	polls := f.Attempts + 1
	now := p.now()
	next := now.Add(p.o.ConfirmBackoff(polls))
	to := f.State
	var rows []store.AuditEvent
	if err != nil {
		rows = append(rows, p.row("confirm", f, target(f), "retry", err.Error()))
	}
	slower := now.Add(max(p.o.ConfirmBackoff(polls), p.o.Backoff(polls)))
	switch {
	case f.State == lifecycle.StateUnconfirmed:
		next = slower
	case p.confirmElapsed(f.Attempts) >= p.o.ConfirmWindow:
		to, next = lifecycle.StateUnconfirmed, slower
		rows = append(rows, p.row("confirm", f, target(f), string(lifecycle.StateUnconfirmed),
			fmt.Sprintf("still %s %s after the revocation; checking on a slower schedule", status, p.o.ConfirmWindow)))
	}
	return p.commit(ctx, f, to, store.Update{Attempts: &polls, NextAttempt: &next}, rows...)
}

// confirmElapsed is the time since the revocation at the poll that follows polls polls: the
// sum of the confirm schedule's waits so far.
func (p *Pipeline) confirmElapsed(polls int) time.Duration {
	var d time.Duration
	for i := 1; i <= polls && d < p.o.ConfirmWindow; i++ {
		d += p.o.ConfirmBackoff(i)
	}
	return d
}

// retryRead records that the token of f could not be read back for step: the step is
// retried with backoff, in state to (f's own state, or unknown for a verification).
func (p *Pipeline) retryRead(ctx context.Context, f store.Finding, step string, to store.State, err error) (store.Finding, error) {
	attempts := f.Attempts + 1
	next := p.now().Add(p.o.Backoff(attempts))
	p.log.WarnContext(ctx, "cannot read the token back; will retry", "step", step, "fingerprint", f.Fingerprint, "err", err.Error())
	return p.commit(ctx, f, to, store.Update{Attempts: &attempts, NextAttempt: &next},
		p.row(step, f, target(f), "retry", "read token: "+err.Error()))
}

// commit moves f from the state it was observed in to `to` with upd, appends rows to the
// audit log and queues the messages of the new state (again, idempotently, on a move to the
// same state: that catches up on an event reached without a notifier) and, on a move to
// another state, runs OnMove, all in one transaction. The move is
// a compare-and-set on the observed state and attempt count (store.ErrConflict when another
// worker moved first), and only along lifecycle.Can.
func (p *Pipeline) commit(ctx context.Context, f store.Finding, to store.State, upd store.Update, rows ...store.AuditEvent) (store.Finding, error) {
	if !lifecycle.Can(f.State, to) {
		return f, fmt.Errorf("move %s from %s to %s: not a lifecycle transition", f.Fingerprint, f.State, to)
	}
	var out store.Finding
	err := p.o.Store.InTx(ctx, func(tx store.Store) error {
		nf, err := casTransition(ctx, tx, f, to, upd)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := tx.Audit(ctx, r); err != nil {
				return fmt.Errorf("audit %s: %w", r.Action, err)
			}
		}
		if _, err := p.enqueue(ctx, tx, nf, to != f.State); err != nil {
			return err
		}
		if p.o.OnMove != nil && to != f.State {
			if err := p.o.OnMove(ctx, tx, f.State, nf); err != nil {
				return fmt.Errorf("after the move to %s: %w", to, err)
			}
		}
		out = nf
		return nil
	})
	if err != nil {
		return f, err
	}
	return out, nil
}

// casTransition is tx.Transition guarded by f's observed state and attempt count.
func casTransition(ctx context.Context, tx store.Store, f store.Finding, to store.State, upd store.Update) (store.Finding, error) {
	upd.IfAttempts = &f.Attempts
	return tx.Transition(ctx, f.Fingerprint, []store.State{f.State}, to, upd)
}

// audit appends one row outside a step's transaction.
func (p *Pipeline) audit(ctx context.Context, e store.AuditEvent) error {
	if err := p.o.Store.Audit(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

func (p *Pipeline) row(action string, f store.Finding, target, result, detail string) store.AuditEvent {
	return store.AuditEvent{At: p.now(), Actor: p.o.Actor, Action: action, Fingerprint: f.Fingerprint,
		Provider: f.Provider, Target: target, Result: result, Detail: detail}
}

// wait is the backoff after attempt, or longer when the provider asked for it.
func (p *Pipeline) wait(attempt int, err error) time.Duration {
	d := p.o.Backoff(attempt)
	var ae *revoke.APIError
	if errors.As(err, &ae) && ae.RetryAfter > d {
		d = ae.RetryAfter
	}
	return d
}

func (p *Pipeline) logCheck(ctx context.Context, msg string, f store.Finding, status revoke.Status, err error) {
	attrs := []any{"provider", f.Provider, "detector", f.DetectorID, "fingerprint", f.Fingerprint, "status", string(status)}
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	p.log.InfoContext(ctx, msg, attrs...)
}

// target is the repository of a finding's first location, for audit rows.
func target(f store.Finding) string {
	if len(f.Locations) == 0 {
		return ""
	}
	return f.Locations[0].Repository
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
