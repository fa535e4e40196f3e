package targets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/patrolsec/patrol/internal/httpx"
)

const (
	// maxBody caps one answer: an Azure DevOps project's repository list has no paging, and a
	// project with thousands of repositories answers with megabytes.
	maxBody = 32 << 20
	// maxPages stops a host that keeps announcing a next page (a million repositories).
	maxPages = 10000
	// backoffBase and backoffMax shape the waits when a host gives none.
	backoffBase = time.Second
	backoffMax  = time.Minute
	// secondaryWait is GitHub's advice for a secondary rate limit without Retry-After: "wait
	// for at least one minute".
	secondaryWait = time.Minute
)

// errBodyTooLarge ends a read past maxBody; retrying would not shrink the answer.
var errBodyTooLarge = fmt.Errorf("%w: answer body over %d MiB", ErrUnexpected, maxBody>>20)

// client is the HTTP discipline of the listers: one http.Client that refuses redirects and
// insecure URLs and caps bodies, and the retry policy on the injected clock.
type client struct {
	o    Options
	http *http.Client
	ua   string
}

func newClient(o Options) *client {
	o = o.withDefaults()
	return &client{
		o:  o,
		ua: "patrol/" + o.Version,
		http: &http.Client{
			Transport: guard{o.Transport},
			// A redirect would carry the token to another URL; it is an answer, not a hop.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// guard refuses a request that could leak the token in plain text, and caps answer bodies.
type guard struct{ next http.RoundTripper }

func (g guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if !httpx.Secure(req.URL) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("%w: refusing to send a request to %s over plain http", ErrConfig, req.URL.Host)
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &capped{ReadCloser: resp.Body, left: maxBody}
	return resp, nil
}

// capped fails a read past its limit instead of truncating silently.
type capped struct {
	io.ReadCloser
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, err := c.ReadCloser.Read(one[:]); n > 0 {
			return 0, errBodyTooLarge
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.ReadCloser.Read(p)
	c.left -= int64(n)
	return n, err
}

// answer is a failed attempt that got an HTTP answer.
type answer struct {
	status int
	header http.Header
	// secondary: GitHub called it a secondary rate limit (by its documentation URL).
	secondary bool
}

func (a *answer) Error() string {
	return fmt.Sprintf("%d %s", a.status, http.StatusText(a.status))
}

// rateLimited reports whether the answer is a rate limit: 429, or a 403 that says so
// (X-RateLimit-Remaining: 0, Retry-After, or GitHub's secondary-limit documentation URL).
func (a *answer) rateLimited() bool {
	switch a.status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusForbidden:
		return a.secondary || a.header.Get("X-RateLimit-Remaining") == "0" || a.header.Get("Retry-After") != ""
	}
	return false
}

// run calls attempt (under the per-request timeout) until it succeeds, the failure is final,
// the attempts run out or ctx ends; it waits between attempts as the host asks, else with
// exponential backoff. The error it returns names target and op and wraps one of the
// package's sentinels; hint says what access the token needs.
func (c *client) run(ctx context.Context, target, op, hint string, attempt func(context.Context) error) error {
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, c.o.Timeout)
		err := attempt(actx)
		timedOut := actx.Err() != nil
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %s: %w", target, op, ctx.Err())
		}
		if a := (*answer)(nil); timedOut && !errors.As(err, &a) {
			err = fmt.Errorf("no answer within %s", c.o.Timeout)
		}
		wait, again := c.judge(err, n)
		if !again || n >= c.o.MaxAttempts {
			return describe(target, op, hint, err)
		}
		if wait > c.o.MaxWait {
			return fmt.Errorf("%s: %s: %s: %w: the host asks to wait %s, more than the %s allowed", target, op, err, ErrRateLimited, wait, c.o.MaxWait)
		}
		c.o.Logger.DebugContext(ctx, "retrying listing request", "target", target, "op", op, "attempt", n, "wait", wait, "err", cause(err).Error())
		if serr := c.o.Sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%s: %s: waiting to retry after %s: %w", target, op, cause(err), serr)
		}
	}
}

// judge says whether a failed attempt is worth another, and after how long.
func (c *client) judge(err error, n int) (time.Duration, bool) {
	back := backoffBase << (n - 1)
	if back > backoffMax || back <= 0 {
		back = backoffMax
	}
	var a *answer
	switch {
	case errors.As(err, &a):
		if !a.rateLimited() && (a.status < 500 || a.status > 599) {
			return 0, false
		}
		return max(c.serverWait(a), back), true
	case errors.Is(err, ErrUnexpected), errors.Is(err, ErrConfig):
		return 0, false
	}
	return back, true // no answer: connection refused, reset, per-request timeout
}

// serverWait is how long the answer asks to wait: Retry-After, else the reset of an exhausted
// rate limit, else a minute for a GitHub secondary limit, else 0.
func (c *client) serverWait(a *answer) time.Duration {
	now := c.o.Now()
	if d, ok := httpx.RetryAfter(a.header.Get("Retry-After"), now); ok {
		return d
	}
	if a.header.Get("X-RateLimit-Remaining") == "0" {
		if t, ok := httpx.ResetEpoch(a.header.Get("X-RateLimit-Reset")); ok {
			return max(t.Sub(now), 0)
		}
	}
	if a.secondary {
		return secondaryWait
	}
	return 0
}

// describe turns the last failure into the error List returns.
func describe(target, op, hint string, err error) error {
	var a *answer
	if !errors.As(err, &a) {
		if errors.Is(err, ErrUnexpected) || errors.Is(err, ErrConfig) {
			return fmt.Errorf("%s: %s: %w", target, op, err)
		}
		return fmt.Errorf("%s: %s: %w: %w", target, op, ErrUnavailable, cause(err))
	}
	switch {
	case a.rateLimited():
		return fmt.Errorf("%s: %s: %s: %w", target, op, a, ErrRateLimited)
	case a.status == http.StatusUnauthorized, a.status == http.StatusForbidden:
		return fmt.Errorf("%s: %s: %s: %w (%s)", target, op, a, ErrAccess, hint)
	case a.status == http.StatusNonAuthoritativeInfo:
		// Azure DevOps answers a refused PAT with a sign-in page when it may redirect.
		return fmt.Errorf("%s: %s: %s (a sign-in page): %w (%s)", target, op, a, ErrAccess, hint)
	case a.status == http.StatusNotFound:
		return fmt.Errorf("%s: %s: %s: %w", target, op, a, ErrNotFound)
	case a.status >= 500 && a.status <= 599:
		return fmt.Errorf("%s: %s: %s: %w", target, op, a, ErrUnavailable)
	case a.status >= 300 && a.status <= 399:
		return fmt.Errorf("%s: %s: %s to %s: %w: redirects are not followed; configure the final URL", target, op, a, redirectHost(a.header), ErrUnexpected)
	}
	return fmt.Errorf("%s: %s: %s: %w", target, op, a, ErrUnexpected)
}

func redirectHost(h http.Header) string {
	u, err := url.Parse(h.Get("Location"))
	if err != nil || u.Host == "" {
		return "another location"
	}
	return u.Host
}

// cause drops the URL that net/http puts in its errors (it carries page queries).
func cause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// getJSON sends GET rawURL with header h and hands a 200 answer's body to decode; any other
// status is an *answer. It retries under the policy (see run) and returns the answer's
// header.
func (c *client) getJSON(ctx context.Context, target, op, hint, rawURL string, h http.Header, decode func([]byte) error) (http.Header, error) {
	var got http.Header
	err := c.run(ctx, target, op, hint, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return fmt.Errorf("%w: malformed request URL", ErrConfig)
		}
		for k, vs := range h {
			req.Header[k] = vs
		}
		req.Header.Set("User-Agent", c.ua)
		req.Header.Set("Accept", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			return cause(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return &answer{status: resp.StatusCode, header: resp.Header}
		}
		if err != nil {
			return err
		}
		if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
			return fmt.Errorf("%w: content type %q, not JSON", ErrUnexpected, ct)
		}
		if err := decode(body); err != nil {
			return err
		}
		got = resp.Header
		return nil
	})
	return got, err
}
