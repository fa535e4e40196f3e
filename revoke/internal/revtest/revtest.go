// Package revtest holds what the provider tests share: a strict fake server, a fake clock,
// synthetic tokens built at run time, and leak checks. Only _test files import it.
package revtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/secret"
)

// Server is an httptest server that serves only the registered "METHOD /pattern" routes and
// fails the test, with a 404, on anything else. It counts calls per route.
type Server struct {
	*httptest.Server
	t     testing.TB
	mux   *http.ServeMux
	mu    sync.Mutex
	calls map[string]int
	total atomic.Int64
}

// NewServer starts a strict fake; routes use http.ServeMux patterns with a method.
func NewServer(t testing.TB, routes map[string]http.HandlerFunc) *Server {
	t.Helper()
	s := &Server{t: t, mux: http.NewServeMux(), calls: map[string]int{}}
	for pattern, h := range routes {
		s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.calls[pattern]++
			s.mu.Unlock()
			h(w, r)
		})
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("fake: unexpected %s %s (off the documented contract)", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.total.Add(1)
		s.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// Calls returns how many requests the route pattern served.
func (s *Server) Calls(pattern string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[pattern]
}

// Total returns how many requests reached the server.
func (s *Server) Total() int { return int(s.total.Load()) }

// Clock is a fake clock whose Sleep records the wait and advances Now.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewClock starts at a fixed instant.
func NewClock() *Clock {
	return &Clock{now: time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)}
}

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep records d and advances the clock, without waiting.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return nil
}

// Sleeps returns the recorded waits.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Log is a concurrency-safe buffer behind a debug-level slog.Logger.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Logger returns a debug-level text logger writing to l.
func (l *Log) Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// Options returns client options on clk, logging to log, with a short per-call timeout, three
// attempts and no jitter.
func Options(clk *Clock, log *Log) revoke.ClientOptions {
	return revoke.ClientOptions{
		Version:     "test",
		Timeout:     2 * time.Second,
		MaxAttempts: 3,
		Logger:      log.Logger(),
		Now:         clk.Now,
		Sleep:       clk.Sleep,
		Jitter:      func() float64 { return 0 },
	}
}

// Client returns a revoke.Client for provider with Options(clk, log).
func Client(provider string, clk *Clock, log *Log) *revoke.Client {
	o := Options(clk, log)
	o.Provider = provider
	return revoke.NewClient(o)
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Random returns n random characters from alphabet.
func Random(n int, alphabet string) string {
	var b strings.Builder
	for range n {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		b.WriteByte(alphabet[i.Int64()])
	}
	return b.String()
}

// GitHubToken returns a checksum-valid synthetic classic token with the prefix ("ghp_").
func GitHubToken(prefix string) secret.Token {
	body := Random(30, base62)
	return secret.New(prefix + body + detectors.CRC32Base62([]byte(body)))
}

// NPMToken returns a checksum-valid synthetic npm token.
func NPMToken() secret.Token { return GitHubToken("npm_") }

// ADOToken returns a checksum-valid synthetic 84-char Azure DevOps PAT created in year/month.
func ADOToken(year, month int) secret.Token {
	return secret.New(detectors.ADOPAT(Random(52, base62), year, month))
}

// GitLabToken returns a synthetic legacy-shape GitLab PAT.
func GitLabToken() secret.Token {
	return secret.New("glpat" + "-" + Random(20, base62+"_-"))
}

// SlackToken returns a synthetic bot token.
func SlackToken() secret.Token {
	return secret.New("xoxb" + "-" + Random(12, "0123456789") + "-" + Random(12, "0123456789") + "-" + Random(24, base62))
}

// NoLeak fails the test when any text holds the raw token or an Authorization value built
// from it.
func NoLeak(t testing.TB, tok secret.Token, texts ...string) {
	t.Helper()
	raw := tok.Reveal()
	forbidden := []string{
		raw,
		base64.StdEncoding.EncodeToString([]byte(":" + raw)),
		"Bearer " + raw,
	}
	for _, s := range texts {
		for _, f := range forbidden {
			if f != "" && strings.Contains(s, f) {
				t.Errorf("text leaks the token or its Authorization value: %.80q…", s)
			}
		}
	}
}

// ErrText returns err.Error(), or "" for nil.
func ErrText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// ADOLegacyToken returns a checksum-valid synthetic 52-char Azure DevOps PAT.
func ADOLegacyToken() secret.Token {
	var b [28]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return secret.New(detectors.ADOLegacyPAT(b, false))
}

// NoPoll fails the test unless route, the provider's verify endpoint, served exactly want
// calls (Verify's own): Revoke returns on the provider's acceptance and never polls it. (A
// wait is not checked: a retried revoke call may back off, and polling cannot happen without
// calling route.)
func NoPoll(t testing.TB, srv *Server, route string, want int) {
	t.Helper()
	if n := srv.Calls(route); n != want {
		t.Errorf("%s calls = %d, want %d (Revoke must not poll; the pipeline's confirm step verifies)", route, n, want)
	}
}

// WantVerify fails the test unless p.Verify(tok) reports want without error: what the
// pipeline's confirm step sees after Revoke.
func WantVerify(t testing.TB, p revoke.Provider, tok secret.Token, want revoke.Status) {
	t.Helper()
	if v, err := p.Verify(t.Context(), tok, revoke.Hints{}); v.Status != want || err != nil {
		t.Errorf("Verify() after Revoke = %s, %v, want %s", v.Status, err, want)
	}
}
