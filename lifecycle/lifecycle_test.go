package lifecycle

import "testing"

func TestTransitionsNameOnlyKnownStates(t *testing.T) {
	t.Parallel()
	for from, tos := range transitions {
		for _, to := range tos {
			if !to.Valid() {
				t.Errorf("transition %s → %s: %q is not a state", from, to, to)
			}
		}
	}
	if len(transitions) != len(States()) {
		t.Errorf("transitions has %d states, States() %d", len(transitions), len(States()))
	}
}

func TestCan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to State
		want     bool
	}{
		{"verify a new finding", StateDetected, StateLive, true},
		{"claim a live token", StateLive, StateRevoking, true},
		{"never revoke unverified", StateDetected, StateRevoking, false},
		{"never revoke unknown", StateUnknown, StateRevoking, false},
		{"accepted then confirmed", StateRevocationSent, StateConfirmedDead, true},
		{"dead is final", StateDead, StateLive, false},
		{"confirmed dead is only notified", StateConfirmedDead, StateLive, false},
		{"retry a failed revocation", StateRevokeFailed, StateRevoking, true},
		{"take over an expired claim", StateRevoking, StateRevoking, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Can(tt.from, tt.to); got != tt.want {
				t.Errorf("Can(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestEveryStateReachable(t *testing.T) {
	t.Parallel()
	for _, s := range States() {
		if s == StateDetected {
			continue
		}
		if len(Sources(s)) == 0 {
			t.Errorf("state %s cannot be reached", s)
		}
	}
}
