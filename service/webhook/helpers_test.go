package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// received is what a handler handed over and counted: the service's side of the wire.
type received struct {
	mu       sync.Mutex
	pushes   []Push
	seen     map[string]bool
	counts   map[string]int // "source outcome" → count
	watched  map[string]bool
	dedupErr error
	pushErr  error
	log      bytes.Buffer
}

// arrivedAt stamps pushes whose payload has no time.
var arrivedAt = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func newReceived(watched ...string) *received {
	r := &received{seen: map[string]bool{}, counts: map[string]int{}, watched: map[string]bool{}}
	for _, w := range watched {
		r.watched[w] = true
	}
	return r
}

// options wires the handler to r: the receiver accepts only watched repositories, dedup
// remembers ids like the store's unique key does.
func (r *received) options() Options {
	return Options{
		OnPush: func(ctx context.Context, p Push) (bool, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.pushErr != nil {
				return false, r.pushErr
			}
			if !r.watched[p.Repository] {
				return false, nil
			}
			r.pushes = append(r.pushes, p)
			return true, nil
		},
		Dedup: func(ctx context.Context, source, id string) (bool, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.dedupErr != nil {
				return false, r.dedupErr
			}
			k := source + " " + id
			if r.seen[k] {
				return false, nil
			}
			r.seen[k] = true
			return true, nil
		},
		Log: slog.New(slog.NewTextHandler(lockedWriter{r}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Count: func(source, outcome string) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.counts[source+" "+outcome]++
		},
		Now: func() time.Time { return arrivedAt },
	}
}

type lockedWriter struct{ r *received }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	return w.r.log.Write(b)
}

// request is one delivery as a host sends it.
type request struct {
	method string // POST when empty
	header map[string]string
	user   string // Basic auth, when basic is set
	pass   string
	basic  bool
	body   []byte
	// chunked sends the body without a Content-Length, so only reading it finds its size.
	chunked bool
}

// send posts rq to url and returns the status.
func send(t *testing.T, url string, rq request) int {
	t.Helper()
	status, _ := exchangeOne(t, url, rq)
	return status
}

// exchangeOne posts rq to url and returns the status and the answer's body.
func exchangeOne(t *testing.T, url string, rq request) (int, []byte) {
	t.Helper()
	method := rq.method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader = bytes.NewReader(rq.body)
	if rq.chunked {
		body = io.MultiReader(body) // unknown length: sent chunked
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	if rq.basic {
		req.SetBasicAuth(rq.user, rq.pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read answer: %v", method, url, err)
	}
	return resp.StatusCode, answer
}

// serve starts h on loopback.
func serve(t *testing.T, h http.Handler, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// oversize is one byte more than a handler reads.
func oversize() []byte { return bytes.Repeat([]byte{' '}, MaxBodyBytes+1) }

// sign returns GitHub's X-Hub-Signature-256 value for body.
func sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// step is one request of a case and the status it must get.
type step struct {
	rq   request
	want int
}

// exchange is one table case: requests in order, then what was handed over and counted.
type exchange struct {
	name       string
	watched    []string // the configured repositories, when not the test's default
	steps      []step
	dedupErr   error
	pushErr    error
	wantPushes []Push
	wantCounts map[string]int
}

// run plays the case against a fresh handler built by build, watching tt.watched or else
// the default repositories.
func (tt exchange) run(t *testing.T, build func(Options) (http.Handler, error), watched ...string) {
	t.Helper()
	if tt.watched != nil {
		watched = tt.watched
	}
	rec := newReceived(watched...)
	rec.dedupErr, rec.pushErr = tt.dedupErr, tt.pushErr
	h, err := build(rec.options())
	url := serve(t, h, err)
	for i, s := range tt.steps {
		if got := send(t, url, s.rq); got != s.want {
			t.Errorf("request %d: status %d, want %d", i, got, s.want)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if diff := cmp.Diff(tt.wantPushes, rec.pushes); diff != "" {
		t.Errorf("pushes handed over (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(tt.wantCounts, rec.counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

var errStoreDown = errors.New("store unreachable")
