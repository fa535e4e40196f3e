package webhook

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// payloadError is every error text a parser may produce: fixed templates around field paths
// and byte offsets, never a payload value.
var payloadError = regexp.MustCompile(`^bad payload: (` +
	`malformed JSON( at byte \d+)?` +
	`|field [A-Za-z0-9_.]+ has the wrong JSON type` +
	`|malformed form body|form body has no payload field` +
	`|object_kind is not push or tag_push` +
	`|no resource \(set the subscription's resource details to send to All or Minimal\)` +
	`|no [A-Za-z_.]+` +
	`|[A-Za-z_.]+(\[\d+\]\.[A-Za-z]+)? is not (a full ref name \(refs/…\)|an object id)` +
	`|[A-Za-z_.]+ is not an http\(s\) URL` +
	`|no action` +
	`)$`)

// checkParsed holds for every parser result: an error is a payload error in a fixed template,
// and every push handed over is well formed.
func checkParsed(t *testing.T, pushes []Push, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, errPayload) || !payloadError.MatchString(err.Error()) {
			t.Fatalf("error %q is not a payload error template", err)
		}
		return
	}
	if len(pushes) == 0 {
		t.Fatal("no error and no push")
	}
	for _, p := range pushes {
		if err := check(p, fields{}); err != nil {
			t.Fatalf("push handed over fails its own check: %v", err)
		}
		if p.Source == "" || p.At.IsZero() {
			t.Fatalf("push without source or time: %+v", p)
		}
	}
}

var fuzzNow = time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)

func FuzzParseGitHubPush(f *testing.F) {
	for _, name := range []string{"github-push-forced.json", "github-push-deleted.json", "github-ping.json", "github-issues.json"} {
		f.Add(fixture(f, name), false)
	}
	f.Add([]byte(`payload=%7B%22ref%22%3A1%7D`), true)
	f.Add([]byte(`{"ref":"refs/heads/x","before":"`+zeros40+`","after":"`+zeros40+`","repository":{"clone_url":"https://h/r.git","pushed_at":"x"}}`), false)
	f.Fuzz(func(t *testing.T, body []byte, form bool) {
		ct := "application/json"
		if form {
			ct = "application/x-www-form-urlencoded"
		}
		payload, err := githubPayload(ct, body)
		if err != nil {
			checkParsed(t, nil, err)
			return
		}
		p, err := parseGitHubPush(payload, fuzzNow)
		checkParsed(t, []Push{p}, err)
	})
}

func FuzzParseGitLabPush(f *testing.F) {
	for _, name := range []string{"gitlab-push.json", "gitlab-tag-push.json", "gitlab-issue.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"object_kind":"push","ref":"refs/heads/x","before":"` + zeros40 + `","after":"` + zeros40 + `","project":{"git_http_url":"http://h/r.git"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := parseGitLabPush(body, fuzzNow)
		checkParsed(t, []Push{p}, err)
	})
}

func FuzzParseAzureDevOps(f *testing.F) {
	for _, name := range []string{"azuredevops-git-push.json", "azuredevops-build-complete.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"id":"e","eventType":"git.push","resource":{"refUpdates":[],"repository":{"remoteUrl":"https://h/_git/r"}}}`))
	f.Add([]byte(`{"subscriptionId":"s","notificationId":1,"eventType":"git.push","resource":{"date":"2014-05-02T19:17:13Z"}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := parseAzureDevOps(nil, body, fuzzNow)
		if err == nil && d.kind != kindPush {
			return
		}
		checkParsed(t, d.pushes, err)
		for _, p := range d.pushes {
			if p.DeliveryID != d.id {
				t.Fatalf("push delivery id %q, delivery %q", p.DeliveryID, d.id)
			}
		}
	})
}

// FuzzParseGitHubAlert: whatever the payload, the parser does not panic, fails only with a
// payload error in a fixed template, hands over only well-formed alerts, and never puts a
// secret field of the payload anywhere.
func FuzzParseGitHubAlert(f *testing.F) {
	for _, name := range []string{"github-secret-scanning-alert-created.json", "github-secret-scanning-alert-resolved.json",
		"github-push-forced.json", "github-ping.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"action":"created","alert":{"number":1,"secret":"s3cr3t-value"},"repository":{"full_name":"a/b","clone_url":"https://h/a/b.git"}}`))
	f.Add([]byte(`{"action":"resolved","alert":{"number":9,"resolution":null,"resolved_by":null},"repository":{"full_name":"a/b","clone_url":"http://h/b"},"sender":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, ok, err := parseGitHubAlert(body)
		if err != nil {
			checkParsed(t, nil, err)
			return
		}
		if !ok {
			return
		}
		switch {
		case a.Source != SourceGitHub || a.Number <= 0 || !strings.Contains(a.FullName, "/"):
			t.Fatalf("alert handed over without source, number or owner/name: %+v", a)
		case a.Action != AlertCreated && a.Action != AlertReopened && a.Action != AlertResolved:
			t.Fatalf("alert handed over with action %q", a.Action)
		}
		if u, err := url.Parse(a.Repository); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			t.Fatalf("alert handed over with repository %q", a.Repository)
		}
		if strings.Contains(fmt.Sprintf("%+v", a), "s3cr3t-value") {
			t.Fatal("a secret of the payload reached the alert")
		}
	})
}

var zeros40 = "0000000000000000000000000000000000000000"
