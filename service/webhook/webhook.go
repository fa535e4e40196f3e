package webhook

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Sources: the hosts a handler exists for, as they appear in [Push.Source], in the delivery
// ids given to [Dedup] and in the count.
const (
	SourceGitHub      = "github"
	SourceGitLab      = "gitlab"
	SourceAzureDevOps = "azuredevops"
)

// Sources returns every source, the closed set of the count's source label.
func Sources() []string { return []string{SourceGitHub, SourceGitLab, SourceAzureDevOps} }

// Outcomes of one delivery, each counted once per delivery, with the HTTP status it gets.
const (
	// OutcomeAccepted: the Receiver took at least one push of the delivery, or the
	// AlertReceiver its alert (202).
	OutcomeAccepted = "accepted"
	// OutcomeIgnored: an authenticated push for a repository patrol does not watch (202, so
	// the host does not retry and the answer does not tell which repositories are watched).
	OutcomeIgnored = "ignored"
	// OutcomeDuplicate: a delivery id seen before (a redelivery); nothing is handed over (200).
	OutcomeDuplicate = "duplicate"
	// OutcomePing: GitHub's ping, sent when a webhook is created (200).
	OutcomePing = "ping"
	// OutcomeUnsupported: an authenticated event that is neither a push nor an alert event
	// patrol acts on (204).
	OutcomeUnsupported = "unsupported_event"
	// OutcomeUnauthorized: a missing or wrong signature, token or Basic credential (401).
	OutcomeUnauthorized = "unauthorized"
	// OutcomeBadRequest: a method other than POST (405), or a payload that is malformed or
	// lacks what patrol needs, such as the delivery id (400).
	OutcomeBadRequest = "bad_request"
	// OutcomeTooLarge: a body over MaxBodyBytes (413).
	OutcomeTooLarge = "too_large"
	// OutcomeError: Dedup or the Receiver failed; the host may retry (503).
	OutcomeError = "error"
)

// Outcomes returns every outcome, the closed set of the count's outcome label.
func Outcomes() []string {
	return []string{OutcomeAccepted, OutcomeIgnored, OutcomeDuplicate, OutcomePing, OutcomeUnsupported,
		OutcomeUnauthorized, OutcomeBadRequest, OutcomeTooLarge, OutcomeError}
}

// MaxBodyBytes caps a request body: GitHub does not deliver payloads over 25 MB, and nothing
// larger is read into memory.
const MaxBodyBytes = 25 << 20

// maxDeliveryID bounds the delivery ids handed to Dedup (GUIDs are 36 bytes).
const maxDeliveryID = 256

// Push is one updated ref of one repository, as a host announced it.
type Push struct {
	// Source is SourceGitHub, SourceGitLab or SourceAzureDevOps.
	Source string
	// DeliveryID identifies the delivery that announced the push; an Azure DevOps delivery
	// that updates several refs hands over several pushes with the same id.
	DeliveryID string
	// Repository is the HTTP(S) clone URL as the host names it (GitHub clone_url, GitLab
	// git_http_url, Azure DevOps remoteUrl). It comes from the payload: match it against the
	// configured repositories, never clone it.
	Repository string
	// HTMLURL is the repository's web page (for Azure DevOps, remoteUrl without user info).
	HTMLURL string
	// Ref is the full ref name, refs/heads/… or refs/tags/….
	Ref string
	// Before and After are the ref's object ids before and after the push; all zeros when
	// the ref was created (Before) or deleted (After).
	Before, After string
	// Created and Deleted report a new or removed ref.
	Created, Deleted bool
	// Forced reports a force push. Only GitHub says so; elsewhere it is false and the scan
	// finds out from the mirror.
	Forced bool
	// Pusher names who pushed, as the host gives it (a login or a display name); for people,
	// never a metric label.
	Pusher string
	// At is when the host recorded the push (GitHub repository.pushed_at, Azure DevOps
	// resource.date), or when the delivery arrived when the payload does not say (GitLab).
	At time.Time
}

// Alert is one secret_scanning_alert event of GitHub: an alert was created, reopened or
// resolved. It holds no secret (GitHub's payload has none): a receiver that needs the token
// fetches the alert, from a configured target, by its repository and number.
type Alert struct {
	// Source is SourceGitHub; DeliveryID the delivery that announced the event.
	Source, DeliveryID string
	// Action is AlertCreated, AlertReopened or AlertResolved.
	Action string
	// Repository is the repository's https clone URL (clone_url), HTMLURL its web page and
	// FullName its owner/name. They come from the payload: match them against the
	// configured targets, never fetch from them.
	Repository, HTMLURL, FullName string
	// Number is the alert's number in its repository.
	Number int64
	// SecretType is GitHub's name of the kind of secret.
	SecretType string
	// Resolution and ResolvedBy say how and by whom a resolved alert was resolved (the
	// alert's resolved_by, else the delivery's sender); a login, never a metric label.
	Resolution, ResolvedBy string
}

// Actions of a secret_scanning_alert event that a handler hands over; the others
// (validated, publicly_leaked, assigned, …) are answered as unsupported.
const (
	AlertCreated  = "created"
	AlertReopened = "reopened"
	AlertResolved = "resolved"
)

// AlertReceiver takes one authenticated alert event, like a Receiver takes a push: it
// decides whether the alert is of a target patrol reads alerts of (accepted false: answered
// and ignored) and, if so, queues the work and returns at once. An error makes the handler
// answer 503.
type AlertReceiver func(ctx context.Context, a Alert) (accepted bool, err error)

// Receiver takes one authenticated push. It decides whether the repository is one patrol
// watches (accepted false: the push is answered and ignored) and, if so, queues the work and
// returns at once: hosts give up after about 10 seconds. An error makes the handler answer 503.
type Receiver func(ctx context.Context, p Push) (accepted bool, err error)

// Dedup records a delivery id of a source and reports whether it is new; a redelivery
// returns false. store.Store's RecordDelivery, with its time argument bound, is one.
type Dedup func(ctx context.Context, source, id string) (isNew bool, err error)

// Options are what every handler needs besides its credential.
type Options struct {
	// OnPush receives every authenticated push of a new delivery. Required.
	OnPush Receiver
	// OnAlert receives every authenticated secret_scanning_alert event of a new delivery
	// (GitHub only); nil answers them as unsupported events.
	OnAlert AlertReceiver
	// Dedup is asked once per push or alert delivery, before OnPush or OnAlert. Required.
	//
	// A delivery is recorded before its pushes are handed over: if OnPush then fails, the
	// handler answers 503 but a retry of that delivery is a duplicate, and the service's
	// scheduled sweep is what catches the push up.
	Dedup Dedup
	// Log receives one line per delivery; nil discards. Lines carry the source, delivery id,
	// event, repository and ref, never a credential or the body.
	Log *slog.Logger
	// Count is called once per request with its source and outcome (one of Outcomes); nil
	// counts nothing. metrics.Metrics.WebhookDelivery is one.
	Count func(source, outcome string)
	// Now stamps pushes whose payload carries no time; nil means time.Now.
	Now func() time.Time
}

// kind is what a delivery announces.
type kind int

const (
	kindPush kind = iota
	kindPing
	kindOther
	kindAlert
)

// delivery is one parsed, authenticated request.
type delivery struct {
	kind   kind
	event  string // the host's event name, for the log
	id     string
	pushes []Push
	alert  Alert // kindAlert
}

// source is what differs between hosts.
type source struct {
	name string
	// headerAuth checks what the headers carry, before the body is read.
	headerAuth func(r *http.Request) bool
	// bodyAuth checks a signature over the raw body; nil when the headers are the credential.
	bodyAuth func(r *http.Request, body []byte) bool
	// challenge is the WWW-Authenticate value of a 401, if the scheme has one.
	challenge string
	// parse reads the event from an authenticated request.
	parse func(r *http.Request, body []byte, now time.Time) (delivery, error)
}

type handler struct {
	src source
	o   Options
	log *slog.Logger
}

func newHandler(src source, o Options) (http.Handler, error) {
	if o.OnPush == nil || o.Dedup == nil {
		return nil, fmt.Errorf("%s webhook: %w: OnPush and Dedup are required", src.name, ErrBadOptions)
	}
	if o.Count == nil {
		o.Count = func(string, string) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &handler{src: src, o: o, log: log.With("source", src.name)}, nil
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	outcome, status, msg := h.serve(w, r)
	h.o.Count(h.src.name, outcome)
	switch {
	case status == http.StatusNoContent:
		w.WriteHeader(status)
	case status >= 400:
		http.Error(w, msg, status)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, msg+"\n")
	}
}

// serve handles one request and says how to count and answer it.
func (h *handler) serve(w http.ResponseWriter, r *http.Request) (outcome string, status int, msg string) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return OutcomeBadRequest, http.StatusMethodNotAllowed, "only POST is accepted"
	}
	if !h.src.headerAuth(r) {
		return h.unauthorized(ctx, w, r)
	}
	// A declared length over the cap is refused unread; a chunked body is cut at the cap.
	if r.ContentLength > MaxBodyBytes {
		return h.tooLarge(ctx)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return h.tooLarge(ctx)
		}
		h.log.WarnContext(ctx, "read webhook body", "err", err)
		return OutcomeBadRequest, http.StatusBadRequest, "unreadable body"
	}
	if h.src.bodyAuth != nil && !h.src.bodyAuth(r, body) {
		return h.unauthorized(ctx, w, r)
	}

	d, err := h.src.parse(r, body, h.o.Now())
	if err == nil && d.kind == kindAlert && h.o.OnAlert == nil {
		d.kind = kindOther // patrol reads no alerts of this host
	}
	if err == nil && (d.kind == kindPush || d.kind == kindAlert) {
		err = checkDeliveryID(d.id)
	}
	if err != nil {
		h.log.WarnContext(ctx, "bad webhook delivery", "delivery", d.id, "event", d.event, "err", err)
		return OutcomeBadRequest, http.StatusBadRequest, err.Error()
	}
	log := h.log.With("delivery", d.id, "event", d.event)
	switch d.kind {
	case kindPing:
		log.InfoContext(ctx, "webhook ping")
		return OutcomePing, http.StatusOK, "pong"
	case kindOther:
		log.DebugContext(ctx, "webhook event ignored: not a push")
		return OutcomeUnsupported, http.StatusNoContent, ""
	}

	isNew, err := h.o.Dedup(ctx, h.src.name, d.id)
	if err != nil {
		log.ErrorContext(ctx, "record webhook delivery", "err", err)
		return OutcomeError, http.StatusServiceUnavailable, "cannot record the delivery now"
	}
	if !isNew {
		log.InfoContext(ctx, "webhook redelivery ignored")
		return OutcomeDuplicate, http.StatusOK, "duplicate delivery"
	}
	if d.kind == kindAlert {
		return h.handOverAlert(ctx, log, d.alert)
	}
	accepted := false
	for _, p := range d.pushes {
		plog := log.With("repo", redactURL(p.Repository), "ref", p.Ref)
		ok, err := h.o.OnPush(ctx, p)
		if err != nil {
			// The delivery is recorded: a retry of it is a duplicate, so the sweep must catch
			// this push up. Say so.
			plog.ErrorContext(ctx, "hand over webhook push; the next sweep covers it", "err", err)
			return OutcomeError, http.StatusServiceUnavailable, "cannot take the push now"
		}
		if ok {
			plog.InfoContext(ctx, "webhook push accepted", "after", p.After, "deleted", p.Deleted)
		} else {
			plog.InfoContext(ctx, "webhook push ignored: repository not configured")
		}
		accepted = accepted || ok
	}
	if !accepted {
		return OutcomeIgnored, http.StatusAccepted, "ignored"
	}
	return OutcomeAccepted, http.StatusAccepted, "accepted"
}

// handOverAlert gives an alert event of a new delivery to OnAlert.
func (h *handler) handOverAlert(ctx context.Context, log *slog.Logger, a Alert) (string, int, string) {
	alog := log.With("repo", redactURL(a.Repository), "alert", a.Number, "action", a.Action)
	ok, err := h.o.OnAlert(ctx, a)
	switch {
	case err != nil:
		// As for a push: the delivery is recorded, and the periodic poll of open alerts
		// catches up.
		alog.ErrorContext(ctx, "hand over webhook alert; the next poll of open alerts covers it", "err", err)
		return OutcomeError, http.StatusServiceUnavailable, "cannot take the alert now"
	case !ok:
		alog.InfoContext(ctx, "webhook alert ignored: no target reads this repository's alerts")
		return OutcomeIgnored, http.StatusAccepted, "ignored"
	}
	alog.InfoContext(ctx, "webhook alert accepted")
	return OutcomeAccepted, http.StatusAccepted, "accepted"
}

func (h *handler) tooLarge(ctx context.Context) (string, int, string) {
	h.log.WarnContext(ctx, "webhook body too large", "limit_bytes", MaxBodyBytes)
	return OutcomeTooLarge, http.StatusRequestEntityTooLarge, "body over the size limit"
}

func (h *handler) unauthorized(ctx context.Context, w http.ResponseWriter, r *http.Request) (string, int, string) {
	h.log.WarnContext(ctx, "webhook delivery failed authentication", "remote", r.RemoteAddr)
	if h.src.challenge != "" {
		w.Header().Set("WWW-Authenticate", h.src.challenge)
	}
	return OutcomeUnauthorized, http.StatusUnauthorized, "unauthorized"
}

// checkDeliveryID refuses a push delivery that cannot be deduplicated.
func checkDeliveryID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: no delivery id", errPayload)
	case len(id) > maxDeliveryID:
		return fmt.Errorf("%w: delivery id longer than %d bytes", errPayload, maxDeliveryID)
	}
	for _, c := range []byte(id) {
		if c <= ' ' || c >= 0x7f {
			return fmt.Errorf("%w: delivery id is not printable ASCII", errPayload)
		}
	}
	return nil
}

// equal compares a credential in constant time, its length included: both sides are hashed
// first so that only equal-length digests are compared.
func equal(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// decodeJSON decodes a payload, with errors that name the field but never quote the body.
func decodeJSON(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Errorf("%w: malformed JSON at byte %d", errPayload, se.Offset)
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		return fmt.Errorf("%w: field %s has the wrong JSON type", errPayload, te.Field)
	}
	return fmt.Errorf("%w: malformed JSON", errPayload)
}

// fields names, in a source's own words, the payload fields a Push is read from.
type fields struct {
	repository, ref, before, after string
}

// check validates what every Push must hold before it is handed over. Errors name the field,
// never its value.
func check(p Push, f fields) error {
	if !strings.HasPrefix(p.Ref, "refs/") || strings.ContainsAny(p.Ref, " \t\r\n\x00") {
		return fmt.Errorf("%w: %s is not a full ref name (refs/…)", errPayload, f.ref)
	}
	if !isObjectID(p.Before) {
		return fmt.Errorf("%w: %s is not an object id", errPayload, f.before)
	}
	if !isObjectID(p.After) {
		return fmt.Errorf("%w: %s is not an object id", errPayload, f.after)
	}
	if p.Repository == "" {
		return fmt.Errorf("%w: no %s", errPayload, f.repository)
	}
	u, err := url.Parse(p.Repository)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: %s is not an http(s) URL", errPayload, f.repository)
	}
	return nil
}

// isObjectID reports whether s is a SHA-1 or SHA-256 object id in lowercase hex.
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isZeroID reports whether s is the all-zeros id git uses for "no object".
func isZeroID(s string) bool {
	return s != "" && strings.Trim(s, "0") == ""
}

// redactURL drops user info (a password, or an Azure DevOps organization) from a URL for the
// log.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}
