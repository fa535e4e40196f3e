package webhook

import (
	"fmt"
	"net/http"
	"time"
)

// GitLab returns the handler for a GitLab project or group webhook with push and tag push
// events enabled.
//
// GitLab sends the webhook's secret token as-is in X-Gitlab-Token (it signs nothing), so the
// handler compares it in constant time before reading the body, and refuses an empty token
// (ErrNoCredential). X-Gitlab-Event selects the event: "Push Hook" and "Tag Push Hook" are
// handed over, others ignored. The delivery id is Idempotency-Key, which GitLab keeps across
// retries and manual resends (GitLab 17.4), else X-Gitlab-Event-UUID.
//
// Docs: https://docs.gitlab.com/user/project/integrations/webhooks/ and
// https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events
func GitLab(token string, o Options) (http.Handler, error) {
	if token == "" {
		return nil, fmt.Errorf("gitlab webhook: %w: set webhooks.gitlab.token", ErrNoCredential)
	}
	return newHandler(source{
		name: SourceGitLab,
		headerAuth: func(r *http.Request) bool {
			got, ok := r.Header["X-Gitlab-Token"]
			return ok && len(got) == 1 && equal(got[0], token)
		},
		parse: parseGitLab,
	}, o)
}

func parseGitLab(r *http.Request, body []byte, now time.Time) (delivery, error) {
	d := delivery{event: r.Header.Get("X-Gitlab-Event"), id: r.Header.Get("Idempotency-Key")}
	if d.id == "" {
		d.id = r.Header.Get("X-Gitlab-Event-UUID")
	}
	if d.event != "Push Hook" && d.event != "Tag Push Hook" {
		d.kind = kindOther
		return d, nil
	}
	p, err := parseGitLabPush(body, now)
	if err != nil {
		return d, err
	}
	p.DeliveryID = d.id
	d.pushes = []Push{p}
	return d, nil
}

// gitlabPush is the part of a push or tag push event payload patrol reads.
type gitlabPush struct {
	ObjectKind   string `json:"object_kind"`
	Ref          string `json:"ref"`
	Before       string `json:"before"`
	After        string `json:"after"`
	UserName     string `json:"user_name"`
	UserUsername string `json:"user_username"`
	Project      struct {
		GitHTTPURL string `json:"git_http_url"`
		WebURL     string `json:"web_url"`
	} `json:"project"`
}

// parseGitLabPush reads a push or tag push event payload. GitLab sends no push time, so At is
// now; nor does it say whether the push was forced.
func parseGitLabPush(body []byte, now time.Time) (Push, error) {
	var ev gitlabPush
	if err := decodeJSON(body, &ev); err != nil {
		return Push{}, err
	}
	if ev.ObjectKind != "push" && ev.ObjectKind != "tag_push" {
		return Push{}, fmt.Errorf("%w: object_kind is not push or tag_push", errPayload)
	}
	pusher := ev.UserUsername
	if pusher == "" {
		pusher = ev.UserName
	}
	p := Push{
		Source:     SourceGitLab,
		Repository: ev.Project.GitHTTPURL,
		HTMLURL:    ev.Project.WebURL,
		Ref:        ev.Ref,
		Before:     ev.Before,
		After:      ev.After,
		Created:    isZeroID(ev.Before),
		Deleted:    isZeroID(ev.After),
		Pusher:     pusher,
		At:         now,
	}
	err := check(p, fields{repository: "project.git_http_url", ref: "ref", before: "before", after: "after"})
	return p, err
}
