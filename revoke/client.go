package revoke

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/patrolsec/patrol/internal/httpx"
)

// MaxBody is the most of a response body a Client reads; a longer body is an error.
const MaxBody = 1 << 20

// Client defaults, used where ClientOptions leaves a field zero.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 500 * time.Millisecond
	DefaultMaxDelay    = 30 * time.Second
	DefaultMaxWait     = 2 * time.Minute
)

// ClientOptions configure a Client. The zero value of every field has a useful default.
type ClientOptions struct {
	// Provider names the provider in errors and logs.
	Provider string
	// Version goes into the User-Agent "patrol/<version>"; empty means "dev".
	Version string
	// Transport sends the requests; nil means a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Limiter paces every attempt to this provider; nil means no pacing.
	Limiter *rate.Limiter
	// Timeout bounds one attempt, from sending to the last body byte (DefaultTimeout).
	Timeout time.Duration
	// MaxAttempts is how many times a request is sent at most (DefaultMaxAttempts).
	MaxAttempts int
	// BaseDelay and MaxDelay shape the exponential backoff between attempts when the
	// provider gives no Retry-After (DefaultBaseDelay, DefaultMaxDelay).
	BaseDelay, MaxDelay time.Duration
	// MaxWait is the longest wait the client accepts from Retry-After or a rate-limit reset;
	// past it the call fails at once with ErrRateLimited and APIError.RetryAfter set
	// (DefaultMaxWait).
	MaxWait time.Duration
	// Logger receives debug lines about retries; nil discards.
	Logger *slog.Logger
	// Now and Sleep are the clock; tests inject them. Sleep must return ctx.Err() when ctx
	// ends first.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0,1); nil means math/rand/v2.
	Jitter func() float64
}

// Client is the HTTP discipline shared by the providers. It is safe for concurrent use.
type Client struct {
	o    ClientOptions
	ua   string
	http *http.Client

	mu        sync.Mutex
	notBefore map[string]time.Time // rate key → exhausted-limit reset announced by the provider
}

// NewClient returns a Client with o's zero fields set to their defaults.
func NewClient(o ClientOptions) *Client {
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = DefaultBaseDelay
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = DefaultMaxDelay
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = httpx.Sleep
	}
	if o.Jitter == nil {
		o.Jitter = rand.Float64
	}
	return &Client{
		o:         o,
		notBefore: map[string]time.Time{},
		ua:        "patrol/" + o.Version,
		http: &http.Client{
			Transport: o.Transport,
			// A redirect is an answer (Azure DevOps sends a sign-in page for a bad PAT without
			// X-TFS-FedAuthRedirect), and following it would carry the token elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Now returns the client's clock reading.
func (c *Client) Now() time.Time { return c.o.Now() }

// Logger returns the client's logger.
func (c *Client) Logger() *slog.Logger { return c.o.Logger }

// UserAgent returns "patrol/<version>".
func (c *Client) UserAgent() string { return c.ua }

// Request is one API call.
type Request struct {
	// Op names the call in errors and logs by its documented template, never the real URL:
	// "GET /_apis/connectionData".
	Op     string
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Limiter, when set, paces this call instead of the client's limiter (GitHub's
	// 60-an-hour revoke budget).
	Limiter *rate.Limiter
	// MaxAttempts, when positive, overrides the client's.
	MaxAttempts int
	// RateKey names the budget an exhausted X-RateLimit-Remaining applies to, so that later
	// calls on the same budget wait for the reset. Empty means one budget per credential (a
	// hash of the Authorization or PRIVATE-TOKEN header), or the unauthenticated budget.
	RateKey string
}

// Response is a fully read answer.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Do sends r, retrying transport errors, timeouts, 429, 5xx and rate-limited 403s with
// backoff, honouring Retry-After and X-RateLimit-Reset. It returns the last response, and an
// *APIError when no response came or its status is not 2xx.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	attempts := c.o.MaxAttempts
	if r.MaxAttempts > 0 {
		attempts = r.MaxAttempts
	}
	lim := c.o.Limiter
	if r.Limiter != nil {
		lim = r.Limiter
	}
	for attempt := 1; ; attempt++ {
		if err := c.waitTurn(ctx, r, lim); err != nil {
			return nil, err
		}
		resp, err := c.once(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				return nil, c.fail(r, nil, ctx.Err())
			}
			if attempt >= attempts {
				return nil, err
			}
			if err := c.backoff(ctx, r, attempt, 0, err); err != nil {
				return nil, err
			}
			continue
		}
		wait := c.serverWait(resp.Header)
		c.noteReset(r, resp.Header)
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			return resp, nil
		}
		apiErr := c.fail(r, resp, nil)
		apiErr.RetryAfter = wait
		if !retryable(resp, wait) || attempt >= attempts {
			return resp, apiErr
		}
		if wait > c.o.MaxWait {
			return resp, apiErr
		}
		if err := c.backoff(ctx, r, attempt, wait, apiErr); err != nil {
			return resp, apiErr
		}
	}
}

func retryable(resp *Response, wait time.Duration) bool {
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests, s >= 500 && s <= 599:
		return true
	case s == http.StatusForbidden:
		// GitHub's primary and secondary rate limits answer 403 with X-RateLimit-Remaining: 0
		// or Retry-After. A plain 403 is an answer and is not retried.
		return wait > 0
	}
	return false
}

// waitTurn honours a rate-limit reset announced earlier and the limiter.
func (c *Client) waitTurn(ctx context.Context, r *Request, lim *rate.Limiter) error {
	c.mu.Lock()
	nb := c.notBefore[rateKey(r)]
	c.mu.Unlock()
	if d := nb.Sub(c.o.Now()); d > 0 {
		if d > c.o.MaxWait {
			return &APIError{Provider: c.o.Provider, Op: r.Op, Kind: ErrRateLimited, RetryAfter: d}
		}
		if err := c.o.Sleep(ctx, d); err != nil {
			return c.fail(r, nil, err)
		}
	}
	if lim == nil {
		return nil
	}
	now := c.o.Now()
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return &APIError{Provider: c.o.Provider, Op: r.Op, Kind: ErrRateLimited}
	}
	if d := res.DelayFrom(now); d > 0 {
		if d > c.o.MaxWait {
			res.CancelAt(now)
			return &APIError{Provider: c.o.Provider, Op: r.Op, Kind: ErrRateLimited, RetryAfter: d}
		}
		c.o.Logger.DebugContext(ctx, "waiting for rate limiter", "provider", c.o.Provider, "op", r.Op, "wait", d)
		if err := c.o.Sleep(ctx, d); err != nil {
			res.CancelAt(now)
			return c.fail(r, nil, err)
		}
	}
	return nil
}

// once sends one attempt under the per-call timeout and reads the body.
func (c *Client) once(ctx context.Context, r *Request) (*Response, error) {
	actx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(actx, r.Method, r.URL, body)
	if err != nil {
		// NewRequest errors quote the URL; say only what kind of problem it was.
		return nil, c.fail(r, nil, errors.New("malformed request URL"))
	}
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.fail(r, nil, c.cause(actx, err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, c.fail(r, nil, c.cause(actx, err))
	}
	if len(b) > MaxBody {
		return nil, c.fail(r, nil, fmt.Errorf("response body over %d bytes", MaxBody))
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// cause strips the URL that net/http puts in its errors (npm carries the token in the path)
// and names a per-call timeout as such.
func (c *Client) cause(actx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s: %w", c.o.Timeout, context.DeadlineExceeded)
	}
	return err
}

func (c *Client) fail(r *Request, resp *Response, err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	e := &APIError{Provider: c.o.Provider, Op: r.Op, Err: err}
	if resp != nil {
		e.StatusCode = resp.StatusCode
	}
	return e
}

// backoff sleeps before the next attempt: the server's wait when it gave one, else
// exponential backoff with jitter.
func (c *Client) backoff(ctx context.Context, r *Request, attempt int, wait time.Duration, cause error) error {
	d := wait
	if d <= 0 {
		d = c.o.BaseDelay << (attempt - 1)
		if d > c.o.MaxDelay || d <= 0 {
			d = c.o.MaxDelay
		}
		d = d/2 + time.Duration(c.o.Jitter()*float64(d/2))
	}
	c.o.Logger.DebugContext(ctx, "retrying provider call",
		"provider", c.o.Provider, "op", r.Op, "attempt", attempt, "wait", d, "err", cause.Error())
	if err := c.o.Sleep(ctx, d); err != nil {
		return c.fail(r, nil, err)
	}
	return nil
}

// RetryAfter is how long the answer with header h asks to wait before the next call: see
// serverWait. Libraries that read responses themselves (go-github) use it.
func (c *Client) RetryAfter(h http.Header) time.Duration { return c.serverWait(h) }

// Pace waits for a turn on lim (and any reset announced for unauthenticated calls) on the
// client's clock. It
// returns an ErrRateLimited *APIError when the wait would exceed MaxWait.
func (c *Client) Pace(ctx context.Context, op string, lim *rate.Limiter) error {
	return c.waitTurn(ctx, &Request{Op: op, RateKey: "anonymous"}, lim)
}

// serverWait is how long the provider asked to wait: Retry-After, else the reset of an
// exhausted rate limit (X-RateLimit-* on GitHub and Azure DevOps, RateLimit-* on GitLab).
func (c *Client) serverWait(h http.Header) time.Duration {
	now := c.o.Now()
	if d, ok := httpx.RetryAfter(h.Get("Retry-After"), now); ok {
		return d
	}
	for _, p := range []string{"X-RateLimit-", "RateLimit-"} {
		if h.Get(p+"Remaining") != "0" {
			continue
		}
		if t, ok := httpx.ResetEpoch(h.Get(p + "Reset")); ok && t.After(now) {
			return t.Sub(now)
		}
	}
	return 0
}

// noteReset remembers an exhausted rate limit so that the next call on the same budget waits
// for its reset.
func (c *Client) noteReset(r *Request, h http.Header) {
	for _, p := range []string{"X-RateLimit-", "RateLimit-"} {
		if h.Get(p+"Remaining") != "0" {
			continue
		}
		t, ok := httpx.ResetEpoch(h.Get(p + "Reset"))
		if !ok {
			continue
		}
		now := c.o.Now()
		c.mu.Lock()
		for k, v := range c.notBefore {
			if !v.After(now) {
				delete(c.notBefore, k)
			}
		}
		if k := rateKey(r); t.After(c.notBefore[k]) {
			c.notBefore[k] = t
		}
		c.mu.Unlock()
		return
	}
}

// rateKey is r.RateKey, else a hash of the credential the request carries (never the
// credential itself), else "anonymous".
func rateKey(r *Request) string {
	if r.RateKey != "" {
		return r.RateKey
	}
	cred := r.Header.Get("Authorization") + "\x00" + r.Header.Get("PRIVATE-TOKEN")
	if cred == "\x00" {
		return "anonymous"
	}
	sum := sha256.Sum256([]byte(cred))
	return hex.EncodeToString(sum[:8])
}

// HTTPClient returns an *http.Client that sends through c (limiter, retries, timeouts,
// User-Agent) for libraries such as go-github. Non-2xx answers are returned as responses, for
// the library to interpret; transport failures come back as *APIError inside *url.Error.
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{
		Transport:     roundTripper{c},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type roundTripper struct{ c *Client }

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	r := &Request{
		Op:     req.Method + " " + req.URL.Path,
		Method: req.Method,
		URL:    req.URL.String(),
		Header: req.Header,
		Body:   body,
	}
	resp, err := rt.c.Do(req.Context(), r)
	if resp == nil {
		return nil, err
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode)),
		StatusCode:    resp.StatusCode,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        resp.Header,
		Body:          io.NopCloser(bytes.NewReader(resp.Body)),
		ContentLength: int64(len(resp.Body)),
		Request:       req,
	}, nil
}
