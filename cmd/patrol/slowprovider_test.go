package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hangServer accepts connections and never answers, until released; then it closes every
// connection it holds and each new one at once.
type hangServer struct {
	ln       net.Listener
	accepted atomic.Int32
	gaveUp   atomic.Int32 // connections the client closed while waiting for an answer
	mu       sync.Mutex
	held     []net.Conn
	released bool
}

func startHangServer(t *testing.T) *hangServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hangServer{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.accepted.Add(1)
			h.mu.Lock()
			if h.released {
				h.mu.Unlock()
				c.Close()
				continue
			}
			h.held = append(h.held, c)
			h.mu.Unlock()
			go func() {
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						h.mu.Lock()
						if !h.released {
							h.gaveUp.Add(1)
						}
						h.mu.Unlock()
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { h.release(); ln.Close() })
	return h
}

func (h *hangServer) url() string { return "http://" + h.ln.Addr().String() + "/" }

func (h *hangServer) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.released = true
	for _, c := range h.held {
		c.Close()
	}
	h.held = nil
}

// runPatrolCtx is runPatrol with a context: the test's safety net against a run that hangs.
func runPatrolCtx(ctx context.Context, t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	code = run(ctx, args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestSlowProviderHoldsNoOthers: GitLab accepts connections and never answers. GitHub's token
// is verified while every GitLab call is still waiting (none gave up yet): one provider's
// stalled calls hold no other provider's tokens. With a providers timeout, each stalled
// verification gives up once, at its deadline, and is reported unknown.
func TestSlowProviderHoldsNoOthers(t *testing.T) {
	t.Parallel()
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	ghTok := ghp(1201)
	var glToks []string
	var env strings.Builder
	for i := range 5 {
		tok := "glpat-" + randString(uint64(1210+i), alnum, 20)
		glToks = append(glToks, tok)
		env.WriteString("GL" + string(rune('A'+i)) + "=" + tok + "\n")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a-gitlab.env"), []byte(env.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "z-github.env"), []byte("GH="+ghTok+"\n"), 0o644)

	type report []struct {
		Detector     string
		Verification struct{ Status string }
		Revocation   struct{ Reason string }
	}
	t.Run("no provider waits for another", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute) // a safety net, not an assertion
		defer cancel()
		hang := startHangServer(t)
		f := &fakeProviders{t: t, live: map[string]bool{ghTok: true}, verify: map[string]int{}, revokes: map[string]int{}}
		verified := make(chan int32, 1)
		gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/user" {
				// Answer once a GitLab call hangs (the run makes them concurrently; on a loaded
				// machine GitHub's may simply come first): the check is that GitHub's answer
				// does not wait for GitLab's, not which request starts first.
				for wait := time.Now().Add(30 * time.Second); hang.accepted.Load() == 0 && time.Now().Before(wait); {
					time.Sleep(5 * time.Millisecond)
				}
				select {
				case verified <- hang.gaveUp.Load():
				default:
				}
			}
			f.github().ServeHTTP(w, r)
		}))
		defer gh.Close()
		cfgPath := filepath.Join(t.TempDir(), "patrol.yaml")
		os.WriteFile(cfgPath, []byte("store: {dsn: "+filepath.Join(t.TempDir(), "p.db")+"}\nproviders:\n"+
			"  github: {base_url: "+gh.URL+"/}\n  gitlab: {base_url: "+hang.url()+", timeout: 2m}\n"), 0o600)

		type result struct {
			code     int
			out, err string
		}
		done := make(chan result, 1)
		go func() {
			code, out, errs := runPatrolCtx(ctx, t, "scan", "--dir", "--verify", "-f", "json", "-c", cfgPath, dir)
			done <- result{code, out, errs}
		}()
		select {
		case gaveUp := <-verified:
			if gaveUp != 0 {
				t.Errorf("GitHub's token was verified only after %d GitLab calls gave up; want it verified while they wait", gaveUp)
			}
			if n := hang.accepted.Load(); n == 0 {
				t.Errorf("GitHub's token was verified before any GitLab call started; the test shows nothing")
			}
		case r := <-done:
			t.Fatalf("the run ended (exit %d) before GitHub's token was verified:\n%s", r.code, r.err)
		case <-ctx.Done():
			t.Fatal("GitHub's token was never verified")
		}
		hang.release()
		r := <-done
		var got report
		if err := json.Unmarshal([]byte(r.out), &got); r.code != exitFindings || err != nil || len(got) != 6 {
			t.Fatalf("scan = exit %d, %v, %d findings:\n%s%s", r.code, err, len(got), r.out, r.err)
		}
		for _, g := range got {
			if want := map[bool]string{true: "live", false: "unknown"}[g.Detector == "github-classic-pat"]; g.Verification.Status != want {
				t.Errorf("%s: %s, want %s", g.Detector, g.Verification.Status, want)
			}
		}
	})

	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute) // a safety net, not an assertion
		defer cancel()
		hang := startHangServer(t)
		cfgPath := filepath.Join(t.TempDir(), "patrol.yaml")
		os.WriteFile(cfgPath, []byte("store: {dsn: "+filepath.Join(t.TempDir(), "p.db")+"}\nproviders:\n"+
			"  timeout: 1s\n  gitlab: {base_url: "+hang.url()+"}\n"), 0o600)
		code, out, errs := runPatrolCtx(ctx, t, "scan", "--dir", "--verify", "-f", "json", "-c", cfgPath, filepath.Join(dir, "a-gitlab.env"))
		var got report
		if err := json.Unmarshal([]byte(out), &got); code != exitFindings || err != nil || len(got) != 5 {
			t.Fatalf("scan = exit %d, %v, %d findings:\n%s%s", code, err, len(got), out, errs)
		}
		for _, g := range got {
			if g.Verification.Status != "unknown" || !strings.Contains(g.Revocation.Reason, "no answer within 1s") {
				t.Errorf("%s: %s (%s); want unknown, no answer within the deadline", g.Detector, g.Verification.Status, g.Revocation.Reason)
			}
		}
		if n := hang.accepted.Load(); n != int32(len(glToks)) {
			t.Errorf("%d connections to the stalled provider, want one per token (%d): no retry past the deadline", n, len(glToks))
		}
		if strings.Contains(out+errs, glToks[0]) {
			t.Error("a raw token in the output")
		}
	})
}
