package pipeline_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/revoke"
	"github.com/patrolsec/patrol/revoke/whoami"
	"github.com/patrolsec/patrol/secret"
)

// TestVerifyOnlyProviderMailsRotateURL: a live token of an issuer that documents no
// self-revoke (Hugging Face, checked through its GET /api/whoami-v2 on a fake that serves
// only that call) is skipped, with or without --yes, before any claim (no revoke_attempt
// row); the owner's email, delivered over real SMTP, says patrol could not revoke it (not
// "audit mode") and links the detector's RotateURL.
func TestVerifyOnlyProviderMailsRotateURL(t *testing.T) {
	t.Parallel()
	for _, yes := range []bool{true, false} {
		t.Run(fmt.Sprintf("yes=%v", yes), func(t *testing.T) {
			t.Parallel()
			testVerifyOnly(t, yes)
		})
	}
}

func testVerifyOnly(t *testing.T, yes bool) {
	tok := secret.New("hf" + "_" + random(34))
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/api/whoami-v2" {
			t.Errorf("fake: unexpected %s %s (off the documented contract)", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+tok.Reveal() {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"Invalid credentials in Authorization header"}`))
			return
		}
		_, _ = w.Write([]byte(`{"type":"user","id":"62f264b9f3c90f4b6514a269","name":"jdoe","fullname":"Jane Doe","email":"j@example.com"}`))
	}))
	t.Cleanup(srv.Close)
	prov, err := whoami.New(whoami.HuggingFace, whoami.Config{BaseURL: srv.URL, HTTP: revoke.ClientOptions{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}

	e := newEnv(t)
	e.tok = tok
	e.f.DetectorID, e.f.Provider, e.f.Confidence = "huggingface-token", "huggingface", "pattern"
	e.f.Secret, e.f.Redacted = tok, secret.Preview(tok, 3)
	e.f.Fingerprint = secret.Fingerprint(fpKey, e.f.DetectorID, tok)
	st := e.session()
	o := e.options(st, e.mail.mailer(t))
	o.Provs = map[string]revoke.Provider{"huggingface": prov}
	o.Policy.Yes = yes
	got := e.run(pipeline.New(o))[0]

	if got.Verify != lifecycle.VerdictLive || got.Revocation != lifecycle.OutcomeSkipped {
		t.Errorf("finding = verify %s, revocation %s, want live, skipped", got.Verify, got.Revocation)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("whoami calls = %d, want 1 (one verification, no revoke call)", n)
	}
	var owner parsedMail
	for _, m := range e.mail.received() {
		if m.rcpt[0] == "j@example.com" {
			owner = parseMail(t, m.data)
		}
	}
	if owner.subject == "" {
		t.Fatalf("no email to the owner the provider named; got %d emails", len(e.mail.received()))
	}
	const rotate = "https://huggingface.co/docs/hub/security-tokens"
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, want := range []string{"not revoked, action needed", "Hugging Face documents no API call that revokes a token",
		"How to rotate or delete it: " + rotate} {
		if !strings.Contains(flat(owner.subject+" "+owner.text), want) {
			t.Errorf("owner email lacks %q:\n%s", want, owner.text)
		}
	}
	if !strings.Contains(owner.html, `<a href="`+rotate+`">`) {
		t.Errorf("owner email html does not link %s", rotate)
	}
	if strings.Contains(owner.text, "audit") && strings.Contains(owner.text, "dry-run") {
		t.Errorf("owner email calls it a dry run:\n%s", owner.text)
	}
	if n := auditCount(t, st)["revoke_attempt"]; n != 0 {
		t.Errorf("revoke_attempt audit rows = %d, want 0 (nothing to claim)", n)
	}
	e.assertNoSecret(st, tok)
}
