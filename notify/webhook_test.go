package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hookPath is the secret part of the test webhook URL; no error may quote it.
const hookPath = "/services/T0001/B0002/SECRETxHOOKxPATH"

var webhookNow = time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC)

// hookServer registers only POST hookPath; anything else is a test failure.
func hookServer(t *testing.T, reply http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+hookPath, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		assertNoSecret(t, "webhook body", body)
		var msg map[string]any
		if err := json.Unmarshal(body, &msg); err != nil {
			t.Errorf("body %q is not JSON: %v", body, err)
		}
		text, ok := msg["text"].(string)
		if len(msg) != 1 || !ok || text == "" {
			t.Errorf("body = %s, want {\"text\": \"...\"} only", body)
		}
		reply(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestWebhookPost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		reply      http.HandlerFunc
		client     *http.Client
		wantErr    bool
		wantTemp   bool
		wantCode   int
		wantAfter  time.Duration
		wantReason string
		wantIs     error
	}{
		{name: "200 ok", reply: func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }},
		{name: "204 ok", reply: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }},
		{
			name: "500 is temporary",
			reply: func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "internal error", http.StatusInternalServerError)
			},
			wantErr: true, wantTemp: true, wantCode: 500, wantReason: "Internal Server Error: internal error",
		},
		{
			name: "429 with Retry-After seconds",
			reply: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "30")
				http.Error(w, "rate_limited", http.StatusTooManyRequests)
			},
			wantErr: true, wantTemp: true, wantCode: 429, wantAfter: 30 * time.Second,
			wantReason: "Too Many Requests: rate_limited",
		},
		{
			name: "503 with Retry-After date",
			reply: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", webhookNow.Add(2*time.Minute).Format(http.TimeFormat))
				w.WriteHeader(http.StatusServiceUnavailable)
			},
			wantErr: true, wantTemp: true, wantCode: 503, wantAfter: 2 * time.Minute, wantReason: "Service Unavailable",
		},
		{
			name:    "408 is temporary",
			reply:   func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusRequestTimeout) },
			wantErr: true, wantTemp: true, wantCode: 408, wantReason: "Request Timeout",
		},
		{
			name: "400 is permanent with Slack's reason",
			reply: func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "invalid_payload", http.StatusBadRequest)
			},
			wantErr: true, wantCode: 400, wantReason: "Bad Request: invalid_payload",
		},
		{
			name: "404 echoing the URL is permanent and scrubbed",
			reply: func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "no_service: "+r.URL.Path, http.StatusNotFound)
			},
			wantErr: true, wantCode: 404, wantReason: "Not Found: no_service: [redacted]",
		},
		{
			name: "410 with an HTML page keeps the status text",
			reply: func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusGone)
				_, _ = io.WriteString(w, "<html><body>gone</body></html>")
			},
			wantErr: true, wantCode: 410, wantReason: "Gone",
		},
		{
			name: "redirect is permanent, not followed",
			reply: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			},
			wantErr: true, wantCode: 302, wantReason: "Found",
		},
		{
			name: "slow server times out, temporarily",
			reply: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(2 * time.Second):
				}
			},
			client:  &http.Client{Timeout: 100 * time.Millisecond},
			wantErr: true, wantTemp: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, calls := hookServer(t, tt.reply)
			w, err := NewWebhook(WebhookConfig{URL: srv.URL + hookPath}, tt.client, WithClock(func() time.Time { return webhookNow }))
			if err != nil {
				t.Fatal(err)
			}
			err = w.Post(t.Context(), leak())
			if n := calls.Load(); n != 1 {
				t.Errorf("webhook called %d times, want 1", n)
			}
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Post() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Post() = nil, want error")
			}
			t.Logf("Post() error: %v", err)
			if got := errors.Is(err, ErrTemporary); got != tt.wantTemp {
				t.Errorf("errors.Is(%v, ErrTemporary) = %v, want %v", err, got, tt.wantTemp)
			}
			if got := errors.Is(err, ErrPermanent); got == tt.wantTemp {
				t.Errorf("errors.Is(%v, ErrPermanent) = %v, want %v", err, got, !tt.wantTemp)
			}
			var de *DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("Post() error %T, want *DeliveryError", err)
			}
			if de.Code != tt.wantCode || de.Reason != tt.wantReason || de.RetryAfter != tt.wantAfter {
				t.Errorf("Post() code, reason, retry after = %d, %q, %v, want %d, %q, %v",
					de.Code, de.Reason, de.RetryAfter, tt.wantCode, tt.wantReason, tt.wantAfter)
			}
			if d, ok := RetryAfter(err); d != tt.wantAfter || ok != (tt.wantAfter > 0) {
				t.Errorf("RetryAfter(err) = %v, %v, want %v", d, ok, tt.wantAfter)
			}
			if msg := err.Error(); strings.Contains(msg, "SECRET") || strings.Contains(msg, srv.URL) ||
				!strings.HasPrefix(msg, "webhook post: ") {
				t.Errorf("Post() error = %q, want \"webhook post: …\" without the URL", msg)
			}
		})
	}
}

func TestWebhookTransportErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + ln.Addr().String() + hookPath
	ln.Close()
	srv, _ := hookServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })

	tests := []struct {
		name   string
		url    string
		ctx    func() (context.Context, context.CancelFunc)
		wantIs error
	}{
		{name: "refused", url: deadURL},
		{name: "context deadline", url: srv.URL + hookPath, wantIs: context.DeadlineExceeded,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(t.Context(), 100*time.Millisecond)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := NewWebhook(WebhookConfig{URL: tt.url}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			if tt.ctx != nil {
				var cancel context.CancelFunc
				ctx, cancel = tt.ctx()
				defer cancel()
			}
			err = w.Post(ctx, leak())
			t.Logf("Post() error: %v", err)
			if !errors.Is(err, ErrTemporary) {
				t.Errorf("Post() = %v, want ErrTemporary", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), tt.url) {
				t.Errorf("Post() error = %q quotes the URL", err)
			}
		})
	}
}

func TestNewWebhookInvalid(t *testing.T) {
	t.Parallel()
	_, err := NewWebhook(WebhookConfig{URL: "http://hooks.example" + hookPath}, nil)
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("NewWebhook(http remote) error = %v, want an error without the URL", err)
	}
}

func TestWebhookText(t *testing.T) {
	t.Parallel()
	with := func(f func(*Leak)) Leak { l := leak(); f(&l); return l }
	tests := []struct {
		name string
		leak Leak
		want string
	}{
		{
			name: "revoked",
			leak: leak(),
			want: "patrol: leaked GitHub personal access token (classic) `ghp_Qx7Q…` in https://github.com/contoso/payments " +
				"(`deploy/ci.env:12`, commit <https://github.com/contoso/payments/commit/9fceb02d0ae598e95dc970b74767f19372d61af8|9fceb02d0ae5>): " +
				"*revoked*. patrol revoked this token through GitHub at 2025-11-20 09:31 UTC. It no longer works. " +
				"Owner: Ada Lovelace (ada@contoso.com). Fingerprint `3f9a0c1e55b2d7a4`.",
		},
		{
			name: "probable owner, failed",
			leak: with(func(l *Leak) {
				l.Action, l.ActionReason, l.ProbableOwner, l.OwnerName = "revoke_failed", "github: 503", true, ""
				l.CommitURL = ""
			}),
			want: "patrol: leaked GitHub personal access token (classic) `ghp_Qx7Q…` in https://github.com/contoso/payments " +
				"(`deploy/ci.env:12`, commit 9fceb02d0ae5): *NOT revoked, action needed*. patrol tried to revoke this token " +
				"at 2025-11-20 09:31 UTC but could not: github: 503. The token may still work. " +
				"Probable owner (commit author): ada@contoso.com. Fingerprint `3f9a0c1e55b2d7a4`.",
		},
		{
			name: "hostile strings are escaped",
			leak: with(func(l *Leak) {
				l.Repository, l.Path, l.OwnerName = "<!channel> & <https://evil.example|click>", "a`b<@U123>", "<!here>"
				l.CommitURL, l.Action, l.Fingerprint = "https://git.example/c?a=1|x>", "weird", ""
			}),
			want: "patrol: leaked GitHub personal access token (classic) `ghp_Qx7Q…` in &lt;!channel&gt; &amp; " +
				"&lt;https://evil.example|click&gt; (`a'b&lt;@U123&gt;:12`, commit " +
				"<https://git.example/c?a=1%7Cx&gt;|9fceb02d0ae5>): *status unknown, action needed*. patrol could not tell " +
				"whether this token still works: unrecognized action \"weird\". Treat it as live. " +
				"Owner: &lt;!here&gt; (ada@contoso.com).",
		},
		{
			name: "no owner",
			leak: with(func(l *Leak) { l.OwnerName, l.OwnerEmail, l.Action = "", "", ActionDead }),
			want: "patrol: leaked GitHub personal access token (classic) `ghp_Qx7Q…` in https://github.com/contoso/payments " +
				"(`deploy/ci.env:12`, commit <https://github.com/contoso/payments/commit/9fceb02d0ae598e95dc970b74767f19372d61af8|9fceb02d0ae5>): " +
				"*no longer valid*. The token no longer works: it had already been revoked or had expired when patrol " +
				"checked it at 2025-11-20 09:31 UTC. patrol did nothing to it. Owner unknown. Fingerprint `3f9a0c1e55b2d7a4`.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := WebhookText(tt.leak)
			if got != tt.want {
				t.Errorf("WebhookText() =\n%s\nwant\n%s", got, tt.want)
			}
			assertNoSecret(t, "WebhookText", []byte(got))
		})
	}
	l := leak()
	l.Redacted = rawSecret()
	assertNoSecret(t, "WebhookText(raw Redacted)", []byte(WebhookText(l)))
}
