package detectors

import (
	"slices"
	"strings"
)

// The registry: every built-in detector's file registers its constructor (func init() {
// register(X) }), so adding a detector touches that one file and its test, which registers
// the detector's samples the same way (registerCases); the registry's tests fail for a
// detector without samples, without a References: line, or outside its own file.
var registered []func() *Detector

// register adds built-in detector constructors. It is called from init functions only.
func register(fs ...func() *Detector) {
	registered = append(registered, fs...)
}

// All returns a fresh instance of every built-in detector that is on by default (not
// Generic), ordered by rule id. The order carries no meaning: when two detectors claim the
// same span, the scanner keeps the one with the stronger confidence (Rank).
func All() []*Detector {
	return built(func(d *Detector) bool { return !d.Generic })
}

// Generic returns a fresh instance of every built-in generic detector (Generic: a keyword and
// an entropy gate, no format), ordered by rule id. They are off unless asked for (patrol scan
// --generic, `generic: true` in the config), and never run in the pre-commit hook by default.
func Generic() []*Detector {
	return built(func(d *Detector) bool { return d.Generic })
}

func built(keep func(*Detector) bool) []*Detector {
	var out []*Detector
	for _, f := range registered {
		if d := f(); keep(d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *Detector) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Rank orders confidences from the weakest (generic) to the strongest (checksum), for a
// scanner choosing between detectors that claim the same span.
func Rank(c Confidence) int {
	switch c {
	case ConfidenceChecksum:
		return 3
	case ConfidencePattern:
		return 2
	case ConfidenceGeneric:
		return 1
	}
	return 0
}
