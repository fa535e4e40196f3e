package pipeline

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/patrolsec/patrol/store"
)

// Auditor records revoke attempts. Audit is called with PhaseAttempt before each attempt (an
// error stops the attempt: nothing is revoked unrecorded) and with PhaseResult after it.
// Implementations must be safe for concurrent use.
type Auditor interface {
	Audit(ctx context.Context, e Event) error
}

// Audit phases.
const (
	PhaseAttempt = "attempt"
	PhaseResult  = "result"
)

// Event is one audit record. It carries the fingerprint, never the token.
type Event struct {
	Phase       string
	At          time.Time
	Provider    string
	DetectorID  string
	Fingerprint string
	Repository  string
	Commit      string
	Path        string
	// OwnerID, OwnerEmail and Org name whose token it is, as the provider said.
	OwnerID    string
	OwnerEmail string
	Org        string
	// Status and Reason are set for PhaseResult.
	Status RevocationStatus
	Reason string
}

func event(j *job, phase string, at time.Time) Event {
	return Event{
		Phase: phase, At: at, Provider: j.f.Provider, DetectorID: j.f.DetectorID,
		Fingerprint: j.f.Fingerprint, Repository: j.f.Location.Repository,
		Commit: j.f.Location.Commit, Path: j.f.Location.Path,
		OwnerID: j.v.Identity.ID, OwnerEmail: j.v.Identity.Email, Org: j.v.Identity.Org,
	}
}

// SlogAuditor writes audit events as log lines; the default when no durable store is plugged in.
type SlogAuditor struct {
	Logger *slog.Logger
}

// Audit implements Auditor.
func (a SlogAuditor) Audit(ctx context.Context, e Event) error {
	if a.Logger == nil {
		return nil
	}
	attrs := []any{
		"phase", e.Phase, "provider", e.Provider, "detector", e.DetectorID, "fingerprint", e.Fingerprint,
		"repo", e.Repository, "commit", e.Commit, "path", e.Path, "owner_id", e.OwnerID, "org", e.Org,
	}
	if e.Phase == PhaseResult {
		attrs = append(attrs, "status", string(e.Status), "reason", e.Reason)
	}
	a.Logger.InfoContext(ctx, "revoke audit", attrs...)
	return nil
}

// NopAuditor records nothing.
type NopAuditor struct{}

// Audit implements Auditor.
func (NopAuditor) Audit(context.Context, Event) error { return nil }

// StoreAuditor writes revoke attempts and results to the store's append-only audit log: the
// durable record `patrol scan --revoke` keeps even without the full pipeline (--notify).
type StoreAuditor struct {
	Store store.Store
	// Actor names who acted ("patrol scan").
	Actor string
}

// Audit implements Auditor.
func (a StoreAuditor) Audit(ctx context.Context, e Event) error {
	ev := store.AuditEvent{At: e.At, Actor: a.Actor, Action: "revoke_attempt", Fingerprint: e.Fingerprint,
		Provider: e.Provider, Target: e.Repository, Result: "started", Detail: strings.TrimSpace("owner " + e.OwnerID + " " + e.Org)}
	if e.Phase == PhaseResult {
		ev.Action, ev.Result, ev.Detail = "revoke", string(e.Status), e.Reason
	}
	return a.Store.Audit(ctx, ev)
}
