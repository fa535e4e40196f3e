package git

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/patrolsec/patrol/scanner/internal/scantest"
	"github.com/patrolsec/patrol/secret"
)

// nonLoopbackIP is an address of this host that is not loopback, or "" when it has none.
func nonLoopbackIP(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

// TestGitTokenPlainHTTPRefused: a token (PATROL_GIT_TOKEN or a target's) and a plain http URL
// to a host that is not loopback: the clone is refused before any connection is made, and
// the error names the URL, not the token.
func TestGitTokenPlainHTTPRefused(t *testing.T) {
	ip := nonLoopbackIP(t)
	if ip == "" {
		t.Skip("this host has no non-loopback address to listen on")
	}
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Skipf("listen on %s: %v", ip, err)
	}
	defer l.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close()
		}
	}()
	url := "http://" + l.Addr().String() + "/r.git"
	token := "tok-" + scantest.Base62(24)
	for _, tc := range []struct {
		name string
		env  string
		opt  secret.Token
		mode GitMode
	}{
		{name: "env token", env: token},
		{name: "env token, go-git", env: token, mode: GitGoGit},
		{name: "target token", opt: secret.New(token)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(GitTokenEnv, tc.env)
			_, err := OpenGit(t.Context(), GitOptions{Repo: url, CloneDir: t.TempDir(), Token: tc.opt, Mode: tc.mode})
			if !errors.Is(err, ErrPlainHTTP) {
				t.Fatalf("OpenGit(%s) with a token = %v, want ErrPlainHTTP", url, err)
			}
			if strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), url) {
				t.Errorf("error %q: want the URL named and the token absent", err)
			}
		})
	}
	if n := conns.Load(); n != 0 {
		t.Errorf("%d connections to %s, want none", n, url)
	}
}

// TestGitTokenStaysWithItsOrigin: the clone URL's server redirects to another origin (another
// port of loopback): the token, sent to the first, never reaches the second.
func TestGitTokenStaysWithItsOrigin(t *testing.T) {
	h := newHistoryFixture(t)
	backend := h.httpBackend(t)
	token := "tok-" + scantest.Base62(24)
	var mu sync.Mutex
	var elsewhere []string // Authorization headers the other origin received
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		elsewhere = append(elsewhere, r.Header.Get("Authorization"))
		mu.Unlock()
		backend.ServeHTTP(w, r)
	}))
	defer other.Close()
	var sawToken atomic.Bool
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pass, ok := r.BasicAuth(); !ok || pass != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		sawToken.Store(true)
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer origin.Close()

	t.Setenv(GitTokenEnv, token)
	_, _, err := scanGit(t, GitOptions{Repo: origin.URL + "/r.git", CloneDir: t.TempDir()})
	t.Logf("scan through the redirect: %v", err)
	mu.Lock()
	defer mu.Unlock()
	if !sawToken.Load() || len(elsewhere) == 0 {
		t.Fatalf("origin saw the token: %v; other origin got %d requests; want both", sawToken.Load(), len(elsewhere))
	}
	for _, a := range elsewhere {
		if a != "" {
			t.Errorf("the other origin received Authorization %q", a)
		}
	}
}

// TestGitTokenNotUsedForSSH: with PATROL_GIT_TOKEN set, an ssh URL is still cloned by the git
// binary with the user's SSH setup (GIT_SSH_COMMAND here), and the token goes to neither the
// ssh command's arguments nor its environment; a file URL is cloned and scanned as usual.
func TestGitTokenNotUsedForSSH(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh for the fake ssh command")
	}
	token := "tok-" + scantest.Base62(24)
	t.Setenv(GitTokenEnv, token)
	dir := t.TempDir()
	dump := filepath.Join(dir, "ssh-called")
	fake := filepath.Join(dir, "fake-ssh")
	script := "#!/bin/sh\n{ echo \"$@\"; env; } > '" + dump + "'\necho 'fake ssh: no connection' >&2\nexit 255\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_SSH_COMMAND", fake)
	_, err := OpenGit(t.Context(), GitOptions{Repo: "ssh://git@patrol-test.invalid/r.git", CloneDir: t.TempDir()})
	if !errors.Is(err, ErrClone) {
		t.Errorf("clone through the fake ssh = %v, want ErrClone", err)
	}
	got, rerr := os.ReadFile(dump)
	if rerr != nil {
		t.Fatalf("the user's ssh command was not run (%v): the token switched the clone away from the git binary", rerr)
	}
	if strings.Contains(string(got), token) {
		t.Errorf("the ssh command received the token in its arguments or environment")
	}

	h := newHistoryFixture(t)
	fs, _, err := scanGit(t, GitOptions{Repo: "file://" + filepath.ToSlash(h.r.dir), CloneDir: t.TempDir()})
	if err != nil || len(fs) != 5 {
		t.Errorf("file URL with a token set: %d findings, %v; want 5", len(fs), err)
	}
}
