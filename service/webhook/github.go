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
// push events, and secret_scanning_alert events when Options.OnAlert is set (content type
// application/json or application/x-www-form-urlencoded).
//
// A delivery must carry X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the raw body
// keyed with secret, compared in constant time. The SHA-1 X-Hub-Signature alone is refused,
// and so is an empty secret (ErrNoCredential): go-github's ValidatePayload would accept
// unsigned requests then. X-GitHub-Event selects the event (ping answered, push handed over,
// secret_scanning_alert created, reopened or resolved handed over, others ignored) and X-GitHub-Delivery, which a redelivery repeats, is the delivery id.
//
// Docs: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries,
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#push and
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#secret_scanning_alert
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
	case "push", "secret_scanning_alert":
	default:
		d.kind = kindOther
		return d, nil
	}
	payload, err := githubPayload(r.Header.Get("Content-Type"), body)
	if err != nil {
		return d, err
	}
	if d.event == "secret_scanning_alert" {
		a, ok, err := parseGitHubAlert(payload)
		if err != nil || !ok {
			d.kind = kindOther
			return d, err
		}
		a.DeliveryID = d.id
		d.kind, d.alert = kindAlert, a
		return d, nil
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

// githubAlertEvent is the part of a secret_scanning_alert payload patrol reads
// (https://docs.github.com/webhooks/webhook-events-and-payloads#secret_scanning_alert). It
// has no field for a secret: GitHub's payload carries none, and should one appear it is not
// decoded.
type githubAlertEvent struct {
	Action string `json:"action"`
	Alert  *struct {
		Number     int64   `json:"number"`
		SecretType string  `json:"secret_type"`
		Resolution *string `json:"resolution"`
		ResolvedBy *struct {
			Login string `json:"login"`
		} `json:"resolved_by"`
	} `json:"alert"`
	Repository *struct {
		FullName string `json:"full_name"`
		HTMLURL  string `json:"html_url"`
		CloneURL string `json:"clone_url"`
	} `json:"repository"`
	Sender *struct {
		Login string `json:"login"`
	} `json:"sender"`
}

// parseGitHubAlert reads a secret_scanning_alert payload; false (and no error) for an action
// patrol does not act on.
func parseGitHubAlert(payload []byte) (Alert, bool, error) {
	var ev githubAlertEvent
	if err := decodeJSON(payload, &ev); err != nil {
		return Alert{}, false, err
	}
	switch ev.Action {
	case AlertCreated, AlertReopened, AlertResolved:
	case "":
		return Alert{}, false, fmt.Errorf("%w: no action", errPayload)
	default:
		return Alert{}, false, nil
	}
	switch {
	case ev.Alert == nil:
		return Alert{}, false, fmt.Errorf("%w: no alert", errPayload)
	case ev.Alert.Number <= 0:
		return Alert{}, false, fmt.Errorf("%w: no alert.number", errPayload)
	case ev.Repository == nil || ev.Repository.CloneURL == "":
		return Alert{}, false, fmt.Errorf("%w: no repository.clone_url", errPayload)
	case !strings.Contains(ev.Repository.FullName, "/"):
		return Alert{}, false, fmt.Errorf("%w: no repository.full_name", errPayload)
	}
	if u, err := url.Parse(ev.Repository.CloneURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Alert{}, false, fmt.Errorf("%w: repository.clone_url is not an http(s) URL", errPayload)
	}
	a := Alert{Source: SourceGitHub, Action: ev.Action, Repository: ev.Repository.CloneURL, HTMLURL: ev.Repository.HTMLURL,
		FullName: ev.Repository.FullName, Number: ev.Alert.Number, SecretType: ev.Alert.SecretType}
	if ev.Action == AlertResolved {
		if ev.Alert.Resolution != nil {
			a.Resolution = *ev.Alert.Resolution
		}
		switch {
		case ev.Alert.ResolvedBy != nil && ev.Alert.ResolvedBy.Login != "":
			a.ResolvedBy = ev.Alert.ResolvedBy.Login
		case ev.Sender != nil:
			a.ResolvedBy = ev.Sender.Login
		}
	}
	return a, true, nil
}
