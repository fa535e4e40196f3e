package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/scanner"
)

// DefaultConcurrency is how many provider calls run at once.
const DefaultConcurrency = 4

// Options configure a Pipeline. The zero value works.
type Options struct {
	// Logger receives one line per verification and revocation; nil discards.
	Logger *slog.Logger
	// Now stamps revocations; nil means time.Now.
	Now func() time.Time
	// Concurrency bounds parallel provider calls (DefaultConcurrency).
	Concurrency int
	// Hints tells a provider where a finding was seen; nil means the finding's repository.
	// The CLI can supply the remote URL of a local repository here (Azure DevOps needs the
	// organization it names).
	Hints func(scanner.Finding) revoke.Hints
	// Audit records every revoke attempt, before and after; nil means a SlogAuditor on Logger.
	Audit Auditor
}

// Result is what the pipeline learned about one finding.
type Result struct {
	Finding scanner.Finding
	// Verification is nil when no provider checked the finding (none for its provider).
	Verification *revoke.Verification
	// VerifyErr says why the verification is unknown; its text carries no token.
	VerifyErr error
	// Revocation is nil until Revoke ran.
	Revocation *Revocation
}

// Pipeline verifies and revokes findings with a fixed set of providers.
type Pipeline struct {
	provs map[string]revoke.Provider
	o     Options

	mu    sync.Mutex
	cache map[string]*verifyEntry
	done  map[string]*Revocation // revocation outcomes by key

	revokeMu sync.Mutex // one Revoke at a time, so that a token is never revoked twice
}

type verifyEntry struct {
	ready chan struct{}
	v     revoke.Verification
	err   error
}

// New returns a Pipeline over provs, keyed by provider name as in scanner.Finding.Provider.
func New(provs map[string]revoke.Provider, o Options) *Pipeline {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Hints == nil {
		o.Hints = func(f scanner.Finding) revoke.Hints { return revoke.Hints{Repository: f.Location.Repository} }
	}
	if o.Audit == nil {
		o.Audit = SlogAuditor{Logger: o.Logger}
	}
	return &Pipeline{provs: provs, o: o, cache: map[string]*verifyEntry{}, done: map[string]*Revocation{}}
}

// Verify is New(provs, o).Verify(ctx, findings), for one-shot use.
func Verify(ctx context.Context, findings []scanner.Finding, provs map[string]revoke.Provider, o Options) []Result {
	return New(provs, o).Verify(ctx, findings)
}

// key identifies a unique secret: its fingerprint, or a hash of provider and value when the
// finding has none.
func key(f scanner.Finding) string {
	if f.Fingerprint != "" {
		return f.Fingerprint
	}
	h := sha256.Sum256([]byte(f.Provider + "\x00" + f.Secret.Reveal()))
	return "sha256:" + hex.EncodeToString(h[:])
}

// Verify checks every finding with its provider, one request per unique fingerprint, and
// returns one Result per finding, in order. Findings for a provider with no client get a nil
// Verification.
func (p *Pipeline) Verify(ctx context.Context, findings []scanner.Finding) []Result {
	results := make([]Result, len(findings))
	groups := map[string][]int{}
	var order []string
	for i, f := range findings {
		results[i].Finding = f
		if p.provs[f.Provider] == nil {
			continue
		}
		k := key(f)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	p.parallel(ctx, len(order), func(ctx context.Context, n int) {
		idx := groups[order[n]]
		first := findings[idx[0]]
		h := p.o.Hints(first)
		var more []string
		for _, i := range idx[1:] {
			if r := p.o.Hints(findings[i]); r.Repository != "" && r.Repository != h.Repository {
				more = append(more, r.Repository)
			}
		}
		if len(more) > 0 {
			h.Text = strings.Join(append([]string{h.Text}, more...), "\n")
		}
		v, err := p.verify(ctx, order[n], first, h)
		for _, i := range idx {
			vv := v
			results[i].Verification, results[i].VerifyErr = &vv, err
		}
	})
	return results
}

// verify returns the cached verification of k, or asks the provider once (concurrent callers
// for the same k wait for that one answer).
func (p *Pipeline) verify(ctx context.Context, k string, f scanner.Finding, h revoke.Hints) (revoke.Verification, error) {
	p.mu.Lock()
	e, ok := p.cache[k]
	if !ok {
		e = &verifyEntry{ready: make(chan struct{})}
		p.cache[k] = e
	}
	p.mu.Unlock()
	if ok {
		select {
		case <-e.ready:
			return e.v, e.err
		case <-ctx.Done():
			return revoke.Verification{Status: revoke.StatusUnknown, CheckedAt: p.o.Now()}, ctx.Err()
		}
	}
	e.v, e.err = p.provs[f.Provider].Verify(ctx, f.Secret, h)
	if e.v.Status == "" {
		e.v.Status = revoke.StatusUnknown
	}
	if e.v.CheckedAt.IsZero() {
		e.v.CheckedAt = p.o.Now()
	}
	close(e.ready)
	attrs := []any{"provider", f.Provider, "detector", f.DetectorID, "fingerprint", f.Fingerprint, "status", string(e.v.Status)}
	if e.err != nil {
		attrs = append(attrs, "err", e.err.Error())
	}
	p.o.Logger.InfoContext(ctx, "token verified", attrs...)
	if ctx.Err() != nil {
		// A canceled run must not poison the cache for a later one.
		p.mu.Lock()
		delete(p.cache, k)
		p.mu.Unlock()
	}
	return e.v, e.err
}

// parallel runs fn(0..n-1) on at most Concurrency goroutines and waits.
func (p *Pipeline) parallel(ctx context.Context, n int, fn func(context.Context, int)) {
	sem := make(chan struct{}, p.o.Concurrency)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(ctx, i)
		}()
	}
	wg.Wait()
}
