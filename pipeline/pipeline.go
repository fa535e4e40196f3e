package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

// Defaults of Options.
const (
	// DefaultConcurrency is how many findings RunDue and Drain advance at once.
	DefaultConcurrency = 4
	// DefaultConfirmWindow is how long the confirm step polls a revoked token before the
	// finding becomes unconfirmed (Azure DevOps documents up to an hour).
	DefaultConfirmWindow = time.Hour
	// DefaultLease is how long a revocation claim is held before another worker may take
	// it over. The provider call is bounded by half of it.
	DefaultLease = 10 * time.Minute
)

// Sender delivers one rendered email; *notify.Mailer implements it.
type Sender interface {
	Send(ctx context.Context, e notify.Email) error
}

// Poster delivers one webhook message; *notify.Webhook implements it.
type Poster interface {
	Post(ctx context.Context, l notify.Leak) error
}

// Rehydrator gets the raw value of a stored finding back from where the token lives (the
// repository's blob at the stored offset, the clone cache, the current scan's memory). The
// store never holds the value, so every step that needs it asks here. An error is a
// retryable failure of the step that asked, recorded in the audit log.
type Rehydrator interface {
	Rehydrate(ctx context.Context, f store.Finding) (secret.Token, error)
}

// Options configure a Pipeline. Store is required; every other field has a default.
type Options struct {
	// Store holds the findings, their states, the audit log and the outbox.
	Store store.Store
	// Provs are the providers by name, as in store.Finding.Provider. A finding whose
	// provider is missing is skipped.
	Provs map[string]revoke.Provider
	// Policy decides whether a live token may be revoked.
	Policy Policy
	// Notify picks the recipients of messages (owner, security team, allowed domains).
	Notify notify.Config
	// Mailer sends email; nil queues no email.
	Mailer Sender
	// Webhook posts to the team's chat; nil queues no webhook message.
	Webhook Poster
	// Actor names who acts in the audit log ("patrol scan", "patrol serve"); "patrol" when
	// empty.
	Actor string
	// Tokens gives back the raw value of a stored finding; nil holds none, so every step
	// that needs a token is retried until one is configured.
	Tokens Rehydrator
	// Hints tells a provider where a finding was seen; nil means the repositories of its
	// locations (the first as Repository, the others in Text).
	Hints func(store.Finding) revoke.Hints
	// Describe names a detector for people (built-in and custom rules); nil means the
	// built-in detectors' descriptions. An empty answer falls back to the rule id.
	Describe func(detectorID string) string
	// Logger receives one line per step; nil discards.
	Logger *slog.Logger
	// Now is the clock of every schedule; nil means time.Now.
	Now func() time.Time
	// Sleep waits in Drain; nil waits on a timer (returning early with ctx's error).
	Sleep func(ctx context.Context, d time.Duration) error
	// Backoff is the retry schedule of unknown verifications, failed revocations, unsent
	// messages and unconfirmed revocations (notify.Backoff when nil: 1m doubling to 1h).
	Backoff func(attempt int) time.Duration
	// ConfirmWindow is how long the confirm step polls before a revocation that still
	// answers live becomes unconfirmed (DefaultConfirmWindow when zero). It is measured
	// along the confirm schedule, so time no worker ran does not count.
	ConfirmWindow time.Duration
	// ConfirmBackoff is the confirm step's poll schedule (5s doubling, capped at 5m, when
	// nil).
	ConfirmBackoff func(attempt int) time.Duration
	// Lease is how long a revocation claim is held (DefaultLease when zero).
	Lease time.Duration
	// Concurrency bounds how many findings of one provider RunDue and Drain advance at once
	// (DefaultConcurrency when zero). Each provider has its own Concurrency: the findings of
	// a provider that stalls never hold another provider's.
	Concurrency int
	// OnMove, when set, is called inside the transaction of every move a step commits to
	// another state, with the state the finding left and the finding as stored after the
	// move; an error rolls the move back. patrol serve queues there the work a move starts
	// outside the pipeline (resolving a code host's alert once its token is dead), so that
	// the move and that work commit together or not at all. It must use tx, never Store.
	OnMove func(ctx context.Context, tx store.Store, from store.State, f store.Finding) error
	// CallTimeout is the deadline of one verification by provider (providers.Config
	// CallTimeout): a provider that does not answer in time gives the verdict unknown, which
	// is retried later. Nil or zero leaves the provider's own timeouts.
	CallTimeout func(provider string) time.Duration
}

// Pipeline moves stored findings through their steps. It is safe for concurrent use, also
// alongside other Pipelines (other processes) on the same store: every step is a
// compare-and-set on the state it observed.
type Pipeline struct {
	o   Options
	log *slog.Logger

	mu sync.Mutex
	// verified holds the live verification of a finding from its verify step until its
	// revoke step claims it: Provider.Revoke needs the owner's identity, which the store
	// keeps only in part. A finding live without one (another process verified it, or a
	// restart) is verified again first.
	verified map[string]revoke.Verification
	// swept is set once RunDue has looked at the resting states (see RunDue).
	swept bool
	// stepping serializes the steps of one finding in this process (lockFinding).
	stepping map[string]*findingLock
}

// findingLock is the lock of one finding's steps, with the number of steps holding or
// waiting for it (the entry goes when it drops to zero).
type findingLock struct {
	mu   sync.Mutex
	refs int
}

// lockFinding serializes the steps of finding fp in this process: a scan's drain and the retry
// pass (or two scans' drains) taking the same new finding would otherwise both call its
// provider before one of them wins the move. It returns the unlock.
func (p *Pipeline) lockFinding(fp string) func() {
	p.mu.Lock()
	if p.stepping == nil {
		p.stepping = map[string]*findingLock{}
	}
	l := p.stepping[fp]
	if l == nil {
		l = &findingLock{}
		p.stepping[fp] = l
	}
	l.refs++
	p.mu.Unlock()
	l.mu.Lock()
	return p.unlockFinding(fp, l)
}

// tryLockFinding is lockFinding that gives up at once when another step holds the finding.
func (p *Pipeline) tryLockFinding(fp string) (unlock func(), ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stepping == nil {
		p.stepping = map[string]*findingLock{}
	}
	l := p.stepping[fp]
	if l == nil {
		l = &findingLock{}
		p.stepping[fp] = l
	}
	if !l.mu.TryLock() {
		return nil, false
	}
	l.refs++
	return p.unlockFinding(fp, l), true
}

func (p *Pipeline) unlockFinding(fp string, l *findingLock) func() {
	return func() {
		l.mu.Unlock()
		p.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(p.stepping, fp)
		}
		p.mu.Unlock()
	}
}

// errNoStore is returned by every method of a Pipeline built without a Store.
var errNoStore = errors.New("pipeline: no store configured")

// New returns a Pipeline with o's defaults filled in.
func New(o Options) *Pipeline {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Backoff == nil {
		o.Backoff = notify.Backoff
	}
	if o.ConfirmBackoff == nil {
		o.ConfirmBackoff = ConfirmBackoff
	}
	if o.ConfirmWindow <= 0 {
		o.ConfirmWindow = DefaultConfirmWindow
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Actor == "" {
		o.Actor = "patrol"
	}
	if o.Tokens == nil {
		o.Tokens = &Memory{}
	}
	if o.Hints == nil {
		o.Hints = DefaultHints
	}
	if o.Describe == nil {
		o.Describe = builtinDescription
	}
	return &Pipeline{o: o, log: o.Logger, verified: map[string]revoke.Verification{}}
}

// ConfirmBackoff is the default confirm schedule: 5s, 10s, 20s … doubling, capped at 5m.
// attempt < 1 counts as 1.
func ConfirmBackoff(attempt int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempt && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// DefaultHints tells the provider the repository of the finding's first location, and the
// other repositories it was seen in as nearby text (Azure DevOps reads organizations from
// URLs there).
func DefaultHints(f store.Finding) revoke.Hints {
	var h revoke.Hints
	var more []string
	for i, l := range f.Locations {
		switch {
		case i == 0:
			h.Repository = l.Repository
		case l.Repository != "" && l.Repository != h.Repository:
			more = append(more, l.Repository)
		}
	}
	h.Text = strings.Join(more, "\n")
	return h
}

func (p *Pipeline) now() time.Time { return p.o.Now() }

// kind names a detector for people: Describe's answer, or the rule id.
func (p *Pipeline) kind(detectorID string) string {
	if d := p.o.Describe(detectorID); d != "" {
		return d
	}
	return detectorID
}

// builtinDescription is the description of a built-in detector, or "".
func builtinDescription(id string) string { return builtinNames()[id] }

var builtinNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, d := range append(detectors.All(), detectors.Generic()...) {
		m[d.ID] = d.Description
	}
	return m
})

// builtinRotateURL is the RotateURL of a built-in detector (generic ones included), or "".
func builtinRotateURL(id string) string { return builtinRotateURLs()[id] }

var builtinRotateURLs = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, d := range append(detectors.All(), detectors.Generic()...) {
		if d.RotateURL != "" {
			m[d.ID] = d.RotateURL
		}
	}
	return m
})

func (p *Pipeline) cacheVerified(fp string, v revoke.Verification) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.verified[fp] = v
}

// hasVerified reports whether the verify step of this Pipeline left a live verification of
// fp for its revoke step.
func (p *Pipeline) hasVerified(fp string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.verified[fp]
	return ok
}

// takeVerified removes and returns the live verification of fp: one verification serves one
// revocation attempt; a retry verifies again.
func (p *Pipeline) takeVerified(fp string) (revoke.Verification, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.verified[fp]
	delete(p.verified, fp)
	return v, ok
}

// notifies reports whether this Pipeline queues messages at all.
func (p *Pipeline) notifies() bool { return p.o.Mailer != nil || p.o.Webhook != nil }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func first[T ~string](s ...T) T {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }
