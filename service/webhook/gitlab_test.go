package webhook

import (
	"net/http"
	"strings"
	"testing"
)

const (
	gitlabToken = "patrol-test-gitlab-token"
	diaspora    = "http://example.com/mike/diaspora.git"
	example     = "http://example.com/jsmith/example.git"
)

// gitlabDelivery is an event as GitLab 17.4 and later sends it.
func gitlabDelivery(event, uuid string, body []byte) request {
	return request{header: map[string]string{
		"X-Gitlab-Event":        event,
		"X-Gitlab-Token":        gitlabToken,
		"X-Gitlab-Event-UUID":   uuid,
		"X-Gitlab-Webhook-UUID": "f1b2d3c4-0000-4000-8000-000000000001",
		"X-Gitlab-Instance":     "http://example.com",
		"Idempotency-Key":       "idem-" + uuid,
		"User-Agent":            "GitLab/17.4.0",
	}, body: body}
}

func TestGitLab(t *testing.T) {
	t.Parallel()
	push := gitlabDelivery("Push Hook", "uuid-1", fixture(t, "gitlab-push.json"))
	tag := gitlabDelivery("Tag Push Hook", "uuid-2", fixture(t, "gitlab-tag-push.json"))
	pushed := Push{
		Source: SourceGitLab, DeliveryID: "idem-uuid-1", Repository: diaspora,
		HTMLURL: "http://example.com/mike/diaspora", Ref: "refs/heads/master",
		Before: "95790bf891e76fee5e1747ab589903a6a1f80f22", After: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
		Pusher: "jsmith", At: arrivedAt,
	}
	// Before 17.4 there is no Idempotency-Key; the event UUID is the id.
	old := push.with("Idempotency-Key", "")
	oldPushed := pushed
	oldPushed.DeliveryID = "uuid-1"
	// A retry keeps the Idempotency-Key; in recursive group hooks the event UUID is shared.
	retry := push.with("X-Gitlab-Event-UUID", "uuid-9")
	badKind := gitlabDelivery("Push Hook", "uuid-3", []byte(strings.Replace(string(fixture(t, "gitlab-push.json")), `"object_kind": "push"`, `"object_kind": "issue"`, 1)))
	count := func(outcome string, n int) map[string]int { return map[string]int{"gitlab " + outcome: n} }

	tests := []exchange{
		{name: "push", steps: []step{{push, http.StatusAccepted}},
			wantPushes: []Push{pushed}, wantCounts: count(OutcomeAccepted, 1)},
		{name: "push before Idempotency-Key", steps: []step{{old, http.StatusAccepted}},
			wantPushes: []Push{oldPushed}, wantCounts: count(OutcomeAccepted, 1)},
		{name: "new tag", steps: []step{{tag, http.StatusAccepted}},
			wantPushes: []Push{{
				Source: SourceGitLab, DeliveryID: "idem-uuid-2", Repository: example,
				HTMLURL: "http://example.com/jsmith/example", Ref: "refs/tags/v1.0.0",
				Before: strings.Repeat("0", 40), After: "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7",
				Created: true, Pusher: "jsmith", At: arrivedAt,
			}},
			wantCounts: count(OutcomeAccepted, 1)},
		{name: "wrong token", steps: []step{{push.with("X-Gitlab-Token", gitlabToken+"x"), http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "no token", steps: []step{{push.with("X-Gitlab-Token", ""), http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "redelivered", steps: []step{{push, http.StatusAccepted}, {retry, http.StatusOK}},
			wantPushes: []Push{pushed}, wantCounts: map[string]int{"gitlab accepted": 1, "gitlab duplicate": 1}},
		{name: "oversize", steps: []step{{gitlabDelivery("Push Hook", "big", oversize()), http.StatusRequestEntityTooLarge}},
			wantCounts: count(OutcomeTooLarge, 1)},
		{name: "unknown event", steps: []step{{gitlabDelivery("Issue Hook", "uuid-4", fixture(t, "gitlab-issue.json")), http.StatusNoContent}},
			wantCounts: count(OutcomeUnsupported, 1)},
		{name: "push hook with another object kind", steps: []step{{badKind, http.StatusBadRequest}},
			wantCounts: count(OutcomeBadRequest, 1)},
		{name: "no delivery id", steps: []step{{old.with("X-Gitlab-Event-UUID", ""), http.StatusBadRequest}},
			wantCounts: count(OutcomeBadRequest, 1)},
		{name: "unconfigured repository", watched: []string{"https://example.com/other.git"}, steps: []step{{tag, http.StatusAccepted}},
			wantCounts: count(OutcomeIgnored, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, func(o Options) (http.Handler, error) { return GitLab(gitlabToken, o) }, diaspora, example)
		})
	}
}
