package pipeline_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/store"
)

func TestDurableRevokesAndMailsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	got := e.run(e.pipeline(st, e.mail.mailer(t)))[0]
	if o := pipeline.Outcome(got); o != lifecycle.OutcomeRevoked {
		t.Fatalf("outcome = %q (state %s), want revoked", o, got.State)
	}
	msgs := e.mail.received()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2 (owner, security team)", len(msgs))
	}
	var owner parsedMail
	for _, m := range msgs {
		if m.rcpt[0] == "j@example.com" {
			owner = parseMail(t, m.data)
		}
	}
	for _, want := range []string{e.f.Redacted, "ci/deploy.yml", "contoso/app", "revoked"} {
		if !strings.Contains(owner.text, want) || !strings.Contains(owner.html, want) {
			t.Errorf("owner email text/html lacks %q\ntext: %s", want, owner.text)
		}
	}
	if owner.subject == "" {
		t.Errorf("owner email has no subject")
	}
	if got.State != lifecycle.StateNotified {
		t.Errorf("state = %s, want notified", got.State)
	}
	// One check before the revocation, one confirming it dead (the confirm step; providers
	// used to make that check inside Revoke).
	if n := e.prov.counts("verifies")[e.tok.Reveal()]; n != 2 {
		t.Errorf("verified %d times, want 2 (verify, confirm)", n)
	}

	// A second scan that sees the same token does nothing new.
	e.clock.Add(time.Hour)
	e.run(e.pipeline(st, e.mail.mailer(t)))
	if n := len(e.mail.received()); n != 2 {
		t.Errorf("second run: %d emails in all, want still 2", n)
	}
	if n := e.prov.counts("revokes")[e.tok.Reveal()]; n != 1 {
		t.Errorf("revoked %d times, want once", n)
	}
	if n := e.prov.counts("verifies")[e.tok.Reveal()]; n != 2 {
		t.Errorf("verified %d times after the second run, want still 2", n)
	}
	actions := auditCount(t, st)
	for _, a := range []string{"detect", "verify", "revoke_attempt", "revoke", "confirm", "notify_queued", "notify"} {
		if actions[a] == 0 {
			t.Errorf("audit log has no %s event: %v", a, actions)
		}
	}
	if actions["revoke_attempt"] != 1 || actions["revoke"] != 1 {
		t.Errorf("audit pairs: %d revoke_attempt, %d revoke; want one each", actions["revoke_attempt"], actions["revoke"])
	}
	e.assertNoSecret(st)
}

func TestDurableSMTPDownThenUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	addr := e.mail.addr
	mailer := e.mail.mailer(t)
	e.mail.stop() // SMTP down
	got := e.run(e.pipeline(st, mailer))[0]
	if got.State != lifecycle.StateConfirmedDead {
		t.Errorf("state = %s, want confirmed_dead (not notified: nothing was accepted)", got.State)
	}
	msgs, _ := st.Messages(t.Context(), e.f.Fingerprint)
	if len(msgs) != 2 {
		t.Fatalf("%d queued messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		if m.Status != store.StatusPending || m.LastError == "" {
			t.Errorf("message to %s: status %s, error %q; want pending with the error", m.Recipient, m.Status, m.LastError)
		}
	}
	if n := auditCount(t, st)["notify"]; n != 2 {
		t.Errorf("%d notify audit rows, want 2 (one retry each)", n)
	}
	e.mail.start(addr) // up again, same address
	p := e.pipeline(st, mailer)
	if err := p.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.received()); n != 0 {
		t.Errorf("delivered %d before the retry time", n)
	}
	e.clock.Add(2 * time.Minute)
	if err := p.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := p.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.mail.received()); n != 2 {
		t.Errorf("delivered %d emails after SMTP came back, want 2 (once each)", n)
	}
	if got, _ := st.Finding(t.Context(), e.f.Fingerprint); got.State != lifecycle.StateNotified {
		t.Errorf("state = %s after delivery, want notified", got.State)
	}
	e.assertNoSecret(st)
}

func TestDurableSMTPTemporaryAndPermanent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	e.mail.rcptErr["j@example.com"] = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Mailbox busy, try later"}
	e.mail.rcptErr["secops@contoso.example"] = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	mailer := e.mail.mailer(t)
	e.run(e.pipeline(st, mailer))
	byRcpt := map[string]store.Message{}
	msgs, _ := st.Messages(t.Context(), e.f.Fingerprint)
	for _, m := range msgs {
		byRcpt[m.Recipient] = m
	}
	if m := byRcpt["j@example.com"]; m.Status != store.StatusPending || !strings.Contains(m.LastError, "busy") {
		t.Errorf("4xx: status %s error %q, want pending for retry", m.Status, m.LastError)
	}
	if m := byRcpt["secops@contoso.example"]; m.Status != store.StatusFailed || !strings.Contains(m.LastError, "No such user") {
		t.Errorf("5xx: status %s error %q, want failed with the server's reason", m.Status, m.LastError)
	}
	// The mailbox frees up: the retry delivers, the failed one stays failed.
	e.mail.mu.Lock()
	delete(e.mail.rcptErr, "j@example.com")
	e.mail.mu.Unlock()
	e.clock.Add(2 * time.Minute)
	if err := e.pipeline(st, mailer).Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := e.mail.received(); len(got) != 1 || got[0].rcpt[0] != "j@example.com" {
		t.Errorf("after retry: %d emails, want 1 to the owner", len(got))
	}
}

func TestDurableCrashBetweenRevokeAndEmail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.open()
	p := e.pipeline(st, e.mail.mailer(t))
	if _, err := p.Record(t.Context(), []scanner.Finding{e.f}, nil); err != nil {
		t.Fatal(err)
	}
	// Verify, revoke, confirm: the messages are queued with the move to confirmed_dead, and
	// the process dies before delivering them.
	for range 3 {
		if _, ok, err := p.Step(t.Context(), e.f.Fingerprint); err != nil || !ok {
			t.Fatalf("Step = %v, %v", ok, err)
		}
	}
	if got, _ := st.Finding(t.Context(), e.f.Fingerprint); got.State != lifecycle.StateConfirmedDead {
		t.Fatalf("state = %s, want confirmed_dead", got.State)
	}
	st.Close() // the process dies

	st = e.open() // a new process, same SQLite file
	defer st.Close()
	e.clock.Add(time.Minute)
	e.run(e.pipeline(st, e.mail.mailer(t)))
	e.assertRevokedOnce(2) // across the crash; owner and security team, once each
	e.run(e.pipeline(st, e.mail.mailer(t)))
	if n := len(e.mail.received()); n != 2 {
		t.Errorf("%d emails after another run, want still 2", n)
	}
	e.assertNoSecret(st)
}

func TestDurableUnknownIsRetriedLater(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	e.prov.set(func(f *fakeProv) { f.status[e.tok.Reveal()] = revoke.StatusUnknown })
	got := e.run(e.pipeline(st, e.mail.mailer(t)))[0]
	if got.State != lifecycle.StateUnknown || !strings.Contains(pipeline.ResultOf(got).Reason, "503") {
		t.Errorf("state %s, reason %q; want unknown with the provider's answer", got.State, pipeline.ResultOf(got).Reason)
	}
	e.run(e.pipeline(st, e.mail.mailer(t))) // not due yet: no second check
	if n := e.prov.counts("verifies")[e.tok.Reveal()]; n != 1 {
		t.Errorf("verified %d times before the retry time, want 1", n)
	}
	e.prov.set(func(f *fakeProv) { delete(f.status, e.tok.Reveal()) }) // the provider answers again: live
	e.clock.Add(2 * time.Minute)
	e.run(e.pipeline(st, e.mail.mailer(t)))
	e.assertRevokedOnce(2)
}

func TestDurableWebhookOutbox(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	var mu sync.Mutex
	posts, fail := 0, true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/hooks/T000/B000/secret" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("webhook got %s %s %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(e.tok.Reveal())) || !bytes.Contains(body, []byte(`"text"`)) {
			t.Errorf("webhook body = %s", body)
		}
		mu.Lock()
		defer mu.Unlock()
		if fail {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		posts++
	}))
	defer srv.Close()
	hook, err := notify.NewWebhook(notify.WebhookConfig{URL: srv.URL + "/hooks/T000/B000/secret"}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	newP := func() *pipeline.Pipeline {
		o := e.options(st, e.mail.mailer(t))
		o.Notify.AllowedDomains = []string{"example.com"}
		o.Webhook = hook
		return pipeline.New(o)
	}
	e.run(newP()) // the chat is down: 503, kept for a retry
	msgs, _ := st.Messages(t.Context(), e.f.Fingerprint)
	var wh store.Message
	for _, m := range msgs {
		if m.Channel == pipeline.ChannelWebhook {
			wh = m
		}
	}
	if wh.Status != store.StatusPending || !strings.Contains(wh.LastError, "503") || strings.Contains(wh.LastError, "secret") {
		t.Errorf("webhook message: status %s, error %q; want pending, 503, no URL", wh.Status, wh.LastError)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	e.clock.Add(2 * time.Minute)
	for range 2 {
		if err := newP().Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if posts != 1 {
		t.Errorf("webhook posted %d times, want once", posts)
	}
}

func TestDurableDryRunThenRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	dry := e.options(st, e.mail.mailer(t))
	dry.Policy = pipeline.Policy{}
	got := e.run(pipeline.New(dry))[0]
	if r := pipeline.ResultOf(got); r.Outcome != lifecycle.OutcomeDryRun || !strings.Contains(r.Reason, "--yes") {
		t.Fatalf("first run: %+v, want dry_run with the reason", r)
	}
	if n := e.prov.counts("revokes")[e.tok.Reveal()]; n != 0 {
		t.Fatalf("dry run revoked %d times", n)
	}
	if n := len(e.mail.received()); n != 2 {
		t.Fatalf("%d emails after the dry run, want 2 (token still live)", n)
	}
	// Policy now allows it: the next run re-verifies and revokes it.
	e.clock.Add(time.Hour)
	got = e.run(e.pipeline(st, e.mail.mailer(t)))[0]
	if o := pipeline.Outcome(got); o != lifecycle.OutcomeRevoked {
		t.Fatalf("second run outcome = %q (state %s), want revoked", o, got.State)
	}
	e.assertRevokedOnce(4) // not revoked, then revoked, to owner and security team
	e.run(e.pipeline(st, e.mail.mailer(t)))
	if n := e.prov.counts("revokes")[e.tok.Reveal()]; n != 1 {
		t.Errorf("third run revoked again: %d", n)
	}
}
