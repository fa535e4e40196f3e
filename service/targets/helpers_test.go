package targets

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/patrolsec/patrol/secret"
)

// testToken builds a read token at test time; it has no provider's shape, so nothing in the
// repository looks like a credential.
func testToken() secret.Token { return secret.New("patrol-test-read-" + rand.Text()) }

// fakeClock is the injected clock: Sleep records the wait and moves time on at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
	// onSleep, when set, runs before each sleep (a test cancels its context there).
	onSleep func()
}

func newClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0).UTC()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.onSleep != nil {
		c.onSleep()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// syncBuffer collects log lines from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one test's clock, log and options.
type env struct {
	clock *fakeClock
	log   *syncBuffer
	opts  Options
}

func newEnv() *env {
	e := &env{clock: newClock(), log: &syncBuffer{}}
	e.opts = Options{
		Logger: slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    e.clock.Now,
		Sleep:  e.clock.Sleep,
	}
	return e
}

// fake is a host that answers only the routes a test registers; anything else is a 404 and a
// test failure.
type fake struct {
	t   *testing.T
	mux *http.ServeMux
	srv *httptest.Server
}

func newFake(t *testing.T) *fake {
	t.Helper()
	f := &fake{t: t, mux: http.NewServeMux()}
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the contract: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	f.srv = httptest.NewServer(f.mux)
	t.Cleanup(f.srv.Close)
	return f
}

// urls returns the fake's URL followed by format filled with each name.
func (f *fake) urls(format string, names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = f.srv.URL + fmt.Sprintf(format, n)
	}
	return out
}

// reply is a scripted answer.
type reply struct {
	status int
	header map[string]string
	body   string
}

func (r reply) write(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(r.status)
	_, _ = w.Write([]byte(r.body))
}

// script hands out the scripted answers of each page in order, then nothing; it counts the
// requests for every page.
type script struct {
	mu      sync.Mutex
	replies map[int][]reply
	hits    map[int]int
}

func newScript(replies map[int][]reply) *script {
	if replies == nil {
		replies = map[int][]reply{}
	}
	return &script{replies: replies, hits: map[int]int{}}
}

// next returns the scripted answer for page, if one is left.
func (s *script) next(page int) (reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[page]++
	q := s.replies[page]
	if len(q) == 0 {
		return reply{}, false
	}
	s.replies[page] = q[1:]
	return q[0], true
}

func (s *script) Hits() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int]int{}
	for k, v := range s.hits {
		out[k] = v
	}
	return out
}

// checkRequest asserts one header and the exact query of a request.
func checkRequest(t *testing.T, r *http.Request, header, want string, query url.Values) bool {
	t.Helper()
	ok := true
	if got := r.Header.Get(header); got != want {
		t.Errorf("%s %s: header %s is not the expected credential", r.Method, r.URL.Path, header)
		ok = false
	}
	if diff := cmp.Diff(query, r.URL.Query()); diff != "" {
		t.Errorf("%s %s: query (-want +got):\n%s", r.Method, r.URL.Path, diff)
		ok = false
	}
	return ok
}

func writeJSON(t *testing.T, w http.ResponseWriter, header map[string]string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Errorf("marshal: %v", err)
	}
	reply{status: http.StatusOK, header: header, body: string(b)}.write(w)
}

// checkSecretFree fails when text holds the token.
func checkSecretFree(t *testing.T, what, text string, tok secret.Token) {
	t.Helper()
	if strings.Contains(text, tok.Reveal()) {
		t.Errorf("%s holds the token", what)
	}
}

// keys returns the Keys of repos, for short comparisons.
func keys(repos []Repository) []string {
	out := make([]string, len(repos))
	for i, r := range repos {
		out[i] = r.Key
	}
	return out
}

// listOK runs l.List (l, newErr from a constructor) and checks the keys listed, the waits,
// the requests per page (when wantHits is set) and that the log holds no token.
func listOK(t *testing.T, e *env, s *script, tok secret.Token, l Lister, newErr error, wantKeys []string, wantSleep []time.Duration, wantHits map[int]int) {
	t.Helper()
	if newErr != nil {
		t.Fatalf("constructor: %v", newErr)
	}
	got, err := l.List(t.Context())
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if diff := cmp.Diff(wantKeys, keys(got)); diff != "" {
		t.Errorf("List keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantSleep, e.clock.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	if wantHits != nil {
		if diff := cmp.Diff(wantHits, s.Hits()); diff != "" {
			t.Errorf("requests per page (-want +got):\n%s", diff)
		}
	}
	checkSecretFree(t, "the log", e.log.String(), tok)
}

// listFails runs l.List and checks that it fails with want and wantText, returns no
// repositories, and that neither the error nor the log holds the token.
func listFails(t *testing.T, e *env, tok secret.Token, l Lister, newErr error, want error, wantText string) {
	t.Helper()
	if newErr != nil {
		t.Fatalf("constructor: %v", newErr)
	}
	got, err := l.List(t.Context())
	if !errors.Is(err, want) || got != nil {
		t.Fatalf("List() = %d repos, %v; want %v", len(got), err, want)
	}
	if !strings.Contains(err.Error(), wantText) {
		t.Errorf("error %q lacks %q", err, wantText)
	}
	checkSecretFree(t, "the error", err.Error(), tok)
	checkSecretFree(t, "the log", e.log.String(), tok)
}

// checkConfig checks a constructor's answer: nil when wantText is empty, else ErrConfig
// with wantText, and never the token.
func checkConfig(t *testing.T, err error, wantText string, tok secret.Token) {
	t.Helper()
	if wantText == "" {
		if err != nil {
			t.Errorf("constructor = %v, want nil", err)
		}
		return
	}
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), wantText) {
		t.Errorf("constructor = %v, want ErrConfig with %q", err, wantText)
	}
	if err != nil {
		checkSecretFree(t, "the error", err.Error(), tok)
	}
}
