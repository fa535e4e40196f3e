package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// smtpSink is a real SMTP server on loopback that keeps what it receives.
type smtpSink struct {
	mu   sync.Mutex
	rcpt []string
	data [][]byte
}

type sinkSession struct {
	s    *smtpSink
	rcpt []string
}

func (x *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.rcpt = append(x.rcpt, to)
	return nil
}
func (x *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.rcpt = append(x.s.rcpt, x.rcpt...)
	x.s.data = append(x.s.data, b)
	return err
}
func (x *sinkSession) Reset()        { x.rcpt = nil }
func (x *sinkSession) Logout() error { return nil }

func startSink(t testing.TB) (*smtpSink, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s, l.Addr().String()
}

func (s *smtpSink) recipients() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.rcpt...)
	sort.Strings(out)
	return out
}

// TestScanNotifyEndToEnd: patrol scan --revoke --notify --yes on a repository with planted
// tokens, against the provider fakes and a loopback SMTP server, revokes each live token once,
// emails each owner once, and a second run sends nothing new.
func TestScanNotifyEndToEnd(t *testing.T) {
	t.Parallel()
	const digits, alnum = "0123456789", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	ghLive := ghp(201)
	glLive := "glpat-" + randString(203, alnum, 20)
	slLive := "xoxb-" + randString(204, digits, 12) + "-" + randString(205, digits, 13) + "-" + randString(206, alnum, 24)
	f := &fakeProviders{t: t, live: map[string]bool{ghLive: true, glLive: true, slLive: true}, verify: map[string]int{}, revokes: map[string]int{}}
	gh, gl, sl := httptest.NewServer(f.github()), httptest.NewServer(f.gitlab()), httptest.NewServer(f.slack())
	defer gh.Close()
	defer gl.Close()
	defer sl.Close()
	sink, addr := startSink(t)
	host, port, _ := net.SplitHostPort(addr)

	repo := t.TempDir()
	gitRun(t, repo, "init", "-q")
	os.WriteFile(filepath.Join(repo, "ci.yml"), []byte("github: "+ghLive+"\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "copy.env"), []byte("GH="+ghLive+"\n"), 0o644)
	os.WriteFile(filepath.Join(repo, "app.env"), []byte("GL="+glLive+"\nSLACK="+slLive+"\n"), 0o644)
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "commit", "-qm", "add config")

	dir := t.TempDir()
	db := filepath.Join(dir, "patrol.db")
	cfgPath := filepath.Join(dir, "patrol.yaml")
	cfg := "store: {driver: sqlite, dsn: " + db + "}\n" +
		"providers:\n" +
		"  github: {base_url: " + gh.URL + "/}\n" +
		"  gitlab: {base_url: " + gl.URL + "/}\n" +
		"  slack: {base_url: " + sl.URL + "/api/}\n" +
		"notify:\n" +
		"  smtp: {host: " + host + ", port: " + port + ", from: \"patrol <patrol@contoso.example>\", tls: none}\n" +
		"  security_team: secops@contoso.example\n" +
		"  allowed_domains: [contoso.example]\n"
	os.WriteFile(cfgPath, []byte(cfg), 0o644)

	code, out, errs := runPatrol(t, "", "scan", "-c", cfgPath, "-f", "json", "--revoke", "--notify", "--yes", repo)
	if code != 1 {
		t.Fatalf("exit = %d, want 1; stderr: %s", code, errs)
	}
	var got []struct {
		Detector   string
		Revocation struct{ Status string } `json:"revocation"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 4 {
		t.Fatalf("report: %v, %d entries\n%s", err, len(got), out)
	}
	for _, g := range got {
		if g.Revocation.Status != "revoked" {
			t.Errorf("%s: revocation %q, want revoked", g.Detector, g.Revocation.Status)
		}
	}
	for tok, name := range map[string]string{ghLive: "github", glLive: "gitlab", slLive: "slack"} {
		if f.revokes[tok] != 1 {
			t.Errorf("%s token revoked %d times, want once", name, f.revokes[tok])
		}
	}
	// Owners: GitHub's and GitLab's from the provider; Slack gives none, so the commit author
	// (probable owner). The security team gets a copy of each.
	want := []string{"dev@contoso.example", "jane@contoso.example", "octo@contoso.example",
		"secops@contoso.example", "secops@contoso.example", "secops@contoso.example"}
	if got := sink.recipients(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("recipients = %v, want %v", got, want)
	}

	// A second run sends nothing new and revokes nothing.
	code, _, errs = runPatrol(t, "", "scan", "-c", cfgPath, "-f", "json", "--revoke", "--notify", "--yes", repo)
	if code != 1 {
		t.Errorf("second run exit = %d; %s", code, errs)
	}
	if n := len(sink.recipients()); n != len(want) {
		t.Errorf("second run: %d emails in all, want still %d", n, len(want))
	}
	for tok := range f.live {
		if f.revokes[tok] > 1 {
			t.Errorf("a token was revoked again on the second run")
		}
	}

	// findings and audit read the store; nothing holds a raw token.
	code, out, errs = runPatrol(t, "", "findings", "-c", cfgPath)
	if code != 0 || strings.Count(out, "notified") != 3 {
		t.Errorf("findings = %d:\n%s%s", code, out, errs)
	}
	code, auditOut, _ := runPatrol(t, "", "audit", "-c", cfgPath, "-f", "json")
	if code != 0 || !strings.Contains(auditOut, `"revoke_attempt"`) {
		t.Errorf("audit = %d:\n%s", code, auditOut)
	}
	dbBytes, _ := os.ReadFile(db)
	wal, _ := os.ReadFile(db + "-wal")
	sink.mu.Lock()
	mails := bytes.Join(sink.data, nil)
	sink.mu.Unlock()
	for _, tok := range []string{ghLive, glLive, slLive} {
		for name, b := range map[string][]byte{"db": dbBytes, "wal": wal, "mail": mails, "audit": []byte(auditOut), "findings": []byte(out)} {
			if bytes.Contains(b, []byte(tok)) {
				t.Errorf("raw token found in %s", name)
			}
		}
	}
}

// TestNotifyNeedsNotifier: --notify without notify.smtp or notify.webhook refuses to start
// (exit 2, naming the missing section) and does nothing; a --revoke run without --notify
// leaves the revoked token's owner unmailed, and the first --notify run after the config
// gains a notify section mails the owner, once.
func TestNotifyNeedsNotifier(t *testing.T) {
	t.Parallel()
	tok := ghp(501)
	f := &fakeProviders{t: t, live: map[string]bool{tok: true}, verify: map[string]int{}, revokes: map[string]int{}}
	gh := httptest.NewServer(f.github())
	defer gh.Close()
	sink, addr := startSink(t)
	host, port, _ := net.SplitHostPort(addr)

	repo := repoWith(t, map[string]string{"ci.env": "GH=" + tok + "\n"})

	dir := t.TempDir()
	base := "store: {dsn: " + filepath.Join(dir, "patrol.db") + "}\nproviders:\n  github: {base_url: " + gh.URL + "/}\n"
	noNotify := filepath.Join(dir, "no-notify.yaml")
	os.WriteFile(noNotify, []byte(base+"notify:\n  security_team: secops@contoso.example\n"), 0o600)
	withNotify := filepath.Join(dir, "patrol.yaml")
	os.WriteFile(withNotify, []byte(base+"notify:\n  smtp: {host: "+host+", port: "+port+", from: patrol@contoso.example, tls: none}\n"+
		"  allowed_domains: [contoso.example]\n"), 0o600)

	for _, args := range [][]string{
		{"scan", "-c", noNotify, "--revoke", "--notify", "--yes", repo},
		{"scan", "--store", filepath.Join(dir, "other.db"), "--notify", repo}, // no config at all
	} {
		code, out, errs := runPatrol(t, "", args...)
		if code != exitError || !strings.Contains(errs, "notify.smtp") || !strings.Contains(errs, "notify.webhook") {
			t.Errorf("%v = exit %d, stderr %q; want 2 naming the missing notify section", args, code, errs)
		}
		if out != "" {
			t.Errorf("%v: a refused run wrote a report: %q", args, out)
		}
	}
	f.mu.Lock()
	if f.verify[tok] != 0 || f.revokes[tok] != 0 {
		t.Errorf("a refused run called the provider: %d verifications, %d revocations", f.verify[tok], f.revokes[tok])
	}
	f.mu.Unlock()

	if code, _, errs := runPatrol(t, "", "scan", "-c", noNotify, "--revoke", "--yes", repo); code != exitFindings {
		t.Fatalf("scan --revoke --yes = exit %d, want 1; stderr: %s", code, errs)
	}
	if got := sink.recipients(); len(got) != 0 {
		t.Fatalf("mailed %v without --notify", got)
	}
	code, _, errs := runPatrol(t, "", "scan", "-c", withNotify, "--revoke", "--notify", "--yes", repo)
	if code != exitFindings {
		t.Fatalf("scan --notify after the config was fixed = exit %d, want 1; stderr: %s", code, errs)
	}
	if got := sink.recipients(); strings.Join(got, ",") != "octo@contoso.example" {
		t.Errorf("recipients = %v, want the owner once", got)
	}
	f.mu.Lock()
	if f.revokes[tok] != 1 {
		t.Errorf("token revoked %d times, want once", f.revokes[tok])
	}
	f.mu.Unlock()
}
