package pipeline_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/store"
)

func TestPolicyDecide(t *testing.T) {
	t.Parallel()
	config := func(allowed, explicit bool) func(string) (bool, bool) {
		return func(string) (bool, bool) { return allowed, explicit }
	}
	tests := []struct {
		name   string
		pol    pipeline.Policy
		ok     bool
		reason string
	}{
		{name: "nothing set: dry run", reason: "dry run: pass --yes or set providers.github.revoke: true"},
		{name: "--yes", pol: pipeline.Policy{Yes: true}, ok: true},
		{name: "revoke: true", pol: pipeline.Policy{Allowed: config(true, true)}, ok: true},
		{name: "revoke: true and --yes", pol: pipeline.Policy{Yes: true, Allowed: config(true, true)}, ok: true},
		{name: "revoke unset and --yes", pol: pipeline.Policy{Yes: true, Allowed: config(false, false)}, ok: true},
		{name: "explicit revoke: false wins over --yes", pol: pipeline.Policy{Yes: true, Allowed: config(false, true)},
			reason: "revoke: false in config (providers.github.revoke)"},
		{name: "explicit revoke: false", pol: pipeline.Policy{Allowed: config(false, true)}, reason: "revoke: false in config (providers.github.revoke)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, reason := tt.pol.Decide("github")
			if ok != tt.ok || reason != tt.reason {
				t.Errorf("Decide = %v, %q; want %v, %q", ok, reason, tt.ok, tt.reason)
			}
		})
	}
}

func TestMemory(t *testing.T) {
	t.Parallel()
	a, b := finding("github", randTok("a"), "r"), finding("github", randTok("b"), "r")
	a.Nearby = "https://dev.azure.com/contoso"
	var m pipeline.Memory // the zero value works
	if _, err := m.Rehydrate(t.Context(), store.Finding{Fingerprint: a.Fingerprint}); !errors.Is(err, pipeline.ErrNoToken) ||
		!strings.Contains(err.Error(), a.Fingerprint) {
		t.Errorf("empty Memory = %v, want ErrNoToken naming the fingerprint", err)
	}
	m.Add(a, scanner.Finding{DetectorID: "no fingerprint"})
	tok, err := m.Rehydrate(t.Context(), store.Finding{Fingerprint: a.Fingerprint})
	if err != nil || tok.Reveal() != a.Secret.Reveal() {
		t.Errorf("Rehydrate(a) = %v, want a's token", err)
	}
	if got := m.Nearby(a.Fingerprint); got != a.Nearby {
		t.Errorf("Nearby = %q", got)
	}
	next := &pipeline.Memory{}
	next.Add(b)
	m.Next = next
	if tok, err := m.Rehydrate(t.Context(), store.Finding{Fingerprint: b.Fingerprint}); err != nil || tok.Reveal() != b.Secret.Reveal() {
		t.Errorf("Rehydrate(b) through Next = %v", err)
	}
}
