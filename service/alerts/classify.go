package alerts

import (
	"sync"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
)

// UnknownDetector is the detector id of a finding made from an alert whose secret neither
// patrol's detectors nor its secret type name: no provider verifies or revokes it, so the
// pipeline records it as skipped and the alert stays open.
const UnknownDetector = "github-secret-scanning-alert"

// Classifier names the detector and fingerprint of an alert's secret as patrol's own scan
// does, so that a token found by both is one finding.
type Classifier struct {
	// Engine is the scan's engine (patrol serve's): its detectors, and its fingerprint key.
	Engine *scanner.Engine
	// Key is Engine's fingerprint key, for a secret whose detector comes from its type.
	Key []byte
}

// Match is what patrol makes of an alert's secret.
type Match struct {
	// DetectorID, Provider, Confidence, Fingerprint and Redacted are the finding's, as a scan
	// that found the value would record them.
	DetectorID, Provider, Confidence, Fingerprint, Redacted string
	// ByType reports that no detector matched the value and the secret type named the
	// detector (types.go).
	ByType bool
}

// Classify runs the engine's detectors over the whole of tok, GitHub's secret of secretType,
// and returns the finding a scan would make of it: of the detectors that match the whole
// value as it is (not a part of it, nor text decoded from it), the one the secret type
// names, else the first. When none does, the detector the secret type names. When the type
// names none either, it returns false and the Match of UnknownDetector.
func (c Classifier) Classify(secretType string, tok secret.Token) (Match, bool) {
	want, _ := DetectorOf(secretType)
	value := []byte(tok.Reveal())
	var best *scanner.Finding
	if c.Engine != nil && len(value) > 0 {
		c.Engine.Scan(value, []scanner.Location{{}}, func(f scanner.Finding) {
			if f.Encoding != "" || f.Location.Offset != 0 || f.Location.Length != len(value) {
				return
			}
			if best == nil || f.DetectorID == want && best.DetectorID != want {
				best = &f
			}
		})
	}
	if best != nil {
		return Match{DetectorID: best.DetectorID, Provider: best.Provider, Confidence: string(best.Confidence),
			Fingerprint: best.Fingerprint, Redacted: best.Redacted}, true
	}
	if d := builtin()[want]; d != nil {
		return Match{DetectorID: d.ID, Provider: d.Provider, Confidence: string(detectors.ConfidencePattern),
			Fingerprint: secret.Fingerprint(c.Key, d.ID, tok), Redacted: secret.Preview(tok, d.PrefixLen(value)), ByType: true}, true
	}
	return Match{DetectorID: UnknownDetector, Confidence: string(detectors.ConfidencePattern),
		Fingerprint: secret.Fingerprint(c.Key, UnknownDetector, tok), Redacted: secret.Preview(tok, 0)}, false
}

// builtin is the registry of built-in detectors by id.
var builtin = sync.OnceValue(func() map[string]*detectors.Detector {
	m := map[string]*detectors.Detector{}
	for _, d := range detectors.All() {
		m[d.ID] = d
	}
	return m
})
