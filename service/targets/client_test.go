package targets

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestClientRefusesPlainHTTPElsewhere(t *testing.T) {
	t.Parallel()
	var sent bool
	c := newClient(Options{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		sent = true
		return nil, errors.New("sent")
	})})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://api.example/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.http.Do(req); !errors.Is(err, ErrConfig) || sent {
		t.Errorf("Do(plain http to another host) = %v, sent %v; want ErrConfig, nothing sent", err, sent)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCappedBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body    string
		left    int64
		wantErr error
	}{
		{body: "12345", left: 5},
		{body: "123456", left: 5, wantErr: errBodyTooLarge},
		{body: "", left: 0},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			t.Parallel()
			c := &capped{ReadCloser: io.NopCloser(strings.NewReader(tt.body)), left: tt.left}
			got, err := io.ReadAll(c)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReadAll = %q, %v; want %v", got, err, tt.wantErr)
			}
			if err == nil && string(got) != tt.body {
				t.Errorf("ReadAll = %q, want %q", got, tt.body)
			}
		})
	}
}

func TestListTimesOutPerRequest(t *testing.T) {
	t.Parallel()
	e, tok := newEnv(), testToken()
	f := newFake(t)
	f.mux.HandleFunc("GET /api/v4/groups/{id}/projects", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers within the timeout
	})
	e.opts.Timeout, e.opts.MaxAttempts = 50*time.Millisecond, 2
	l, err := NewGitLab(GitLab{Group: "parent", Token: tok, BaseURL: f.srv.URL}, e.opts)
	if err != nil {
		t.Fatalf("NewGitLab: %v", err)
	}
	_, err = l.List(t.Context())
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "host unavailable: no answer within 50ms") {
		t.Errorf("List() = %v, want ErrUnavailable after no answer within 50ms", err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second}, e.clock.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}
