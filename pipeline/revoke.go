package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/scanner"
)

// RevocationStatus is what the pipeline did about a token.
type RevocationStatus string

// Revocation statuses, as written in reports.
const (
	// StatusRevoked: the provider revoked the token and confirmed it dead.
	StatusRevoked RevocationStatus = "revoked"
	// StatusFailed: the attempt failed (API error, not confirmed dead, audit unavailable).
	StatusFailed RevocationStatus = "failed"
	// StatusSkipped: nothing to do or nothing safe to do (not live, not supported, ambiguous).
	StatusSkipped RevocationStatus = "skipped"
	// StatusDryRun: live and revocable, but policy did not allow it.
	StatusDryRun RevocationStatus = "dry_run"
)

// Revocation is the outcome of Revoke for one finding.
type Revocation struct {
	Status RevocationStatus
	// Reason explains the status; it carries no token.
	Reason string
	// At is when the status was reached.
	At time.Time
	// Err is the provider's error for a failed or skipped attempt (errors.Is works against the
	// revoke sentinels, e.g. ErrNotConfirmed: accepted but not yet dead); its text carries no
	// token.
	Err error
}

// Policy decides whether a live token may be revoked.
type Policy struct {
	// Yes is --yes: revoke for every provider.
	Yes bool
	// Allowed is the config's per-provider switch (providers.Config.RevokeAllowed); nil
	// allows none.
	Allowed func(provider string) bool
}

func (pol Policy) allows(provider string) bool {
	return pol.Yes || (pol.Allowed != nil && pol.Allowed(provider))
}

// Revoke is New(provs, o).Revoke(ctx, results, pol), for one-shot use.
func Revoke(ctx context.Context, results []Result, provs map[string]revoke.Provider, pol Policy, o Options) []Result {
	return New(provs, o).Revoke(ctx, results, pol)
}

// job is one unique live token to revoke and the results it answers for.
type job struct {
	key  string
	f    scanner.Finding
	v    revoke.Verification
	idx  []int
	prov revoke.Provider
}

// Revoke acts on verified results and returns them with Revocation set: live tokens whose
// provider the policy allows are revoked once per fingerprint (with audit events before and
// after); live tokens the policy does not allow are dry runs; others are skipped with the
// reason. Results without a Verification (no provider) are left without a Revocation.
func (p *Pipeline) Revoke(ctx context.Context, results []Result, pol Policy) []Result {
	p.revokeMu.Lock()
	defer p.revokeMu.Unlock()
	out := append([]Result(nil), results...)
	jobs := map[string]*job{}
	var order []string
	for i, r := range out {
		if r.Verification == nil {
			continue
		}
		k := key(r.Finding)
		if j, ok := jobs[k]; ok {
			j.idx = append(j.idx, i)
			continue
		}
		p.mu.Lock()
		prev := p.done[k]
		p.mu.Unlock()
		if prev != nil {
			rv := *prev
			out[i].Revocation = &rv
			continue
		}
		if rv := p.precheck(r, pol); rv != nil {
			out[i].Revocation = rv
			continue
		}
		jobs[k] = &job{key: k, f: r.Finding, v: *r.Verification, idx: []int{i}, prov: p.provs[r.Finding.Provider]}
		order = append(order, k)
	}

	// Providers that revoke in batches get all their tokens in one call.
	var single []*job
	batches := map[string][]*job{}
	for _, k := range order {
		j := jobs[k]
		if _, ok := j.prov.(revoke.BatchRevoker); ok {
			batches[j.f.Provider] = append(batches[j.f.Provider], j)
			continue
		}
		single = append(single, j)
	}
	var mu sync.Mutex
	finish := func(j *job, rv Revocation) {
		mu.Lock()
		defer mu.Unlock()
		for _, i := range j.idx {
			r := rv
			out[i].Revocation = &r
		}
		p.mu.Lock()
		p.done[j.key] = &rv
		p.mu.Unlock()
	}
	p.parallel(ctx, len(single), func(ctx context.Context, n int) {
		j := single[n]
		if rv, ok := p.auditBefore(ctx, j); !ok {
			finish(j, rv)
			return
		}
		var detail string
		var err error
		if d, ok := j.prov.(revoke.DetailedRevoker); ok {
			detail, err = d.RevokeDetail(ctx, j.f.Secret, j.v)
		} else {
			err = j.prov.Revoke(ctx, j.f.Secret, j.v)
		}
		finish(j, p.auditAfter(ctx, j, detail, err))
	})
	for _, js := range batches {
		var targets []revoke.Target
		var started []*job
		for _, j := range js {
			if rv, ok := p.auditBefore(ctx, j); !ok {
				finish(j, rv)
				continue
			}
			targets = append(targets, revoke.Target{Token: j.f.Secret, Verification: j.v})
			started = append(started, j)
		}
		if len(started) == 0 {
			continue
		}
		errs := started[0].prov.(revoke.BatchRevoker).RevokeBatch(ctx, targets)
		for n, j := range started {
			var err error
			if n < len(errs) {
				err = errs[n]
			} else {
				err = fmt.Errorf("%s: no outcome reported for this token", j.f.Provider)
			}
			finish(j, p.auditAfter(ctx, j, "", err))
		}
	}
	return out
}

// precheck returns the Revocation of a result that needs no attempt, or nil.
func (p *Pipeline) precheck(r Result, pol Policy) *Revocation {
	now := p.o.Now()
	name := r.Finding.Provider
	switch v := r.Verification; {
	case p.provs[name] == nil:
		return &Revocation{Status: StatusSkipped, Reason: "no revoker for provider " + name, At: now}
	case v.Status == revoke.StatusDead:
		return &Revocation{Status: StatusSkipped, Reason: "token already dead", At: now}
	case v.Status != revoke.StatusLive:
		reason := "not verified live"
		if r.VerifyErr != nil {
			reason += ": " + r.VerifyErr.Error()
		}
		return &Revocation{Status: StatusSkipped, Reason: reason, At: now}
	case !pol.allows(name):
		return &Revocation{Status: StatusDryRun, Reason: fmt.Sprintf("dry run: pass --yes or set providers.%s.revoke: true", name), At: now}
	}
	return nil
}

func (p *Pipeline) auditBefore(ctx context.Context, j *job) (Revocation, bool) {
	err := p.o.Audit.Audit(ctx, event(j, PhaseAttempt, p.o.Now()))
	if err != nil {
		p.o.Logger.ErrorContext(ctx, "audit before revoke failed; not revoking",
			"provider", j.f.Provider, "fingerprint", j.f.Fingerprint, "err", err.Error())
		return Revocation{Status: StatusFailed, Reason: "audit log unavailable, not revoked: " + err.Error(), At: p.o.Now()}, false
	}
	return Revocation{}, true
}

func (p *Pipeline) auditAfter(ctx context.Context, j *job, detail string, err error) Revocation {
	rv := Revocation{Status: StatusRevoked, Reason: "revoked; confirmed dead", At: p.o.Now()}
	if detail != "" {
		rv.Reason = detail + "; confirmed dead"
	}
	switch {
	case err == nil:
	case errors.Is(err, revoke.ErrAmbiguous), errors.Is(err, revoke.ErrNotSupported),
		errors.Is(err, revoke.ErrNoMatch), errors.Is(err, revoke.ErrNotLive):
		rv.Status, rv.Reason = StatusSkipped, err.Error()
	default:
		rv.Status, rv.Reason = StatusFailed, err.Error()
	}
	rv.Err = err
	e := event(j, PhaseResult, rv.At)
	e.Status, e.Reason = rv.Status, rv.Reason
	if aerr := p.o.Audit.Audit(ctx, e); aerr != nil {
		p.o.Logger.ErrorContext(ctx, "audit after revoke failed",
			"provider", j.f.Provider, "fingerprint", j.f.Fingerprint, "err", aerr.Error())
	}
	attrs := []any{"provider", j.f.Provider, "detector", j.f.DetectorID, "fingerprint", j.f.Fingerprint, "status", string(rv.Status)}
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	p.o.Logger.InfoContext(ctx, "token revocation", attrs...)
	return rv
}
