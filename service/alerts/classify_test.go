package alerts_test

import (
	"crypto/rand"
	"testing"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/service/alerts"
)

// TestClassifyAsTheScanDoes: a value a detector matches gets the scan's detector and
// fingerprint, whatever GitHub calls it; a value only its type names gets that type's
// detector; a type patrol does not know, with a value no detector matches, is unknown.
func TestClassifyAsTheScanDoes(t *testing.T) {
	t.Parallel()
	key := []byte(rand.Text())
	engine := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: key})
	c := alerts.Classifier{Engine: engine, Key: key}
	gh := ghToken()
	// The fingerprint the scan of a file holding the token computes.
	var scanned string
	engine.Scan([]byte("GITHUB_TOKEN="+gh+"\n"), []scanner.Location{{}}, func(f scanner.Finding) { scanned = f.Fingerprint })
	awsSecret := rand.Text()[:20] + rand.Text()[:20] // 40 characters, no context: no detector matches it alone

	for _, tt := range []struct {
		name, typ, value string
		want             alerts.Match
		known            bool
	}{
		{"detector match", "github_personal_access_token", gh, alerts.Match{DetectorID: "github-classic-pat", Provider: "github",
			Confidence: "checksum", Fingerprint: scanned}, true},
		{"detector match, type unknown", "custom_pattern_1", gh, alerts.Match{DetectorID: "github-classic-pat", Provider: "github",
			Confidence: "checksum", Fingerprint: scanned}, true},
		{"by type", "aws_secret_access_key", awsSecret, alerts.Match{DetectorID: "aws-secret-access-key", Confidence: "pattern",
			Fingerprint: secret.Fingerprint(key, "aws-secret-access-key", secret.New(awsSecret)), ByType: true}, true},
		{"unknown", "adafruit_io_key", awsSecret, alerts.Match{DetectorID: alerts.UnknownDetector, Confidence: "pattern",
			Fingerprint: secret.Fingerprint(key, alerts.UnknownDetector, secret.New(awsSecret))}, false},
		{"a token inside the value is not the value", "custom_pattern_2", "x" + gh, alerts.Match{DetectorID: alerts.UnknownDetector,
			Confidence: "pattern", Fingerprint: secret.Fingerprint(key, alerts.UnknownDetector, secret.New("x"+gh))}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, known := c.Classify(tt.typ, secret.New(tt.value))
			got.Redacted = "" // checked below
			if got != tt.want || known != tt.known {
				t.Errorf("Classify(%s) = %+v, %v; want %+v, %v", tt.typ, got, known, tt.want, tt.known)
			}
		})
	}
	if m, _ := c.Classify("github_personal_access_token", secret.New(gh)); m.Redacted != secret.Preview(secret.New(gh), 4) {
		t.Errorf("preview %q, want the scan's", m.Redacted)
	}
}
