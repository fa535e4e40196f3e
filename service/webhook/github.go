package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
)

// GitHub returns the handler for a GitHub repository, organization or App webhook that sends
// push events (content type application/json or application/x-www-form-urlencoded).
//
// A delivery must carry X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the raw body
// keyed with secret, compared in constant time. The SHA-1 X-Hub-Signature alone is refused,
// and so is an empty secret (ErrNoCredential): go-github's ValidatePayload would accept
// unsigned requests then. X-GitHub-Event selects the event (ping answered, push handed over,
// others ignored) and X-GitHub-Delivery, which a redelivery repeats, is the delivery id.
//
// Docs: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries and
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#push
func GitHub(secret []byte, o Options) (http.Handler, error) {
	if len(secret) == 0 {
		return nil, fmt.Errorf("github webhook: %w: set webhooks.github.secret", ErrNoCredential)
	}
	key := append([]byte(nil), secret...)
	return newHandler(source{
		name: SourceGitHub,
		headerAuth: func(r *http.Request) bool {
			_, ok := githubSignature(r.Header.Get("X-Hub-Signature-256"))
			return ok
		},
		bodyAuth: func(r *http.Request, body []byte) bool {
			sig, _ := githubSignature(r.Header.Get("X-Hub-Signature-256"))
			return hmac.Equal(sig, githubMAC(key, body))
		},
		parse: parseGitHub,
	}, o)
}

// githubSignature decodes an X-Hub-Signature-256 value.
func githubSignature(h string) ([]byte, bool) {
	hexSig, ok := strings.CutPrefix(h, "sha256=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return nil, false
	}
	sig, err := hex.DecodeString(hexSig)
	return sig, err == nil
}

// githubMAC is the HMAC-SHA256 of a body keyed with the webhook secret.
func githubMAC(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}

func parseGitHub(r *http.Request, body []byte, now time.Time) (delivery, error) {
	d := delivery{event: r.Header.Get("X-GitHub-Event"), id: r.Header.Get("X-GitHub-Delivery")}
	switch d.event {
	case "ping":
		d.kind = kindPing
		return d, nil
	case "push":
	default:
		d.kind = kindOther
		return d, nil
	}
	payload, err := githubPayload(r.Header.Get("Content-Type"), body)
	if err != nil {
		return d, err
	}
	p, err := parseGitHubPush(payload, now)
	if err != nil {
		return d, err
	}
	p.DeliveryID = d.id
	d.pushes = []Push{p}
	return d, nil
}

// githubPayload returns the JSON of a delivery: the body itself, or its payload form field
// when the webhook is set to application/x-www-form-urlencoded.
func githubPayload(contentType string, body []byte) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("%w: malformed form body", errPayload)
	}
	if !form.Has("payload") {
		return nil, fmt.Errorf("%w: form body has no payload field", errPayload)
	}
	return []byte(form.Get("payload")), nil
}

// parseGitHubPush reads a push event payload (go-github's PushEvent is its documented shape).
func parseGitHubPush(payload []byte, now time.Time) (Push, error) {
	var ev github.PushEvent
	if err := decodeJSON(payload, &ev); err != nil {
		return Push{}, err
	}
	repo := ev.GetRepo()
	p := Push{
		Source:     SourceGitHub,
		Repository: repo.GetCloneURL(),
		HTMLURL:    repo.GetHTMLURL(),
		Ref:        ev.GetRef(),
		Before:     ev.GetBefore(),
		After:      ev.GetAfter(),
		Created:    ev.GetCreated(),
		Deleted:    ev.GetDeleted(),
		Forced:     ev.GetForced(),
		Pusher:     ev.GetPusher().GetName(),
		At:         now,
	}
	if t := repo.GetPushedAt(); !t.IsZero() {
		p.At = t.Time
	}
	err := check(p, fields{repository: "repository.clone_url", ref: "ref", before: "before", after: "after"})
	return p, err
}
