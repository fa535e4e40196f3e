package webhook

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsec/patrol/detectors"
)

// marker stands for payload content that must never be echoed; markerNumber is one the JSON
// decoder would quote in its own error text.
const (
	marker       = "payload-content-d41d8cd9"
	markerNumber = "98765432109876543210"
)

// TestNoCredentialOrBodyInLogsOrAnswers sends each handler forged, malformed and valid
// deliveries that carry the marker and checks that neither the credential nor the marker
// reaches the log or a response.
func TestNoCredentialOrBodyInLogsOrAnswers(t *testing.T) {
	t.Parallel()
	payloads := [][]byte{
		[]byte(`{"ref": "` + marker + `" x}`),                                // syntax error after the marker
		[]byte(`{"ref": "refs/heads/main", "before": ` + markerNumber + `}`), // wrong type, a number
		[]byte(`{"object_kind": "push", "ref": "` + marker + `"}`),           // not a ref
		[]byte(`{"id": "e1", "eventType": "git.push", "resource": {"date": "` + marker + `"}}`),
		[]byte(`{"ref": "refs/heads/main", "repository": {"clone_url": "` + marker + `"}}`),
	}
	tests := []struct {
		name   string
		secret string
		build  func(Options) (http.Handler, error)
		sign   func(body []byte, right bool) request
	}{
		{"github", string(githubSecret), func(o Options) (http.Handler, error) { return GitHub(githubSecret, o) },
			func(body []byte, right bool) request {
				rq := githubDelivery("push", "log-1", body)
				if !right {
					rq = rq.with("X-Hub-Signature-256", sign([]byte(marker), body))
				}
				return rq
			}},
		{"gitlab", gitlabToken, func(o Options) (http.Handler, error) { return GitLab(gitlabToken, o) },
			func(body []byte, right bool) request {
				rq := gitlabDelivery("Push Hook", "log-1", body)
				if !right {
					rq = rq.with("X-Gitlab-Token", marker)
				}
				return rq
			}},
		{"azuredevops", adoPassword, func(o Options) (http.Handler, error) { return AzureDevOps(adoUser, adoPassword, o) },
			func(body []byte, right bool) request {
				rq := adoDelivery(body)
				if !right {
					rq.pass = marker
				}
				return rq
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newReceived(fabrikam)
			h, err := tt.build(rec.options())
			url := serve(t, h, err)
			var answers bytes.Buffer
			post := func(rq request) {
				_, answer := exchangeOne(t, url, rq)
				answers.Write(answer)
			}
			for _, p := range payloads {
				post(tt.sign(p, true))
				post(tt.sign(p, false))
			}
			post(adoDelivery(fixture(t, "azuredevops-git-push.json"))) // valid for one source
			rec.mu.Lock()
			log := rec.log.String()
			rec.mu.Unlock()
			if !strings.Contains(log, "bad webhook delivery") || !strings.Contains(log, "failed authentication") {
				t.Fatalf("log lacks the expected lines:\n%s", log)
			}
			for _, banned := range []string{tt.secret, marker, markerNumber, "fabrikam-fiber-inc@"} {
				if strings.Contains(log, banned) {
					t.Errorf("log contains %q:\n%s", banned, log)
				}
				if strings.Contains(answers.String(), banned) {
					t.Errorf("answers contain %q:\n%s", banned, answers.String())
				}
			}
		})
	}
}

// TestFixturesHoldNoTokens runs every detector over testdata: the fixtures are shaped as the
// documented examples and carry no token, synthetic or real.
func TestFixturesHoldNoTokens(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range detectors.All() {
			if m := d.Find(b); len(m) > 0 {
				t.Errorf("%s: detector %s matches at byte %d", f, d.ID, m[0].Start)
			}
		}
	}
}
