package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/patrolsec/patrol/internal/httpx"
)

// DefaultWebhookTimeout bounds one webhook call when NewWebhook is given no client.
const DefaultWebhookTimeout = 15 * time.Second

// Webhook posts leak summaries to a chat's incoming webhook as {"text": "..."}, the shape
// Slack, Microsoft Teams (incoming webhooks and Workflows) and Mattermost accept. Its URL is
// a secret and never appears in an error. Webhook is safe for concurrent use.
type Webhook struct {
	url    string
	client *http.Client
	now    func() time.Time
}

// NewWebhook returns a Webhook for cfg. client nil means a client with DefaultWebhookTimeout;
// a given client is copied and set not to follow redirects (a webhook that moves is a
// configuration problem, and following it would repeat a POST elsewhere). Options: WithClock.
func NewWebhook(cfg WebhookConfig, client *http.Client, opts ...Option) (*Webhook, error) {
	if err := (Config{Webhook: &cfg}).Validate(); err != nil {
		return nil, err
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	var c http.Client
	if client != nil {
		c = *client
	} else {
		c.Timeout = DefaultWebhookTimeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Webhook{url: cfg.URL, client: &c, now: o.now}, nil
}

// Post sends WebhookText(l). A 2xx answer is success. 408, 429, 5xx and transport failures
// (refused, timeout, TLS) are ErrTemporary, with RetryAfter from the Retry-After header; any
// other answer (400, 403, 404, 410, a redirect) is ErrPermanent with the status and the start
// of the body as Reason (Slack says "invalid_token", "channel_is_archived").
func (w *Webhook) Post(ctx context.Context, l Leak) error {
	body, err := json.Marshal(struct {
		Text string `json:"text"`
	}{WebhookText(l)})
	if err != nil {
		return &DeliveryError{Channel: "webhook", Op: "post", Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		// Only a malformed URL gets here, and NewWebhook validated it; the error would quote it.
		return &DeliveryError{Channel: "webhook", Op: "post", Reason: "cannot build the request"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "patrol")
	resp, err := w.client.Do(req)
	if err != nil {
		return &DeliveryError{Channel: "webhook", Op: "post", Temporary: true, Err: w.transportError(ctx, err)}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := &DeliveryError{Channel: "webhook", Op: "post", Code: resp.StatusCode,
		Reason: w.scrub(bodyReason(resp.StatusCode, head))}
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests,
		resp.StatusCode >= 500:
		e.Temporary = true
		if d, ok := httpx.RetryAfter(resp.Header.Get("Retry-After"), w.now()); ok {
			e.RetryAfter = d
		}
	}
	return e
}

// transportError returns err without the request URL (*url.Error quotes it), or the
// context's error when the context ended.
func (w *Webhook) transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return scrubbedError{text: w.scrub(err.Error()), err: err}
}

// scrub removes the URL and its secret parts from s, should a server or a transport error
// echo them.
func (w *Webhook) scrub(s string) string {
	s = strings.ReplaceAll(s, w.url, "webhook")
	if u, err := url.Parse(w.url); err == nil {
		for _, part := range []string{u.EscapedPath(), u.Path, u.RawQuery, u.User.String()} {
			if len(part) > 1 {
				s = strings.ReplaceAll(s, part, "[redacted]")
			}
		}
	}
	return s
}

// scrubbedError shows text instead of err's own message but keeps err for errors.Is.
type scrubbedError struct {
	text string
	err  error
}

func (e scrubbedError) Error() string { return e.text }
func (e scrubbedError) Unwrap() error { return e.err }

// bodyReason returns the status text and the first line of a short, printable body.
func bodyReason(status int, body []byte) string {
	reason := http.StatusText(status)
	line, _, _ := strings.Cut(string(body), "\n")
	line = strings.TrimSpace(line)
	if line == "" || !utf8.ValidString(line) || strings.ContainsFunc(line, isControl) ||
		strings.HasPrefix(line, "<") { // an HTML error page says nothing useful
		return reason
	}
	return reason + ": " + clip(line, 200)
}

// WebhookText is the chat message about l: one paragraph saying what leaked, where, what
// patrol did and who owns it. It never holds the raw secret, and it escapes &, < and > the
// way Slack requires, so a repository path cannot smuggle a <!channel> mention or a
// disguised link; the only link is the commit's, when it is an http(s) URL.
func WebhookText(l Leak) string {
	v, err := newView(l)
	if err != nil {
		l.ActionReason = "unrecognized action " + strconv.Quote(clip(clean(l.Action, 40), 40))
		l.Action = ActionUnknown
		v, _ = newView(l)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "patrol: leaked %s `%s` in %s", slack(v.Kind), code(v.Redacted), slack(v.Repository))
	var where []string
	if v.Path != "" {
		p := "`" + code(v.Path)
		if v.Line > 0 {
			p += ":" + strconv.Itoa(v.Line)
		}
		where = append(where, p+"`")
	}
	switch {
	case v.Commit != "" && v.CommitURL != "":
		where = append(where, "commit <"+link(v.CommitURL)+"|"+slack(v.ShortCommit)+">")
	case v.Commit != "":
		where = append(where, "commit "+slack(v.ShortCommit))
	case v.CommitURL != "":
		where = append(where, "<"+link(v.CommitURL)+">")
	}
	if len(where) > 0 {
		b.WriteString(" (" + strings.Join(where, ", ") + ")")
	}
	b.WriteString(": *" + slack(v.Status) + "*. " + slack(v.Did))
	owner := first(clean(l.OwnerName, 100), clean(l.OwnerEmail, 200))
	if name, mail := clean(l.OwnerName, 100), clean(l.OwnerEmail, 200); name != "" && mail != "" {
		owner = name + " (" + mail + ")"
	}
	switch {
	case owner != "" && l.ProbableOwner:
		b.WriteString(" Probable owner (commit author): " + slack(owner) + ".")
	case owner != "":
		b.WriteString(" Owner: " + slack(owner) + ".")
	default:
		b.WriteString(" Owner unknown.")
	}
	if v.Fingerprint != "" {
		b.WriteString(" Fingerprint `" + code(prefix(v.Fingerprint, 16)) + "`.")
	}
	return b.String()
}

// slack escapes the three characters Slack's mrkdwn gives meaning to.
func slack(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// link escapes a URL for a Slack <url|text> link.
func link(u string) string { return slack(strings.ReplaceAll(u, "|", "%7C")) }

// code escapes s for use inside a `code span`.
func code(s string) string { return slack(strings.ReplaceAll(s, "`", "'")) }
