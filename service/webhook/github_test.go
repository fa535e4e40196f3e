package webhook

import (
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

var githubSecret = []byte("patrol-test-webhook-secret")

const helloWorld = "https://github.com/Codertocat/Hello-World.git"

// githubDelivery is a push or other event as GitHub sends it, signed with githubSecret.
func githubDelivery(event, id string, body []byte) request {
	return request{header: map[string]string{
		"X-GitHub-Event":      event,
		"X-GitHub-Delivery":   id,
		"X-GitHub-Hook-ID":    "109948940",
		"User-Agent":          "GitHub-Hookshot/044aadd",
		"X-Hub-Signature-256": sign(githubSecret, body),
	}, body: body}
}

// with returns rq with a header replaced (an empty value removes it).
func (rq request) with(k, v string) request {
	h := map[string]string{}
	for hk, hv := range rq.header {
		h[hk] = hv
	}
	if v == "" {
		delete(h, k)
	} else {
		h[k] = v
	}
	rq.header = h
	return rq
}

func TestGitHub(t *testing.T) {
	t.Parallel()
	forced := fixture(t, "github-push-forced.json")
	deleted := fixture(t, "github-push-deleted.json")
	pushedAt := time.Unix(1557933657, 0)
	forcedPush := Push{
		Source: SourceGitHub, DeliveryID: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
		Repository: helloWorld, HTMLURL: "https://github.com/Codertocat/Hello-World",
		Ref: "refs/heads/feature", Before: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
		After: "4f2b6c9a1d8e7b3c5a0f9e8d7c6b5a4f3e2d1c0b", Forced: true, Pusher: "Codertocat", At: pushedAt,
	}
	signedForced := githubDelivery("push", forcedPush.DeliveryID, forced)
	form := []byte("payload=" + url.QueryEscape(string(forced)))
	signedForm := githubDelivery("push", forcedPush.DeliveryID, form).with("Content-Type", "application/x-www-form-urlencoded")
	otherSecret := signedForced.with("X-Hub-Signature-256", sign([]byte("not-the-secret"), forced))
	tampered := signedForced
	tampered.body = []byte(strings.Replace(string(forced), "refs/heads/feature", "refs/heads/fe4ture", 1))
	sha1Only := signedForced.with("X-Hub-Signature-256", "").with("X-Hub-Signature", "sha1="+strings.Repeat("ab", 20))
	big := githubDelivery("push", "big", oversize())
	bigChunked := big
	bigChunked.chunked = true
	badJSON := githubDelivery("push", "bad", []byte(`{"ref": "refs/heads/main", "before": `))
	noRepo := githubDelivery("push", "norepo", []byte(`{"ref":"refs/heads/main","before":"`+strings.Repeat("1", 40)+`","after":"`+strings.Repeat("2", 40)+`"}`))
	count := func(outcome string, n int) map[string]int { return map[string]int{"github " + outcome: n} }

	tests := []exchange{
		{name: "signed push", steps: []step{{signedForced, http.StatusAccepted}},
			wantPushes: []Push{forcedPush}, wantCounts: count(OutcomeAccepted, 1)},
		{name: "signed form-encoded push", steps: []step{{signedForm, http.StatusAccepted}},
			wantPushes: []Push{forcedPush}, wantCounts: count(OutcomeAccepted, 1)},
		{name: "deleted branch", steps: []step{{githubDelivery("push", "del-1", deleted), http.StatusAccepted}},
			wantPushes: []Push{{
				Source: SourceGitHub, DeliveryID: "del-1", Repository: helloWorld,
				HTMLURL: "https://github.com/Codertocat/Hello-World", Ref: "refs/heads/main",
				Before: "6113728f27ae82c7b1a177c8d03f9e96e0adf246", After: strings.Repeat("0", 40),
				Deleted: true, Pusher: "Codertocat", At: pushedAt,
			}},
			wantCounts: count(OutcomeAccepted, 1)},
		{name: "forged with another secret", steps: []step{{otherSecret, http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "body changed after signing", steps: []step{{tampered, http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "unsigned", steps: []step{{signedForced.with("X-Hub-Signature-256", ""), http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "SHA-1 signature only", steps: []step{{sha1Only, http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "signature not hex", steps: []step{{signedForced.with("X-Hub-Signature-256", "sha256="+strings.Repeat("zz", 32)), http.StatusUnauthorized}},
			wantCounts: count(OutcomeUnauthorized, 1)},
		{name: "redelivered", steps: []step{{signedForced, http.StatusAccepted}, {signedForced, http.StatusOK}},
			wantPushes: []Push{forcedPush}, wantCounts: map[string]int{"github accepted": 1, "github duplicate": 1}},
		{name: "oversize", steps: []step{{big, http.StatusRequestEntityTooLarge}},
			wantCounts: count(OutcomeTooLarge, 1)},
		{name: "oversize without a length", steps: []step{{bigChunked, http.StatusRequestEntityTooLarge}},
			wantCounts: count(OutcomeTooLarge, 1)},
		{name: "ping", steps: []step{{githubDelivery("ping", "ping-1", fixture(t, "github-ping.json")), http.StatusOK}},
			wantCounts: count(OutcomePing, 1)},
		{name: "unknown event", steps: []step{{githubDelivery("issues", "iss-1", fixture(t, "github-issues.json")), http.StatusNoContent}},
			wantCounts: count(OutcomeUnsupported, 1)},
		{name: "unconfigured repository", watched: []string{"https://example.com/other.git"}, steps: []step{{githubDelivery("push", "other-1", deleted), http.StatusAccepted}},
			wantCounts: count(OutcomeIgnored, 1)},
		{name: "no delivery id", steps: []step{{signedForced.with("X-GitHub-Delivery", ""), http.StatusBadRequest}},
			wantCounts: count(OutcomeBadRequest, 1)},
		{name: "malformed JSON", steps: []step{{badJSON, http.StatusBadRequest}},
			wantCounts: count(OutcomeBadRequest, 1)},
		{name: "no repository", steps: []step{{noRepo, http.StatusBadRequest}},
			wantCounts: count(OutcomeBadRequest, 1)},
		{name: "GET", steps: []step{{request{method: http.MethodGet}, http.StatusMethodNotAllowed}},
			wantCounts: count(OutcomeBadRequest, 1)},
		{name: "store down", dedupErr: errStoreDown, steps: []step{{signedForced, http.StatusServiceUnavailable}},
			wantCounts: count(OutcomeError, 1)},
		{name: "queue down", pushErr: errStoreDown, steps: []step{{signedForced, http.StatusServiceUnavailable}},
			wantCounts: count(OutcomeError, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, func(o Options) (http.Handler, error) { return GitHub(githubSecret, o) }, helloWorld)
		})
	}
}

// TestGitHubSignatureVector checks the MAC against the example in GitHub's docs
// (validating-webhook-deliveries).
func TestGitHubSignatureVector(t *testing.T) {
	t.Parallel()
	got := hex.EncodeToString(githubMAC([]byte("It's a Secret to Everybody"), []byte("Hello, World!")))
	const want = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got != want {
		t.Errorf("githubMAC(docs vector) = %s, want %s", got, want)
	}
}

func TestNewRefusesMissingCredentials(t *testing.T) {
	t.Parallel()
	o := newReceived().options()
	tests := []struct {
		name  string
		build func() (http.Handler, error)
		want  error
	}{
		{"github without secret", func() (http.Handler, error) { return GitHub(nil, o) }, ErrNoCredential},
		{"github with empty secret", func() (http.Handler, error) { return GitHub([]byte{}, o) }, ErrNoCredential},
		{"gitlab without token", func() (http.Handler, error) { return GitLab("", o) }, ErrNoCredential},
		{"azuredevops without password", func() (http.Handler, error) { return AzureDevOps("patrol", "", o) }, ErrNoCredential},
		{"no receiver", func() (http.Handler, error) { return GitHub(githubSecret, Options{Dedup: o.Dedup}) }, ErrBadOptions},
		{"no dedup", func() (http.Handler, error) { return GitLab("t", Options{OnPush: o.OnPush}) }, ErrBadOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := tt.build()
			if !errors.Is(err, tt.want) || h != nil {
				t.Errorf("build = %v, %v; want nil, %v", h, err, tt.want)
			}
		})
	}
}

// TestGitHubSecretCopied checks that changing the caller's slice later does not change the key.
func TestGitHubSecretCopied(t *testing.T) {
	t.Parallel()
	secret := append([]byte(nil), githubSecret...)
	rec := newReceived(helloWorld)
	h, err := GitHub(secret, rec.options())
	url := serve(t, h, err)
	secret[0] ^= 0xff
	if got := send(t, url, githubDelivery("push", "copy-1", fixture(t, "github-push-forced.json"))); got != http.StatusAccepted {
		t.Errorf("status %d, want %d", got, http.StatusAccepted)
	}
}
