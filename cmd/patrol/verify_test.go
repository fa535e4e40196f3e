package main

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeProviders plays GitHub, GitLab and Slack as PROVIDERS.md documents them: only the
// documented methods and paths are served; anything else fails the test with a 404.
type fakeProviders struct {
	t       testing.TB
	mu      sync.Mutex
	live    map[string]bool // token → live
	verify  map[string]int  // token → live checks
	revokes map[string]int  // token → revocations
	// onRevoke, when set, runs in GitHub's revoke handler after the tokens are revoked and
	// before the answer (a test kills the client there).
	onRevoke func()
}

func (f *fakeProviders) offContract(w http.ResponseWriter, r *http.Request) {
	f.t.Errorf("off-contract request: %s %s", r.Method, r.URL.Path)
	http.NotFound(w, r)
}

func (f *fakeProviders) isLive(tok string, count bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if count {
		f.verify[tok]++
	}
	return f.live[tok]
}

func (f *fakeProviders) kill(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revokes[tok]++
	f.live[tok] = false
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeProviders) github() http.Handler {
	mux := http.NewServeMux()
	bearer := func(r *http.Request) string {
		a := r.Header.Get("Authorization")
		if t, ok := strings.CutPrefix(a, "Bearer "); ok {
			return t
		}
		t, _ := strings.CutPrefix(a, "token ")
		return t
	}
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("X-GitHub-Api-Version"); v != "2022-11-28" {
			f.t.Errorf("GET /user: X-GitHub-Api-Version = %q", v)
		}
		if !f.isLive(bearer(r), true) {
			writeJSON(w, 401, map[string]string{"message": "Bad credentials"})
			return
		}
		writeJSON(w, 200, map[string]any{"login": "octo", "id": 42, "type": "User", "name": "Octo Cat", "email": nil})
	})
	mux.HandleFunc("GET /user/emails", func(w http.ResponseWriter, r *http.Request) {
		if !f.isLive(bearer(r), false) {
			writeJSON(w, 401, map[string]string{"message": "Bad credentials"})
			return
		}
		writeJSON(w, 200, []map[string]any{{"email": "octo@contoso.example", "primary": true, "verified": true, "visibility": "private"}})
	})
	mux.HandleFunc("POST /credentials/revoke", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			writeJSON(w, 403, map[string]string{"message": "Must not be authenticated"})
			return
		}
		var body struct {
			Credentials []string `json:"credentials"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Credentials) == 0 || len(body.Credentials) > 1000 {
			writeJSON(w, 422, map[string]string{"message": "Validation failed"})
			return
		}
		for _, c := range body.Credentials {
			f.kill(c)
		}
		if f.onRevoke != nil {
			f.onRevoke()
		}
		writeJSON(w, 202, map[string]any{})
	})
	mux.HandleFunc("/", f.offContract)
	return mux
}

func (f *fakeProviders) gitlab() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v4/personal_access_tokens/self", func(w http.ResponseWriter, r *http.Request) {
		if !f.isLive(r.Header.Get("PRIVATE-TOKEN"), true) {
			writeJSON(w, 401, map[string]string{"message": "401 Unauthorized"})
			return
		}
		writeJSON(w, 200, map[string]any{"id": 7, "name": "ci", "revoked": false, "created_at": "2025-01-01T00:00:00.000Z",
			"scopes": []string{"api"}, "user_id": 9, "active": true, "expires_at": "2027-01-01"})
	})
	mux.HandleFunc("GET /api/v4/user", func(w http.ResponseWriter, r *http.Request) {
		if !f.isLive(r.Header.Get("PRIVATE-TOKEN"), false) {
			writeJSON(w, 401, map[string]string{"message": "401 Unauthorized"})
			return
		}
		writeJSON(w, 200, map[string]any{"id": 9, "username": "jane", "name": "Jane", "email": "jane@contoso.example", "state": "active"})
	})
	mux.HandleFunc("DELETE /api/v4/personal_access_tokens/self", func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("PRIVATE-TOKEN")
		if !f.isLive(tok, false) {
			writeJSON(w, 401, map[string]string{"message": "401 Unauthorized"})
			return
		}
		f.kill(tok)
		w.WriteHeader(204)
	})
	mux.HandleFunc("/", f.offContract)
	return mux
}

func (f *fakeProviders) slack() http.Handler {
	mux := http.NewServeMux()
	tok := func(r *http.Request) string {
		t, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return t
	}
	mux.HandleFunc("POST /api/auth.test", func(w http.ResponseWriter, r *http.Request) {
		if !f.isLive(tok(r), true) {
			writeJSON(w, 200, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		writeJSON(w, 200, map[string]any{"ok": true, "url": "https://contoso.slack.com/", "team": "Contoso", "user": "bot", "team_id": "T1", "user_id": "U1", "bot_id": "B1"})
	})
	users := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"ok": false, "error": "missing_scope"})
	}
	mux.HandleFunc("GET /api/users.info", users)
	mux.HandleFunc("POST /api/users.info", users)
	mux.HandleFunc("POST /api/auth.revoke", func(w http.ResponseWriter, r *http.Request) {
		t := tok(r)
		if !f.isLive(t, false) {
			writeJSON(w, 200, map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		f.kill(t)
		writeJSON(w, 200, map[string]any{"ok": true, "revoked": true})
	})
	mux.HandleFunc("/", f.offContract)
	return mux
}

func randString(seed uint64, alphabet string, n int) string {
	r := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func gitRun(t testing.TB, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@contoso.example",
		"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@contoso.example")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// repoWith builds a real repository in a temporary directory with files (name → content)
// in one commit by dev@contoso.example, and returns its path.
func repoWith(t *testing.T, files map[string]string) string {
	t.Helper()
	repo := t.TempDir()
	gitRun(t, repo, "init", "-q")
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "commit", "-qm", "add files")
	return repo
}

// TestScanVerifyRevokeEndToEnd plants tokens in a real repository, scans it with --verify
// --revoke --yes against the fakes, and checks each live token was revoked exactly once.
func TestScanVerifyRevokeEndToEnd(t *testing.T) {
	t.Parallel()
	const digits, alnum = "0123456789", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	ghLive, ghDead := ghp(101), ghp(102)
	glLive := "glpat-" + randString(103, alnum, 20)
	slLive := "xoxb-" + randString(104, digits, 12) + "-" + randString(105, digits, 13) + "-" + randString(106, alnum, 24)
	f := &fakeProviders{t: t, live: map[string]bool{ghLive: true, glLive: true, slLive: true}, verify: map[string]int{}, revokes: map[string]int{}}
	gh, gl, sl := httptest.NewServer(f.github()), httptest.NewServer(f.gitlab()), httptest.NewServer(f.slack())
	defer gh.Close()
	defer gl.Close()
	defer sl.Close()

	repo := t.TempDir()
	gitRun(t, repo, "init", "-q")
	os.WriteFile(filepath.Join(repo, "ci.yml"), []byte("github: "+ghLive+"\nold: "+ghDead+"\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "copy.env"), []byte("GH="+ghLive+"\n"), 0o644) // same token twice
	os.WriteFile(filepath.Join(repo, "gitlab.env"), []byte("GL="+glLive+"\nSLACK="+slLive+"\n"), 0o644)
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "commit", "-qm", "add config")

	cfgPath := filepath.Join(t.TempDir(), "patrol.yaml")
	cfg := "providers:\n" +
		"  github: {base_url: " + gh.URL + "/}\n" +
		"  gitlab: {base_url: " + gl.URL + "/}\n" +
		"  slack: {base_url: " + sl.URL + "/api/}\n"
	os.WriteFile(cfgPath, []byte(cfg), 0o644)

	db := filepath.Join(t.TempDir(), "audit.db")
	code, out, errs := runPatrol(t, "", "scan", "-c", cfgPath, "-f", "json", "--verify", "--revoke", "--yes", "--store", db, repo)
	if code != 1 {
		t.Fatalf("exit = %d, want 1; stderr: %s", code, errs)
	}
	var got []struct {
		Detector     string                `json:"detector"`
		Location     struct{ Path string } `json:"location"`
		Verification struct {
			Status string `json:"status"`
			Owner  struct{ Email string }
		} `json:"verification"`
		Revocation struct{ Status, Reason string } `json:"revocation"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	want := map[string]string{ // path+detector → verification/revocation
		"ci.yml github-classic-pat live":   "revoked",
		"ci.yml github-classic-pat dead":   "skipped",
		"copy.env github-classic-pat live": "revoked",
		"gitlab.env gitlab-pat live":       "revoked",
		"gitlab.env slack-bot-token live":  "revoked",
	}
	if len(got) != len(want) {
		t.Errorf("got %d findings, want %d: %s", len(got), len(want), out)
	}
	for _, g := range got {
		k := g.Location.Path + " " + g.Detector + " " + g.Verification.Status
		if w, ok := want[k]; !ok || g.Revocation.Status != w {
			t.Errorf("%s: revocation %q (%s), want %q", k, g.Revocation.Status, g.Revocation.Reason, w)
		}
	}
	for tok, name := range map[string]string{ghLive: "github", glLive: "gitlab", slLive: "slack"} {
		if f.revokes[tok] != 1 {
			t.Errorf("%s token revoked %d times, want once", name, f.revokes[tok])
		}
		if f.verify[tok] < 1 {
			t.Errorf("%s token never verified", name)
		}
	}
	if f.revokes[ghDead] != 0 {
		t.Errorf("dead token revoked")
	}
	for _, tok := range []string{ghLive, ghDead, glLive, slLive} {
		if strings.Contains(out+errs, tok) {
			t.Errorf("raw token in output")
		}
	}

	// Each revocation was written to the audit log before and after.
	_, auditOut, _ := runPatrol(t, "", "audit", "--store", db, "-f", "json")
	if n := strings.Count(auditOut, `"revoke_attempt"`); n != 3 {
		t.Errorf("audit log has %d revoke attempts, want 3:\n%s", n, auditOut)
	}

	// A dry run (no --yes, revoke off in the config) revokes nothing.
	f.mu.Lock()
	f.live[ghLive] = true
	f.revokes = map[string]int{}
	f.mu.Unlock()
	_, out, _ = runPatrol(t, "", "scan", "-c", cfgPath, "-f", "json", "--revoke", filepath.Join(repo, "ci.yml"))
	if !strings.Contains(out, `"dry_run"`) || len(f.revokes) != 0 {
		t.Errorf("dry run: revokes = %v, output %s", f.revokes, out)
	}

	// patrol verify reads the token from stdin.
	code, out, errs = runPatrol(t, "token: "+ghLive+"\n", "verify", "-c", cfgPath, "-f", "json")
	if code != 1 || !strings.Contains(out, `"status": "live"`) {
		t.Errorf("verify = %d, %s %s; want exit 1 and live", code, out, errs)
	}
	code, _, errs = runPatrol(t, "nothing here", "verify", "-c", cfgPath)
	if code != 2 || !strings.Contains(errs, "no token") {
		t.Errorf("verify without a token = %d, %s", code, errs)
	}
	_ = io.Discard
}
