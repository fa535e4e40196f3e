package lifecycle

import "slices"

// Verdict is the answer of a live check (the provider's Verify).
type Verdict string

// Verdicts.
const (
	// VerdictLive: the provider accepted the token.
	VerdictLive Verdict = "live"
	// VerdictDead: the provider answered "bad credentials" (invalid, expired or revoked).
	// Only that answer means dead.
	VerdictDead Verdict = "dead"
	// VerdictUnknown: no decisive answer (403, rate limit, server error, timeout, no org …).
	VerdictUnknown Verdict = "unknown"
)

// Outcome is what patrol did about a token, as reports and emails say it.
type Outcome string

// Outcomes.
const (
	// OutcomeRevoked: patrol revoked the token and the provider confirmed it dead.
	OutcomeRevoked Outcome = "revoked"
	// OutcomeSent: the provider accepted the revocation; it is not yet confirmed dead.
	OutcomeSent Outcome = "revocation_sent"
	// OutcomeFailed: the revocation failed (API error, audit unavailable); it is retried.
	OutcomeFailed Outcome = "failed"
	// OutcomeSkipped: nothing patrol can safely do (no provider, not supported, ambiguous,
	// not live).
	OutcomeSkipped Outcome = "skipped"
	// OutcomeDryRun: live and revocable, but policy did not allow it.
	OutcomeDryRun Outcome = "dry_run"
)

// State is where a stored finding is in the pipeline.
type State string

// States. A finding is saved in StateDetected; every later state is reached by one step
// (verify, revoke, confirm, notify) along the transitions Can allows.
const (
	// StateDetected: recorded by a scan; verification is due.
	StateDetected State = "detected"
	// StateUnknown: the provider gave no decisive answer; verification is retried at the
	// finding's next attempt time.
	StateUnknown State = "unknown"
	// StateLive: verified live; the revoke step decides (policy) what happens next.
	StateLive State = "live"
	// StateDead: verified dead before patrol revoked it (expired, revoked by someone else).
	// Final.
	StateDead State = "dead"
	// StateSkipped: nothing patrol can do about it (no provider configured or none exists for
	// the detector, the provider cannot revoke this kind of token, or cannot tell it apart).
	StateSkipped State = "skipped"
	// StateNotRevoked: live, but policy does not allow revoking it (a dry run, or
	// revoke: false); it is taken up again when policy allows.
	StateNotRevoked State = "not_revoked"
	// StateRevoking: the revocation is claimed and audited; the provider call is in flight.
	// A finding left here by a crash is re-verified before anything else: the worker that
	// takes over a claim whose lease expired renews it in place (revoking → revoking, a
	// compare-and-set on the attempt count), so exactly one worker acts on it.
	StateRevoking State = "revoking"
	// StateRevokeFailed: the provider call failed; it is retried at the next attempt time.
	StateRevokeFailed State = "revoke_failed"
	// StateRevocationSent: the provider accepted the revocation; the confirm step polls
	// until the token answers dead.
	StateRevocationSent State = "revocation_sent"
	// StateUnconfirmed: still live after the confirmation window; the owner is told, and
	// the confirm step keeps polling on a slower schedule.
	StateUnconfirmed State = "unconfirmed"
	// StateConfirmedDead: revoked by patrol and confirmed dead.
	StateConfirmedDead State = "confirmed_dead"
	// StateNotified: the work on the finding is done and the owner's message was accepted
	// by a server (from StateConfirmedDead, StateNotRevoked or StateSkipped).
	StateNotified State = "notified"
)

// reverify are the states a re-verification may lead to.
var reverify = []State{StateUnknown, StateLive, StateDead, StateSkipped}

// transitions is the state machine: from → the states a step may move it to. A state listed
// as its own successor may be updated in place (a retry's schedule).
var transitions = map[State][]State{
	StateDetected:       reverify,
	StateUnknown:        reverify,
	StateLive:           {StateLive, StateUnknown, StateDead, StateSkipped, StateNotRevoked, StateRevoking},
	StateNotRevoked:     {StateNotRevoked, StateLive, StateUnknown, StateDead, StateSkipped, StateNotified},
	StateSkipped:        {StateSkipped, StateLive, StateUnknown, StateDead, StateNotified},
	StateRevoking:       {StateRevoking, StateRevocationSent, StateRevokeFailed, StateSkipped, StateConfirmedDead, StateLive, StateUnknown},
	StateRevokeFailed:   {StateRevokeFailed, StateRevoking, StateConfirmedDead, StateLive, StateUnknown, StateSkipped},
	StateRevocationSent: {StateRevocationSent, StateConfirmedDead, StateUnconfirmed},
	StateUnconfirmed:    {StateUnconfirmed, StateConfirmedDead},
	StateConfirmedDead:  {StateNotified},
	StateNotified:       {StateLive, StateUnknown, StateDead},
	StateDead:           nil,
}

// States returns every state, in pipeline order.
func States() []State {
	return []State{StateDetected, StateUnknown, StateLive, StateDead, StateSkipped, StateNotRevoked, StateRevoking,
		StateRevokeFailed, StateRevocationSent, StateUnconfirmed, StateConfirmedDead, StateNotified}
}

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// Can reports whether a step may move a finding from one state to another.
func Can(from, to State) bool {
	return slices.Contains(transitions[from], to)
}

// Sources returns the states from which a step may reach to.
func Sources(to State) []State {
	var out []State
	for _, s := range States() {
		if Can(s, to) {
			out = append(out, s)
		}
	}
	return out
}

// Final reports whether no step leaves s on its own (StateDead, StateNotified). A notified
// finding whose token patrol left live by policy is taken up again only when policy changes.
func (s State) Final() bool {
	return s == StateDead || s == StateNotified
}

// Verdicts returns every verdict.
func Verdicts() []Verdict { return []Verdict{VerdictLive, VerdictDead, VerdictUnknown} }

// Outcomes returns every outcome.
func Outcomes() []Outcome {
	return []Outcome{OutcomeRevoked, OutcomeSent, OutcomeFailed, OutcomeSkipped, OutcomeDryRun}
}
