package pipeline

import (
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/store"
)

// Result is what the pipeline knows about one stored finding, in the words a report prints.
// It is plain data: the cmd layer maps it to report entries (pipeline does not import
// report).
type Result struct {
	Fingerprint string
	// State is where the finding is in the pipeline.
	State lifecycle.State
	// Verdict is the last live check, "" when none was made.
	Verdict lifecycle.Verdict
	// Owner is whose token it is, as the provider said; zero when unknown.
	Owner Owner
	// Outcome is what patrol did (Outcome); "" when nothing yet.
	Outcome lifecycle.Outcome
	// Reason explains Outcome; it never holds a token.
	Reason string
	// At is when the finding last changed.
	At time.Time
}

// Owner is the owner of a token as the store keeps it.
type Owner struct {
	ID, Name, Email, Org string
}

// ResultOf is the Result of a stored finding.
func ResultOf(f store.Finding) Result {
	r := Result{Fingerprint: f.Fingerprint, State: f.State, Verdict: f.Verify,
		Owner:   Owner{ID: f.OwnerID, Name: f.OwnerName, Email: f.OwnerEmail, Org: f.Org},
		Outcome: Outcome(f), Reason: f.RevocationReason, At: f.UpdatedAt}
	switch f.State {
	case lifecycle.StateDead:
		r.Reason = "token already dead"
	case lifecycle.StateRevoking:
		r.Reason = "revocation in progress"
	case lifecycle.StateUnconfirmed:
		r.Reason = "revocation accepted; the token still worked at the last check"
	}
	return r
}

// Outcome is what patrol did about a stored finding, as a report says it: revoked only once
// confirmed dead, revocation_sent while the provider has accepted but the token has not yet
// failed, failed for a revocation that will be retried, dry_run for a live token policy left
// alone, skipped for a token patrol cannot act on (no provider, not supported, already
// dead, not verified live), and "" while nothing is decided (detected, live, revoking).
func Outcome(f store.Finding) lifecycle.Outcome {
	switch f.State {
	case lifecycle.StateConfirmedDead:
		return lifecycle.OutcomeRevoked
	case lifecycle.StateRevocationSent, lifecycle.StateUnconfirmed:
		return lifecycle.OutcomeSent
	case lifecycle.StateRevokeFailed:
		return lifecycle.OutcomeFailed
	case lifecycle.StateNotRevoked:
		return lifecycle.OutcomeDryRun
	case lifecycle.StateSkipped, lifecycle.StateDead, lifecycle.StateUnknown:
		return lifecycle.OutcomeSkipped
	case lifecycle.StateNotified:
		return f.Revocation
	}
	return ""
}
