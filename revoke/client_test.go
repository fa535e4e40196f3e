package revoke_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/patrolsec/patrol/internal/httpx"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/internal/revtest"
)

// script answers the n-th call (0-based) with steps[n], repeating the last step.
func script(steps ...http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1) - 1)
		if i >= len(steps) {
			i = len(steps) - 1
		}
		steps[i](w, r)
	}
}

func status(code int, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{}`))
	}
}

func TestClientDo(t *testing.T) {
	t.Parallel()
	httpDate := func(c *revtest.Clock, d time.Duration) string {
		return c.Now().Add(d).UTC().Format(http.TimeFormat)
	}
	tests := []struct {
		name       string
		steps      func(c *revtest.Clock) []http.HandlerFunc
		wantCalls  int
		wantIs     error // nil: success
		wantSleeps []time.Duration
		wantRetry  time.Duration
	}{
		{
			name:      "200",
			steps:     func(*revtest.Clock) []http.HandlerFunc { return []http.HandlerFunc{status(200)} },
			wantCalls: 1,
		},
		{
			name: "500 then 200 backs off exponentially",
			steps: func(*revtest.Clock) []http.HandlerFunc {
				return []http.HandlerFunc{status(500), status(502), status(200)}
			},
			wantCalls:  3,
			wantSleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond}, // jitter 0: d/2
		},
		{
			name:      "500 until attempts run out",
			steps:     func(*revtest.Clock) []http.HandlerFunc { return []http.HandlerFunc{status(500)} },
			wantCalls: 3, wantIs: revoke.ErrServer,
			wantSleeps: []time.Duration{250 * time.Millisecond, 500 * time.Millisecond},
		},
		{
			name: "429 Retry-After seconds",
			steps: func(*revtest.Clock) []http.HandlerFunc {
				return []http.HandlerFunc{status(429, "Retry-After", "7"), status(200)}
			},
			wantCalls: 2, wantSleeps: []time.Duration{7 * time.Second},
		},
		{
			name: "429 Retry-After HTTP-date",
			steps: func(c *revtest.Clock) []http.HandlerFunc {
				return []http.HandlerFunc{status(429, "Retry-After", httpDate(c, 90*time.Second)), status(200)}
			},
			wantCalls: 2, wantSleeps: []time.Duration{90 * time.Second},
		},
		{
			name: "429 asks longer than MaxWait",
			steps: func(*revtest.Clock) []http.HandlerFunc {
				return []http.HandlerFunc{status(429, "Retry-After", "3600")}
			},
			wantCalls: 1, wantIs: revoke.ErrRateLimited, wantRetry: time.Hour,
		},
		{
			name: "429 Retry-After fraction",
			steps: func(*revtest.Clock) []http.HandlerFunc {
				return []http.HandlerFunc{status(429, "Retry-After", "1.5"), status(200)}
			},
			wantCalls: 2, wantSleeps: []time.Duration{1500 * time.Millisecond},
		},
		{
			name: "429 Retry-After beyond the cap",
			steps: func(*revtest.Clock) []http.HandlerFunc {
				return []http.HandlerFunc{status(429, "Retry-After", "99999999999999999999")}
			},
			wantCalls: 1, wantIs: revoke.ErrRateLimited, wantRetry: httpx.MaxRetryAfter,
		},
		{
			name: "403 with exhausted rate limit waits for reset",
			steps: func(c *revtest.Clock) []http.HandlerFunc {
				reset := c.Now().Add(30 * time.Second).Unix()
				return []http.HandlerFunc{
					status(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", itoa(reset)),
					status(200),
				}
			},
			wantCalls: 2, wantSleeps: []time.Duration{30 * time.Second},
		},
		{
			name:      "plain 403 is an answer",
			steps:     func(*revtest.Clock) []http.HandlerFunc { return []http.HandlerFunc{status(403)} },
			wantCalls: 1, wantIs: revoke.ErrForbidden,
		},
		{
			name:      "401 is an answer",
			steps:     func(*revtest.Clock) []http.HandlerFunc { return []http.HandlerFunc{status(401)} },
			wantCalls: 1, wantIs: revoke.ErrUnauthorized,
		},
		{
			name: "302 is not followed",
			steps: func(*revtest.Clock) []http.HandlerFunc {
				return []http.HandlerFunc{status(302, "Location", "/_signin")}
			},
			wantCalls: 1, wantIs: revoke.ErrUnexpected,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk, log := revtest.NewClock(), &revtest.Log{}
			srv := revtest.NewServer(t, map[string]http.HandlerFunc{"GET /x": script(tt.steps(clk)...)})
			c := revtest.Client("fake", clk, log)
			resp, err := c.Do(t.Context(), &revoke.Request{Op: "GET /x", Method: "GET", URL: srv.URL + "/x"})
			switch {
			case tt.wantIs == nil && err != nil:
				t.Fatalf("Do() = %v, want success", err)
			case tt.wantIs == revoke.ErrUnexpected:
				var ae *revoke.APIError
				if !errors.As(err, &ae) || ae.StatusCode != 302 {
					t.Errorf("Do() = %v, want an APIError with 302", err)
				}
			case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
				t.Errorf("Do() = %v, want %v", err, tt.wantIs)
			}
			if tt.wantIs == nil && resp.StatusCode != 200 {
				t.Errorf("status = %d, want 200", resp.StatusCode)
			}
			if got := srv.Calls("GET /x"); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantSleeps, clk.Sleeps()); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			var ae *revoke.APIError
			if tt.wantRetry > 0 && (!errors.As(err, &ae) || ae.RetryAfter != tt.wantRetry) {
				t.Errorf("RetryAfter of %v, want %v", err, tt.wantRetry)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestClientHeadersAndLimits(t *testing.T) {
	t.Parallel()
	clk, log := revtest.NewClock(), &revtest.Log{}
	srv := revtest.NewServer(t, map[string]http.HandlerFunc{
		"GET /ua": func(w http.ResponseWriter, r *http.Request) {
			if got := r.Header.Get("User-Agent"); got != "patrol/test" {
				t.Errorf("User-Agent = %q, want patrol/test", got)
			}
			if got := r.Header.Get("X-Kept"); got != "1" {
				t.Errorf("X-Kept = %q, want 1", got)
			}
		},
		"GET /big": func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(strings.Repeat("x", revoke.MaxBody+1)))
		},
	})
	c := revtest.Client("fake", clk, log)
	if _, err := c.Do(t.Context(), &revoke.Request{Op: "GET /ua", Method: "GET", URL: srv.URL + "/ua", Header: http.Header{"X-Kept": {"1"}}}); err != nil {
		t.Fatalf("Do(/ua) = %v", err)
	}
	_, err := c.Do(t.Context(), &revoke.Request{Op: "GET /big", Method: "GET", URL: srv.URL + "/big", MaxAttempts: 1})
	if err == nil || !strings.Contains(err.Error(), "over") {
		t.Errorf("Do(/big) = %v, want a body-too-large error", err)
	}
}

func TestClientLimiterUsesInjectedClock(t *testing.T) {
	t.Parallel()
	clk, log := revtest.NewClock(), &revtest.Log{}
	srv := revtest.NewServer(t, map[string]http.HandlerFunc{"POST /r": status(202)})
	c := revtest.Client("fake", clk, log)
	lim := rate.NewLimiter(rate.Every(time.Minute), 1)
	for range 3 {
		if _, err := c.Do(t.Context(), &revoke.Request{Op: "POST /r", Method: "POST", URL: srv.URL + "/r", Limiter: lim}); err != nil {
			t.Fatalf("Do() = %v", err)
		}
	}
	if diff := cmp.Diff([]time.Duration{time.Minute, time.Minute}, clk.Sleeps()); diff != "" {
		t.Errorf("limiter waits (-want +got):\n%s", diff)
	}
}

func TestClientRemembersExhaustedRateLimit(t *testing.T) {
	t.Parallel()
	clk, log := revtest.NewClock(), &revtest.Log{}
	reset := clk.Now().Add(20 * time.Second).Unix()
	srv := revtest.NewServer(t, map[string]http.HandlerFunc{
		"GET /x": status(200, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", itoa(reset)),
	})
	c := revtest.Client("fake", clk, log)
	for _, cred := range []string{"Bearer a", "Bearer b", "Bearer a"} {
		// The budget is per credential: only the second call with "a" waits.
		if _, err := c.Do(t.Context(), &revoke.Request{Op: "GET /x", Method: "GET", URL: srv.URL + "/x", Header: http.Header{"Authorization": {cred}}}); err != nil {
			t.Fatalf("Do() = %v", err)
		}
	}
	if diff := cmp.Diff([]time.Duration{20 * time.Second}, clk.Sleeps()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestClientTimeoutAndNoURLInErrors(t *testing.T) {
	t.Parallel()
	clk, log := revtest.NewClock(), &revtest.Log{}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := revtest.NewServer(t, map[string]http.HandlerFunc{
		"DELETE /tokens/{tok}": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		},
	})
	// Attempts are counted as they leave the client: under load a 50ms attempt can time out
	// before the fake's handler counts it.
	var sent atomic.Int64
	c := revoke.NewClient(revoke.ClientOptions{
		Provider: "fake", Timeout: 50 * time.Millisecond, MaxAttempts: 2,
		Logger: log.Logger(), Now: clk.Now, Sleep: clk.Sleep,
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent.Add(1)
			return http.DefaultTransport.RoundTrip(r)
		}),
	})
	tok := revtest.NPMToken()
	_, err := c.Do(t.Context(), &revoke.Request{
		Op: "DELETE /tokens/{token}", Method: "DELETE",
		URL:    srv.URL + "/tokens/" + tok.Reveal() + "?access_token=" + tok.Reveal(),
		Header: http.Header{"Authorization": {"Bearer " + tok.Reveal()}},
	})
	if !errors.Is(err, revoke.ErrTimeout) {
		t.Errorf("Do() = %v, want ErrTimeout", err)
	}
	if got := sent.Load(); got != 2 {
		t.Errorf("attempts = %d, want 2 (one retry)", got)
	}
	if got := srv.Calls("DELETE /tokens/{tok}"); got > 2 {
		t.Errorf("calls = %d, want at most 2", got)
	}
	if !strings.Contains(revtest.ErrText(err), "DELETE /tokens/{token}") {
		t.Errorf("error %q does not name the operation", err)
	}
	revtest.NoLeak(t, tok, revtest.ErrText(err), log.String())
	if strings.Contains(revtest.ErrText(err)+log.String(), srv.URL) {
		t.Errorf("error or log holds the request URL: %v\n%s", err, log.String())
	}
}

func TestClientContextCanceled(t *testing.T) {
	t.Parallel()
	clk, log := revtest.NewClock(), &revtest.Log{}
	srv := revtest.NewServer(t, map[string]http.HandlerFunc{"GET /x": status(500)})
	c := revtest.Client("fake", clk, log)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Do(ctx, &revoke.Request{Op: "GET /x", Method: "GET", URL: srv.URL + "/x"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Do(canceled) = %v, want context.Canceled", err)
	}
}

func TestAPIErrorIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *revoke.APIError
		is   []error
		not  []error
	}{
		{name: "401", err: &revoke.APIError{StatusCode: 401}, is: []error{revoke.ErrUnauthorized}, not: []error{revoke.ErrForbidden, revoke.ErrRateLimited}},
		{name: "403", err: &revoke.APIError{StatusCode: 403}, is: []error{revoke.ErrForbidden}, not: []error{revoke.ErrRateLimited}},
		{name: "403 rate", err: &revoke.APIError{StatusCode: 403, RetryAfter: time.Minute}, is: []error{revoke.ErrRateLimited}, not: []error{revoke.ErrForbidden}},
		{name: "429", err: &revoke.APIError{StatusCode: 429}, is: []error{revoke.ErrRateLimited}},
		{name: "503", err: &revoke.APIError{StatusCode: 503}, is: []error{revoke.ErrServer}},
		{name: "404", err: &revoke.APIError{StatusCode: 404}, is: []error{revoke.ErrNotFound}},
		{name: "slack kind", err: &revoke.APIError{StatusCode: 200, Kind: revoke.ErrUnauthorized}, is: []error{revoke.ErrUnauthorized}, not: []error{revoke.ErrRateLimited}},
		{name: "timeout", err: &revoke.APIError{Err: context.DeadlineExceeded}, is: []error{revoke.ErrTimeout, context.DeadlineExceeded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, target := range tt.is {
				if !errors.Is(tt.err, target) {
					t.Errorf("errors.Is(%v, %v) = false, want true", tt.err, target)
				}
			}
			for _, target := range tt.not {
				if errors.Is(tt.err, target) {
					t.Errorf("errors.Is(%v, %v) = true, want false", tt.err, target)
				}
			}
		})
	}
}
