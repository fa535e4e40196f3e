package pipeline

import (
	"context"
	"fmt"
	"sync"

	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

// Memory is a Rehydrator holding the tokens of the current scan (or of stdin) by
// fingerprint, with Next as the fallback for the others (the repository reader). The zero
// value is ready to use. It is safe for concurrent use. It keeps the values only in this
// process's memory, never writes them anywhere, and is dropped with the run.
type Memory struct {
	// Next answers for fingerprints Memory does not hold; nil means ErrNoToken.
	Next Rehydrator

	mu   sync.RWMutex
	toks map[string]held
}

type held struct {
	tok    secret.Token
	nearby string
}

// Add holds the tokens of fs (and the text near each, for Nearby). Findings without a
// fingerprint or a token are ignored.
func (m *Memory) Add(fs ...scanner.Finding) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.toks == nil {
		m.toks = map[string]held{}
	}
	for _, f := range fs {
		if f.Fingerprint == "" || f.Secret.IsZero() {
			continue
		}
		h := m.toks[f.Fingerprint]
		h.tok = f.Secret
		if h.nearby == "" {
			h.nearby = f.Nearby
		}
		m.toks[f.Fingerprint] = h
	}
}

// Rehydrate implements Rehydrator.
func (m *Memory) Rehydrate(ctx context.Context, f store.Finding) (secret.Token, error) {
	m.mu.RLock()
	h, ok := m.toks[f.Fingerprint]
	m.mu.RUnlock()
	if ok {
		return h.tok, nil
	}
	if m.Next != nil {
		return m.Next.Rehydrate(ctx, f)
	}
	return secret.Token{}, fmt.Errorf("rehydrate %s: %w", f.Fingerprint, ErrNoToken)
}

// Nearby returns the text the scanner kept around the token of fingerprint (for
// revoke.Hints), or "". It may hold other secrets: pass it only to providers.
func (m *Memory) Nearby(fingerprint string) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.toks[fingerprint].nearby
}
