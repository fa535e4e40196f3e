package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/store"
)

// maxChain bounds the steps one pass runs on one finding: verify, revoke, confirm and a
// catch-up make four in practice.
const maxChain = 8

// RunDue is the retry worker. It advances every finding whose step is due: those in the
// states a schedule drives (detected, unknown, live, revoking, revoke_failed,
// revocation_sent, unconfirmed) whose NextAttempt has come, from Store.Due, earliest first,
// at most limit of them (all when limit <= 0); and, on this Pipeline's first call only, the
// resting findings (not_revoked, skipped, confirmed_dead, notified) that its configuration
// can move: a policy that now allows revoking a dry run's token, a provider or a notifier
// configured since. Resting findings move only on such a change, which means a new
// Pipeline, so they are not read again on every call.
//
// Distinct findings advance in parallel, Concurrency at a time per provider (a provider that
// stalls holds up only its own findings), each through as many steps
// as are due now, each followed by the delivery of its messages; then the other due
// messages are delivered. There is no process-wide lock: the store's compare-and-set
// decides every race with another worker or process, and the loser moves on. Live tokens of
// a provider that revokes in batches are claimed one by one and revoked in one call. It
// returns the number of steps run.
func (p *Pipeline) RunDue(ctx context.Context, limit int) (int, error) {
	if p.o.Store == nil {
		return 0, errNoStore
	}
	fs, err := p.o.Store.Due(ctx, activeStates, p.now(), limit)
	if err != nil {
		return 0, fmt.Errorf("due findings: %w", err)
	}
	p.mu.Lock()
	swept := p.swept
	p.mu.Unlock()
	if !swept {
		rest, err := p.resting(ctx)
		if err != nil {
			return 0, err
		}
		fs = append(fs, rest...)
		p.mu.Lock()
		p.swept = true
		p.mu.Unlock()
	}
	n, err := p.advanceAll(ctx, fs)
	return n, errors.Join(err, p.Deliver(ctx))
}

// resting returns the findings in resting states that have a step due now.
func (p *Pipeline) resting(ctx context.Context) ([]store.Finding, error) {
	var out []store.Finding
	now := p.now()
	for _, st := range restingStates {
		fs, err := p.o.Store.Findings(ctx, store.Query{State: st})
		if err != nil {
			return nil, fmt.Errorf("%s findings: %w", st, err)
		}
		for _, f := range fs {
			if kind, at := p.plan(f); kind != stepNone && !at.After(now) {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// Drain is the CLI's loop over the findings of one run: it steps them, and delivers their
// messages, until each is final or waits past until (a run that will not wait passes its
// start time), sleeping (Options.Sleep) until the earliest due time in between. A finding
// whose confirmation takes long waits on its own schedule; it never holds back another's
// verification, revocation or email.
func (p *Pipeline) Drain(ctx context.Context, fps []string, until time.Time) error {
	if p.o.Store == nil {
		return errNoStore
	}
	for {
		fs := make([]store.Finding, 0, len(fps))
		for _, fp := range fps {
			f, err := p.o.Store.Finding(ctx, fp)
			if err != nil {
				return fmt.Errorf("drain %s: %w", fp, err)
			}
			fs = append(fs, f)
		}
		n, err := p.advanceAll(ctx, fs)
		if err != nil {
			return err
		}
		next, ok, err := p.nextDue(ctx, fps)
		if err != nil || !ok || next.After(until) {
			return err
		}
		d := next.Sub(p.now())
		if n == 0 && d <= 0 {
			d = time.Second // something is due but nothing moved (another worker holds it): do not spin
		}
		if err := p.o.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// nextDue is the earliest time a step or a message of fps is due, or false when none is.
func (p *Pipeline) nextDue(ctx context.Context, fps []string) (time.Time, bool, error) {
	now := p.now()
	var next time.Time
	found := false
	consider := func(at time.Time) {
		if at.Before(now) {
			at = now
		}
		if !found || at.Before(next) {
			next, found = at, true
		}
	}
	for _, fp := range fps {
		f, err := p.o.Store.Finding(ctx, fp)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("drain %s: %w", fp, err)
		}
		// A catch-up (stepNotify) has run in this pass already; what remains is delivery.
		if kind, at := p.plan(f); kind != stepNone && kind != stepNotify {
			consider(at)
		}
		at, ok, err := p.messagesDue(ctx, fp)
		if err != nil {
			return time.Time{}, false, err
		}
		if ok {
			consider(at)
		}
	}
	return next, found, nil
}

// advanceAll advances fs in one lane per provider, all lanes at once (advanceProvider), so
// that a provider that stalls holds up only its own findings. It returns the number of
// steps run.
func (p *Pipeline) advanceAll(ctx context.Context, fs []store.Finding) (int, error) {
	fs = dedupe(fs)
	lanes := map[string][]store.Finding{}
	var names []string
	for _, f := range fs {
		if lanes[f.Provider] == nil {
			names = append(names, f.Provider)
		}
		lanes[f.Provider] = append(lanes[f.Provider], f)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	total := 0
	var errs []error
	for _, name := range names {
		wg.Go(func() {
			n, err := p.advanceProvider(ctx, name, lanes[name])
			mu.Lock()
			defer mu.Unlock()
			total += n
			errs = append(errs, err)
		})
	}
	wg.Wait()
	err := errors.Join(errs...)
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = errors.Join(err, cerr)
	}
	return total, err
}

// advanceProvider advances fs, the findings of one provider, Concurrency at a time, then
// revokes the parked live tokens (when the provider revokes in batches, in the order of fs)
// and advances those too. It returns the number of steps run.
func (p *Pipeline) advanceProvider(ctx context.Context, provider string, fs []store.Finding) (int, error) {
	var mu sync.Mutex
	total := 0
	var errs []error
	var parked []store.Finding
	run := func(fs []store.Finding, batching bool) {
		sem := make(chan struct{}, p.o.Concurrency)
		var wg sync.WaitGroup
		park := make([]*store.Finding, len(fs))
		for i, f := range fs {
			if ctx.Err() != nil {
				break
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				n, pf, err := p.advance(ctx, f, batching)
				mu.Lock()
				defer mu.Unlock()
				total += n
				errs = append(errs, err)
				park[i] = pf
			}()
		}
		wg.Wait()
		for _, pf := range park {
			if pf != nil {
				parked = append(parked, *pf)
			}
		}
	}
	run(fs, true)
	if len(parked) > 0 {
		done, n, err := p.revokeBatch(ctx, provider, parked)
		total += n
		errs = append(errs, err)
		run(done, false)
	}
	return total, errors.Join(errs...)
}

// advance runs the steps of f that are due now, one after the other, then delivers its due
// messages. With batching, it stops before revoking a token of a batch provider and
// returns the finding as it is then, parked.
func (p *Pipeline) advance(ctx context.Context, f store.Finding, batching bool) (int, *store.Finding, error) {
	n := 0
	for range maxChain {
		kind, at := p.plan(f)
		if kind == stepNone || at.After(p.now()) {
			break
		}
		if batching && kind == stepRevoke && p.batchable(f) {
			return n, &f, p.deliverFor(ctx, f.Fingerprint)
		}
		nf, ok, err := p.step(ctx, f)
		if err != nil {
			return n, nil, err
		}
		if !ok {
			break
		}
		n++
		f = nf
	}
	if ctx.Err() != nil {
		return n, nil, nil
	}
	return n, nil, p.deliverFor(ctx, f.Fingerprint)
}

// batchable reports whether f's revoke step would call a provider that revokes in batches.
func (p *Pipeline) batchable(f store.Finding) bool {
	_, ok := p.o.Provs[f.Provider].(revoke.BatchRevoker)
	return ok && f.State == lifecycle.StateLive && p.o.Policy.allows(f.Provider) && p.hasVerified(f.Fingerprint)
}

// revokeBatch claims each of fs (live tokens of one batch provider), revokes the claimed
// ones in one provider call, and records each answer. It returns the findings as recorded
// and the number of steps run.
func (p *Pipeline) revokeBatch(ctx context.Context, provider string, fs []store.Finding) ([]store.Finding, int, error) {
	br, _ := p.o.Provs[provider].(revoke.BatchRevoker)
	var claimed []store.Finding
	var targets []revoke.Target
	var errs []error
	n := 0
	for _, f := range fs {
		// Like a step, a batch holds the findings it takes: a drain stepping one of them
		// would otherwise find its verification gone and verify it again.
		unlock, ok := p.tryLockFinding(f.Fingerprint)
		if !ok {
			continue // another step has it
		}
		defer unlock()
		v, ok := p.takeVerified(f.Fingerprint)
		if !ok {
			continue // verified again on the next pass
		}
		tok, err := p.o.Tokens.Rehydrate(ctx, f)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			_, err = p.retryRead(ctx, f, "revoke", lifecycle.StateLive, err)
			errs = append(errs, ignoreConflict(err))
			n++
			continue
		}
		cf, err := p.claim(ctx, f, v)
		if err != nil {
			errs = append(errs, ignoreConflict(err))
			continue
		}
		claimed, targets = append(claimed, cf), append(targets, revoke.Target{Token: tok, Verification: v})
		n++
	}
	if len(claimed) == 0 || br == nil {
		return nil, n, errors.Join(errs...)
	}
	cctx, cancel := context.WithTimeout(ctx, p.o.Lease/2)
	res := br.RevokeBatch(cctx, targets)
	cancel()
	out := make([]store.Finding, 0, len(claimed))
	for i, cf := range claimed {
		err := fmt.Errorf("%s: no outcome reported for this token", provider)
		if i < len(res) {
			err = res[i]
		}
		nf, rerr := p.record(ctx, cf, "", err)
		if rerr != nil {
			errs = append(errs, ignoreConflict(rerr))
			continue
		}
		out = append(out, nf)
		n++
	}
	return out, n, errors.Join(errs...)
}

// ignoreConflict drops a lost race (another worker moved the finding first) and the end of
// the run's context; other errors pass.
func ignoreConflict(err error) error {
	if errors.Is(err, store.ErrConflict) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// dedupe keeps the first finding of each fingerprint.
func dedupe(fs []store.Finding) []store.Finding {
	seen := map[string]bool{}
	out := fs[:0:0]
	for _, f := range fs {
		if !seen[f.Fingerprint] {
			seen[f.Fingerprint] = true
			out = append(out, f)
		}
	}
	return out
}
