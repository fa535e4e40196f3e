package notify

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// renderCases are the golden cases: one per action, plus the probable-owner wording and a
// hostile repository.
func renderCases() []struct {
	name string
	leak Leak
} {
	with := func(f func(*Leak)) Leak { l := leak(); f(&l); return l }
	return []struct {
		name string
		leak Leak
	}{
		{"revoked", leak()},
		{"probable-owner-revoke-failed", with(func(l *Leak) {
			l.Provider, l.Detector, l.TokenKind = "azuredevops", "azure-devops-pat", "Azure DevOps personal access token"
			l.Repository = "https://dev.azure.com/contoso/app/_git/app"
			l.CommitURL = "https://dev.azure.com/contoso/app/_git/app/commit/9fceb02d0ae598e95dc970b74767f19372d61af8"
			l.Action, l.ActionReason = "revoke_failed", "azuredevops: POST /_apis/tokenadmin/revocations: 403 Forbidden"
			l.OwnerName, l.OwnerEmail, l.ProbableOwner = "", "dev@contoso.com", true
		})},
		{"unconfirmed", with(func(l *Leak) { l.Action = ActionUnconfirmed })},
		{"skipped", with(func(l *Leak) {
			l.Action, l.ActionReason = ActionSkipped, "revocation not supported for GitHub App installation tokens."
		})},
		{"dry-run", with(func(l *Leak) { l.Action = ActionDryRun })},
		{"skipped-verify-only", with(func(l *Leak) {
			l.Provider, l.Detector, l.TokenKind = "huggingface", "huggingface-token", "Hugging Face user access token"
			l.Redacted = "hf_Ab1c…"
			l.Action = ActionSkipped
			l.ActionReason = "huggingface: revocation not supported: Hugging Face documents no API call that revokes a token " +
				"with the token itself; its owner must rotate it"
			l.RotateURL = "https://huggingface.co/docs/hub/security-tokens"
		})},
		{"dead", with(func(l *Leak) { l.Action = ActionDead })},
		{"unknown-no-location", with(func(l *Leak) {
			l.Action, l.ActionReason, l.ActionAt = "", "github: GET /user: timeout", time.Time{}
			l.Commit, l.Path, l.Line, l.CommitURL, l.Contact = "", "", 0, "", ""
			l.Repository = "stdin"
		})},
		{"hostile", with(func(l *Leak) {
			l.Repository = `contoso/<script>alert("x")</script>`
			l.Path = "a/<img src=x onerror=alert(1)>\u202egnp.exe\r\nBcc: victim@evil.example"
			l.CommitURL = "javascript:alert(document.cookie)"
			l.OwnerName = `Mallory <b>&amp;</b>`
			l.ActionReason = "</p><a href=https://evil.example>click</a>"
			l.Action = ActionSkipped
			l.Contact = `"><script>x</script>`
		})},
	}
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	for _, tt := range renderCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			subject, text, html, err := Render(tt.leak)
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			got := map[string]string{
				".txt":  "Subject: " + subject + "\n\n" + text,
				".html": html,
			}
			for ext, g := range got {
				path := filepath.Join("testdata", "leak-"+tt.name+ext)
				if *update {
					if err := os.WriteFile(path, []byte(g), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("read golden (run go test -update): %v", err)
				}
				if diff := cmp.Diff(string(want), g); diff != "" {
					t.Errorf("Render(%s)%s mismatch (-want +got; go test -update rewrites):\n%s", tt.name, ext, diff)
				}
				assertNoSecret(t, path, []byte(g))
			}
		})
	}
}

func TestRenderContent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		leak        Leak
		subject     string
		want        []string // in both text and html
		wantText    []string
		wantHTML    []string
		notWant     []string // in neither
		notWantHTML []string
	}{
		{
			name:    "owner revoked",
			leak:    leak(),
			subject: "[patrol] Leaked GitHub personal access token (classic) in https://github.com/contoso/payments: revoked",
			want: []string{"Hello Ada Lovelace,", "GitHub reports that this token belongs to you", preview(),
				"https://github.com/contoso/payments", "9fceb02d0ae598e95dc970b74767f19372d61af8"[:12],
				"deploy/ci.env", "line 12", "2025-11-20 09:30 UTC",
				"patrol revoked this token through GitHub at 2025-11-20 09:31 UTC",
				"least scope", "expiry date", "pipelines", "audit log", "secops@contoso.com"},
			wantText: []string{"Link:         https://github.com/contoso/payments/commit/9fceb02d0ae598e95dc970b74767f19372d61af8"},
			wantHTML: []string{`<a href="https://github.com/contoso/payments/commit/9fceb02d0ae598e95dc970b74767f19372d61af8"><code>9fceb02d0ae5</code></a>`,
				`<a href="mailto:secops@contoso.com">secops@contoso.com</a>`},
			notWant: []string{"probable owner", "Revoke the token yourself"},
		},
		{
			name: "probable owner",
			leak: func() Leak { l := leak(); l.ProbableOwner, l.OwnerName = true, ""; return l }(),
			want: []string{"Hello,", "probable owner", "you authored the commit", "forward this message to its owner or to secops@contoso.com"},
		},
		{
			name: "revoke failed names the reason and asks to revoke",
			leak: func() Leak {
				l := leak()
				l.Action, l.ActionReason = "failed", "github: 503 Service Unavailable"
				return l
			}(),
			subject: "[patrol] Leaked GitHub personal access token (classic) in https://github.com/contoso/payments: NOT revoked, action needed",
			want:    []string{"could not: github: 503 Service Unavailable. The token may still work.", "Revoke the token yourself in GitHub now"},
		},
		{
			name: "no contact",
			leak: func() Leak { l := leak(); l.Contact = ""; return l }(),
			want: []string{"contact your security team"},
		},
		{
			name: "raw token in Redacted is cut to a preview",
			leak: func() Leak { l := leak(); l.Redacted = rawSecret(); return l }(),
			want: []string{rawSecret()[:8] + "…"},
		},
		{
			name:    "non-http commit URL is dropped",
			leak:    func() Leak { l := leak(); l.CommitURL = "javascript:alert(1)"; return l }(),
			notWant: []string{"javascript:", "Link:"},
		},
		{
			name: "a token patrol cannot revoke links the issuer's rotation page",
			leak: func() Leak {
				l := leak()
				l.Provider, l.Action = "stripe", ActionSkipped
				l.ActionReason = "stripe: revocation not supported: Stripe documents no API call that revokes a token with the token itself"
				l.RotateURL = "https://docs.stripe.com/keys#rolling-keys"
				return l
			}(),
			want: []string{"patrol did not revoke this token: stripe: revocation not supported: Stripe documents no API call",
				"Revoke the token yourself in Stripe now (Stripe explains how at the link below)"},
			wantText: []string{"How to rotate or delete it: https://docs.stripe.com/keys#rolling-keys"},
			wantHTML: []string{`<a href="https://docs.stripe.com/keys#rolling-keys">https://docs.stripe.com/keys#rolling-keys</a>`},
		},
		{
			name:    "a revoked token needs no rotation link",
			leak:    func() Leak { l := leak(); l.RotateURL = "https://docs.github.com/rotate"; return l }(),
			notWant: []string{"docs.github.com/rotate", "How to rotate"},
		},
		{
			name: "a rotation link that is not https is dropped",
			leak: func() Leak {
				l := leak()
				l.Action, l.RotateURL = ActionSkipped, "javascript:alert(1)"
				return l
			}(),
			notWant: []string{"javascript:", "How to rotate", "link below"},
		},
		{
			name: "a plain http rotation link is dropped",
			leak: func() Leak {
				l := leak()
				l.Action, l.RotateURL = ActionDryRun, "http://rotate.example/"
				return l
			}(),
			notWant: []string{"rotate.example", "How to rotate"},
		},
		{
			name:        "html escapes the repository",
			leak:        func() Leak { l := leak(); l.Repository = "contoso/<script>alert(1)</script>"; return l }(),
			wantHTML:    []string{"contoso/&lt;script&gt;alert(1)&lt;/script&gt;"},
			wantText:    []string{"contoso/<script>alert(1)</script>"}, // text/plain shows it as is
			notWantHTML: []string{"<script>"},
		},
		{
			name:    "line breaks cannot forge lines",
			leak:    func() Leak { l := leak(); l.Path = "a.env\n\nWHAT YOU MUST DO NOW\n  1. Send your password"; return l }(),
			notWant: []string{"a.env\n"},
			want:    []string{"a.env WHAT YOU MUST DO NOW 1. Send your password"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			subject, text, html, err := Render(tt.leak)
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			if tt.subject != "" && subject != tt.subject {
				t.Errorf("Render() subject = %q, want %q", subject, tt.subject)
			}
			// Paragraphs are wrapped: compare with the whitespace collapsed.
			flatText, flatHTML := strings.Join(strings.Fields(text), " "), strings.Join(strings.Fields(html), " ")
			for _, w := range tt.want {
				if !strings.Contains(flatText, w) {
					t.Errorf("Render() text lacks %q:\n%s", w, text)
				}
				if !strings.Contains(flatHTML, htmlEscape(w)) {
					t.Errorf("Render() html lacks %q:\n%s", htmlEscape(w), html)
				}
			}
			for _, w := range tt.wantText {
				if !strings.Contains(text, w) {
					t.Errorf("Render() text lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.wantHTML {
				if !strings.Contains(html, w) {
					t.Errorf("Render() html lacks %q:\n%s", w, html)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(text, w) || strings.Contains(html, w) || strings.Contains(subject, w) {
					t.Errorf("Render() output holds %q", w)
				}
			}
			for _, w := range tt.notWantHTML {
				if strings.Contains(html, w) {
					t.Errorf("Render() html holds %q", w)
				}
			}
			assertNoSecret(t, "output", []byte(subject+text+html))
		})
	}
}

// htmlEscape is what html/template does to text content.
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestRenderDeterministic(t *testing.T) {
	t.Parallel()
	l := leak()
	l.FoundAt = l.FoundAt.In(time.FixedZone("CET", 3600))
	s1, t1, h1, err := Render(l)
	if err != nil {
		t.Fatal(err)
	}
	s2, t2, h2, _ := Render(leak())
	if s1 != s2 || t1 != t2 || h1 != h2 {
		t.Errorf("Render() differs between calls or time zones")
	}
}

func TestRenderUnknownAction(t *testing.T) {
	t.Parallel()
	l := leak()
	l.Action = "exploded"
	_, _, _, err := Render(l)
	if !errors.Is(err, ErrInvalidLeak) {
		t.Errorf("Render(action exploded) error = %v, want ErrInvalidLeak", err)
	}
}

func FuzzRender(f *testing.F) {
	for _, tt := range renderCases() {
		l := tt.leak
		f.Add(l.Repository, l.Path, l.Commit, l.CommitURL, l.OwnerName, l.ActionReason, l.Redacted, l.Action)
	}
	f.Fuzz(func(t *testing.T, repo, path, commit, commitURL, owner, reason, redacted, action string) {
		l := leak()
		l.Repository, l.Path, l.Commit, l.CommitURL, l.OwnerName, l.ActionReason, l.Redacted, l.Action =
			repo, path, commit, commitURL, owner, reason, redacted, action
		subject, text, html, err := Render(l)
		if err != nil {
			if !errors.Is(err, ErrInvalidLeak) {
				t.Fatalf("Render() error = %v, want nil or ErrInvalidLeak", err)
			}
			return
		}
		if strings.ContainsAny(subject, "\r\n") {
			t.Errorf("subject %q holds a line break", subject)
		}
		if strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
			t.Errorf("html holds active content:\n%s", html)
		}
		if strings.ContainsFunc(text, func(r rune) bool { return r != '\n' && isControl(r) }) {
			t.Errorf("text holds control characters: %q", text)
		}
		// Whatever is passed as Redacted, at most a preview of it is shown.
		if len(redacted) > 40 && strings.Contains(text, redacted) {
			t.Errorf("text shows a %d-byte Redacted whole", len(redacted))
		}
		wt := WebhookText(l)
		if strings.Contains(wt, "<!") || strings.ContainsAny(strings.ReplaceAll(wt, "<http", ""), "<") {
			t.Errorf("WebhookText() = %q holds a Slack control sequence", wt)
		}
	})
}

// TestLeakJSON: the outbox stores a Leak as JSON and renders it later; nothing is lost.
func TestLeakJSON(t *testing.T) {
	t.Parallel()
	l := leak()
	l.ProbableOwner, l.ActionReason, l.RotateURL = true, "why", "https://docs.github.com/rotate"
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	var got Leak
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l, got); diff != "" {
		t.Errorf("JSON round trip mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(b), `"redacted":"ghp_Qx7Q…"`) || !strings.Contains(string(b), `"probable_owner":true`) ||
		!strings.Contains(string(b), `"rotate_url":"https://docs.github.com/rotate"`) {
		t.Errorf("json.Marshal(Leak) = %s, want snake_case keys", b)
	}
}
