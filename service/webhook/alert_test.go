package webhook

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGitHubAlertEvents: secret_scanning_alert deliveries go through the same signature check
// and dedup as pushes; created, reopened and resolved alerts are handed to OnAlert, other
// actions and a handler without OnAlert answer 204; a malformed one is a 400.
func TestGitHubAlertEvents(t *testing.T) {
	t.Parallel()
	created := fixture(t, "github-secret-scanning-alert-created.json")
	resolved := fixture(t, "github-secret-scanning-alert-resolved.json")
	reopened := []byte(strings.Replace(string(created), `"action": "created"`, `"action": "reopened"`, 1))
	validated := []byte(strings.Replace(string(created), `"action": "created"`, `"action": "validated"`, 1))
	noNumber := []byte(strings.Replace(string(created), `"number": 42`, `"number": 0`, 1))
	createdAlert := Alert{Source: SourceGitHub, DeliveryID: "a-1", Action: AlertCreated, Repository: helloWorld,
		HTMLURL: "https://github.com/Codertocat/Hello-World", FullName: "Codertocat/Hello-World", Number: 42,
		SecretType: "azure_devops_personal_access_token"}
	reopenedAlert := createdAlert
	reopenedAlert.DeliveryID, reopenedAlert.Action = "a-3", AlertReopened
	resolvedAlert := createdAlert
	resolvedAlert.DeliveryID, resolvedAlert.Action, resolvedAlert.Resolution, resolvedAlert.ResolvedBy = "a-2", AlertResolved, "false_positive", "octo-admin"
	alertDelivery := func(id string, body []byte) request { return githubDelivery("secret_scanning_alert", id, body) }

	tests := []struct {
		name       string
		noReceiver bool
		watched    bool
		steps      []step
		want       []Alert
		wantCounts map[string]int
	}{
		{name: "created, resolved, reopened, redelivered", watched: true,
			steps: []step{{alertDelivery("a-1", created), http.StatusAccepted}, {alertDelivery("a-2", resolved), http.StatusAccepted},
				{alertDelivery("a-3", reopened), http.StatusAccepted}, {alertDelivery("a-1", created), http.StatusOK}},
			want:       []Alert{createdAlert, resolvedAlert, reopenedAlert},
			wantCounts: map[string]int{"github accepted": 3, "github duplicate": 1}},
		{name: "not a watched repository", steps: []step{{alertDelivery("a-1", created), http.StatusAccepted}},
			wantCounts: map[string]int{"github ignored": 1}},
		{name: "an action patrol does not act on", watched: true, steps: []step{{alertDelivery("a-4", validated), http.StatusNoContent}},
			wantCounts: map[string]int{"github unsupported_event": 1}},
		{name: "no alert receiver", noReceiver: true, watched: true, steps: []step{{alertDelivery("a-1", created), http.StatusNoContent}},
			wantCounts: map[string]int{"github unsupported_event": 1}},
		{name: "signed with another secret", watched: true,
			steps:      []step{{alertDelivery("a-1", created).with("X-Hub-Signature-256", sign([]byte("x"), created)), http.StatusUnauthorized}},
			wantCounts: map[string]int{"github unauthorized": 1}},
		{name: "no alert number", watched: true, steps: []step{{alertDelivery("a-5", noNumber), http.StatusBadRequest}},
			wantCounts: map[string]int{"github bad_request": 1}},
		{name: "no delivery id", watched: true, steps: []step{{alertDelivery("", created), http.StatusBadRequest}},
			wantCounts: map[string]int{"github bad_request": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newReceived()
			o := rec.options()
			var mu sync.Mutex
			var got []Alert
			if !tt.noReceiver {
				o.OnAlert = func(_ context.Context, a Alert) (bool, error) {
					mu.Lock()
					defer mu.Unlock()
					if !tt.watched {
						return false, nil
					}
					got = append(got, a)
					return true, nil
				}
			}
			h, err := GitHub(githubSecret, o)
			url := serve(t, h, err)
			for i, s := range tt.steps {
				if status := send(t, url, s.rq); status != s.want {
					t.Errorf("step %d: status %d, want %d", i, status, s.want)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("alerts handed over (-want +got):\n%s", d)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if d := cmp.Diff(tt.wantCounts, rec.counts); d != "" {
				t.Errorf("counts (-want +got):\n%s", d)
			}
		})
	}
}
