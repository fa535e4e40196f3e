package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

// fileTokens reads a token back from a file on disk at its stored span, as the integrator's
// repository reader does from a blob.
type fileTokens struct{ root string }

func (r fileTokens) Rehydrate(ctx context.Context, f store.Finding) (secret.Token, error) {
	if len(f.Locations) == 0 || f.Locations[0].Length == 0 {
		return secret.Token{}, fmt.Errorf("finding %s has no stored span", f.Fingerprint)
	}
	l := f.Locations[0]
	fh, err := os.Open(filepath.Join(r.root, filepath.FromSlash(l.Path)))
	if err != nil {
		return secret.Token{}, err
	}
	defer fh.Close()
	buf := make([]byte, l.Length)
	if _, err := fh.ReadAt(buf, l.Offset); err != nil {
		return secret.Token{}, fmt.Errorf("read %s at %d: %w", l.Path, l.Offset, err)
	}
	return secret.New(string(buf)), nil
}

// TestRunDueRetriesUnknownWithoutRescan: an unknown verification is retried by the retry
// worker of a later process, which reads the token back from where it lives, and the token
// ends revoked; no scan sees it again.
func TestRunDueRetriesUnknownWithoutRescan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dir := t.TempDir()
	prefix := "# deploy settings\nGITHUB_TOKEN="
	if err := os.MkdirAll(filepath.Join(dir, "ci"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ci", "deploy.env"), []byte(prefix+e.tok.Reveal()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := e.open()
	// What a scan records (the scanner's span mapping is the integrator's; here it is set).
	if _, _, err := st.SaveFinding(t.Context(), store.Finding{Fingerprint: e.f.Fingerprint, DetectorID: e.f.DetectorID,
		Provider: "github", Confidence: "checksum", Redacted: e.f.Redacted,
		Locations: []store.Location{{Source: "dir", Repository: dir, Path: "ci/deploy.env", Line: 2, Column: 14,
			Offset: int64(len(prefix)), Length: e.tok.Len()}}}); err != nil {
		t.Fatal(err)
	}
	e.prov.set(func(f *fakeProv) { f.status[e.tok.Reveal()] = "unknown" })
	newP := func(st store.Store) *pipeline.Pipeline {
		o := e.options(st, e.mail.mailer(t))
		o.Tokens = &pipeline.Memory{Next: fileTokens{dir}} // this run's scan holds nothing
		return pipeline.New(o)
	}
	if _, err := newP(st).RunDue(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Finding(t.Context(), e.f.Fingerprint); got.State != lifecycle.StateUnknown {
		t.Fatalf("state = %s, want unknown", got.State)
	}
	st.Close()

	e.prov.set(func(f *fakeProv) { delete(f.status, e.tok.Reveal()) })
	e.clock.Add(2 * time.Minute)
	st = e.open() // a restart
	defer st.Close()
	n, err := newP(st).RunDue(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := st.Finding(t.Context(), e.f.Fingerprint)
	if got.State != lifecycle.StateNotified || pipeline.Outcome(got) != lifecycle.OutcomeRevoked {
		t.Errorf("state %s, outcome %s after %d steps; want notified, revoked", got.State, pipeline.Outcome(got), n)
	}
	e.assertRevokedOnce(2)
	e.assertNoSecret(st)
}

// TestSlowConfirmationDoesNotDelayOthers: an Azure DevOps token whose revocation takes
// minutes to take effect is confirmed on its own schedule; the other token's revocation and
// email go out first, before any wait.
func TestSlowConfirmationDoesNotDelayOthers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	ado := newFakeProv("azuredevops")
	adoTok := randTok("ado")
	ado.liveAfter[adoTok] = 6 // still live at six confirm checks after the revocation
	adoF := finding("azuredevops", adoTok, "https://dev.azure.com/contoso/app/_git/app")
	var mu sync.Mutex
	var order []string
	ado.onDead = func(string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, "ado confirmed dead")
	}
	e.mail.onData = func(rcpt []string, data []byte) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, fmt.Sprintf("mail %s %s after %d waits", rcpt[0], parseMail(t, data).subject, len(e.clock.sleeps)))
	}
	o := e.options(st, e.mail.mailer(t))
	o.Provs["azuredevops"] = ado
	o.Tokens.(*pipeline.Memory).Add(adoF)
	p := pipeline.New(o)
	stored, err := p.Record(t.Context(), []scanner.Finding{adoF, e.f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Drain(t.Context(), []string{stored[0].Fingerprint, stored[1].Fingerprint}, e.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(order) != 5 {
		t.Fatalf("events = %q, want 2 emails, the confirmation, 2 emails", order)
	}
	for _, ev := range order[:2] {
		if !strings.Contains(ev, "GitHub") || !strings.HasSuffix(ev, "after 0 waits") {
			t.Errorf("event %q: want the GitHub token's emails first, before any wait", ev)
		}
	}
	if order[2] != "ado confirmed dead" || !strings.Contains(order[3], "azuredevops-token") {
		t.Errorf("events = %q, want the Azure DevOps confirmation, then its emails", order)
	}
	if n := ado.counts("verifies")[adoTok]; n != 8 {
		t.Errorf("%d Azure DevOps checks, want 8 (verify, 6 live confirm polls, dead)", n)
	}
	for _, f := range stored {
		if got, _ := st.Finding(t.Context(), f.Fingerprint); got.State != lifecycle.StateNotified {
			t.Errorf("%s is %s, want notified", f.Provider, got.State)
		}
	}
}

// TestUnconfirmedAfterWindow: a revocation that still answers live after the confirm window
// becomes unconfirmed, the owner is told to treat the token as live, and a later check that
// finds it dead completes it.
func TestUnconfirmedAfterWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	e.prov.set(func(f *fakeProv) { f.liveAfter[e.tok.Reveal()] = 1000 })
	o := e.options(st, e.mail.mailer(t))
	o.ConfirmWindow = time.Minute
	p := pipeline.New(o)
	if _, err := p.Record(t.Context(), []scanner.Finding{e.f}, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Drain(t.Context(), []string{e.f.Fingerprint}, e.clock.Now().Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Finding(t.Context(), e.f.Fingerprint)
	if got.State != lifecycle.StateUnconfirmed || pipeline.Outcome(got) != lifecycle.OutcomeSent {
		t.Fatalf("state %s, outcome %s; want unconfirmed, revocation_sent", got.State, pipeline.Outcome(got))
	}
	// 5s, 10s, 20s, 40s: the fifth poll, 75s after the revocation, is past the window; the
	// next comes 80s later on the slower schedule, and the one after that is past until.
	if n := e.prov.counts("verifies")[e.tok.Reveal()]; n != 7 {
		t.Errorf("%d checks, want 7 (verify, 5 confirm polls, 1 slower poll)", n)
	}
	msgs := e.mail.received()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2 (owner and security team told it is unconfirmed)", len(msgs))
	}
	if m := parseMail(t, msgs[0].data); !strings.Contains(m.subject, "revocation pending") || !strings.Contains(m.text, "treat the token as live") {
		t.Errorf("email: %s\n%s", m.subject, m.text)
	}
	if n := auditCount(t, st)["confirm"]; n != 1 {
		t.Errorf("%d confirm audit rows, want 1 (unconfirmed)", n)
	}

	e.prov.set(func(f *fakeProv) { f.liveAfter[e.tok.Reveal()] = 0 })
	e.clock.Add(2 * time.Hour)
	if _, err := pipeline.New(o).RunDue(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	got, _ = st.Finding(t.Context(), e.f.Fingerprint)
	if got.State != lifecycle.StateNotified || pipeline.Outcome(got) != lifecycle.OutcomeRevoked {
		t.Errorf("state %s, outcome %s; want notified, revoked", got.State, pipeline.Outcome(got))
	}
	if n := len(e.mail.received()); n != 4 {
		t.Errorf("%d emails, want 4 (unconfirmed, then revoked)", n)
	}
}

// TestRehydrateFailureIsRetried: a token that cannot be read back is a failure of the step,
// in the audit log and retried, never a silent skip.
func TestRehydrateFailureIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	o := e.options(st, e.mail.mailer(t))
	mem := &pipeline.Memory{}
	o.Tokens = mem
	p := pipeline.New(o)
	if _, err := p.Record(t.Context(), []scanner.Finding{e.f}, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.Drain(t.Context(), []string{e.f.Fingerprint}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Finding(t.Context(), e.f.Fingerprint)
	if got.State != lifecycle.StateUnknown || !got.NextAttempt.After(e.clock.Now()) {
		t.Errorf("state %s next %v, want unknown, retried later", got.State, got.NextAttempt)
	}
	evs, _ := st.AuditLog(t.Context(), time.Time{}, 0)
	found := false
	for _, ev := range evs {
		found = found || ev.Action == "verify" && ev.Result == "retry" && strings.Contains(ev.Detail, pipeline.ErrNoToken.Error())
	}
	if !found {
		t.Errorf("no audit row for the failed read: %+v", evs)
	}
	mem.Add(e.f)
	e.clock.Add(2 * time.Minute)
	if err := p.Drain(t.Context(), []string{e.f.Fingerprint}, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Finding(t.Context(), e.f.Fingerprint); got.State != lifecycle.StateNotified {
		t.Errorf("state = %s after the token came back, want notified", got.State)
	}
}

// TestEmailNamesFirstCommitAndCustomRule: the email names where the token was first
// committed, whatever order the scans recorded its locations in, and a custom rule's
// description as the token kind.
func TestEmailNamesFirstCommitAndCustomRule(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	later, earlier := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	f1 := e.f
	f1.DetectorID = "contoso-deploy-key"
	f1.Fingerprint = secret.Fingerprint(fpKey, f1.DetectorID, e.tok)
	f1.Location.Path, f1.Location.Date, f1.Location.Commit = "later.txt", &later, strings.Repeat("b", 40)
	f2 := f1
	f2.Location.Path, f2.Location.Date, f2.Location.Commit = "early.txt", &earlier, strings.Repeat("c", 40)
	o := e.options(st, e.mail.mailer(t))
	o.Tokens.(*pipeline.Memory).Add(f1)
	o.Describe = func(id string) string {
		return map[string]string{"contoso-deploy-key": "Contoso deploy key"}[id]
	}
	e.run(pipeline.New(o), f1)
	e.run(pipeline.New(o), f2) // a later scan (of an older branch) records the first commit
	msgs := e.mail.received()
	if len(msgs) != 2 {
		t.Fatalf("%d emails, want 2", len(msgs))
	}
	m := parseMail(t, msgs[0].data)
	for _, want := range []string{"Contoso deploy key", strings.Repeat("b", 40)} {
		if !strings.Contains(m.subject+m.text, want) {
			t.Errorf("email lacks %q:\n%s\n%s", want, m.subject, m.text)
		}
	}

	// Both locations known before the email: it names the earlier commit.
	e2 := newEnv(t)
	st2 := e2.session()
	o2 := e2.options(st2, e2.mail.mailer(t))
	o2.Tokens.(*pipeline.Memory).Add(f1)
	o2.Describe = o.Describe
	e2.run(pipeline.New(o2), f1, f2)
	m = parseMail(t, e2.mail.received()[0].data)
	if !strings.Contains(m.text, "early.txt") || strings.Contains(m.text, "later.txt") || !strings.Contains(m.text, "Contoso deploy key") {
		t.Errorf("email should name early.txt and the custom rule only:\n%s", m.text)
	}
}

func TestRecordAlsoInOneTransaction(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	p := e.pipeline(st, nil)
	boom := errors.New("cursor write failed")
	_, err := p.Record(t.Context(), []scanner.Finding{e.f}, func(tx store.Store) error {
		if err := tx.SaveCursor(t.Context(), store.Cursor{Repository: "r", Refs: map[string]string{"refs/heads/main": strings.Repeat("a", 40)}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Record = %v, want the also error", err)
	}
	if fs, _ := st.Findings(t.Context(), store.Query{}); len(fs) != 0 {
		t.Errorf("%d findings saved, want none: also failed in the same transaction", len(fs))
	}
	if c, _ := st.Cursor(t.Context(), "r"); c.Refs != nil {
		t.Errorf("cursor = %+v, want none", c)
	}
	stored, err := p.Record(t.Context(), []scanner.Finding{e.f, e.f}, func(tx store.Store) error {
		return tx.SaveCursor(t.Context(), store.Cursor{Repository: "r", Refs: map[string]string{"refs/heads/main": strings.Repeat("a", 40)}})
	})
	if err != nil || len(stored) != 1 {
		t.Fatalf("Record = %d findings, %v; want 1", len(stored), err)
	}
	if c, _ := st.Cursor(t.Context(), "r"); c.Refs == nil {
		t.Errorf("cursor not saved with the findings")
	}
	if n := auditCount(t, st)["detect"]; n != 1 {
		t.Errorf("%d detect rows, want 1", n)
	}
	if _, err := p.Record(t.Context(), []scanner.Finding{{DetectorID: "x", Location: scanner.Location{Path: "a.env", Line: 3}}}, nil); err == nil ||
		!strings.Contains(err.Error(), "a.env:3") {
		t.Errorf("Record without a fingerprint = %v, want an error naming where", err)
	}
}

// TestUnknownPayloadVersionFailsForGood: a queued message in a format newer than this patrol
// is recorded failed with the reason, not retried forever and not dropped silently.
func TestUnknownPayloadVersionFailsForGood(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	p := e.pipeline(st, e.mail.mailer(t))
	if _, err := p.Record(t.Context(), []scanner.Finding{e.f}, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Enqueue(t.Context(), store.Message{Fingerprint: e.f.Fingerprint, Recipient: "j@example.com",
		Event: pipeline.EventRevoked, Channel: pipeline.ChannelEmail, Payload: []byte(`{"v":2,"detector":"x"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := p.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	msgs, _ := st.Messages(t.Context(), e.f.Fingerprint)
	if len(msgs) != 1 || msgs[0].Status != store.StatusFailed || !strings.Contains(msgs[0].LastError, "version 2") {
		t.Errorf("messages = %+v, want one failed naming version 2", msgs)
	}
	if n := len(e.mail.received()); n != 0 {
		t.Errorf("%d emails sent, want none", n)
	}
	evs, _ := st.AuditLog(t.Context(), time.Time{}, 0)
	if last := evs[len(evs)-1]; last.Action != "notify" || last.Result != "failed" {
		t.Errorf("last audit row = %+v, want notify failed", last)
	}
}

func TestNoProviderThenConfigured(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.session()
	o := e.options(st, nil)
	o.Provs = map[string]revoke.Provider{}
	got := e.run(pipeline.New(o))[0]
	if got.State != lifecycle.StateSkipped || got.Verify != "" {
		t.Fatalf("state %s verify %q, want skipped, never verified", got.State, got.Verify)
	}
	// A later process has the provider: the skipped finding is taken up.
	if _, err := e.pipeline(st, nil).RunDue(t.Context(), 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Finding(t.Context(), e.f.Fingerprint); got.State != lifecycle.StateConfirmedDead {
		t.Errorf("state = %s, want confirmed_dead (no notifier: it rests there)", got.State)
	}
	// A later process has a notifier: the owner is told, once.
	for range 2 {
		if _, err := e.pipeline(st, e.mail.mailer(t)).RunDue(t.Context(), 0); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := st.Finding(t.Context(), e.f.Fingerprint); got.State != lifecycle.StateNotified {
		t.Errorf("state = %s, want notified", got.State)
	}
	e.assertRevokedOnce(2)
}
