package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"
)

// Actions of [Leak].Action: what patrol did about the token.
const (
	// ActionRevoked: revoked through the provider's API and confirmed dead.
	ActionRevoked = "revoked"
	// ActionUnconfirmed: the provider accepted the revocation, but the token still worked at
	// the last check (Azure DevOps may take up to an hour).
	ActionUnconfirmed = "unconfirmed"
	// ActionRevokeFailed: live, and the revocation failed; ActionReason says why.
	ActionRevokeFailed = "revoke_failed"
	// ActionSkipped: live, not revoked (policy, unsupported, ambiguous); ActionReason says why.
	ActionSkipped = "skipped"
	// ActionDryRun: live, revocable, but patrol runs in audit (dry-run) mode.
	ActionDryRun = "dry_run"
	// ActionDead: already dead (revoked or expired) when checked; nothing done.
	ActionDead = "dead"
	// ActionUnknown: whether it works could not be told; "" means the same.
	ActionUnknown = "unknown"
)

// Leak is everything a message about one leaked token says. It has no field for the raw
// secret: Redacted is the preview ("ghp_Ab12…"), and Render cuts anything longer than a
// preview, so a raw token passed there by mistake is not mailed. Every string may come from
// an attacker (a repository path, a commit author's name): Render escapes HTML and strips
// control characters.
type Leak struct {
	// Detector is the rule ID, "github-classic-pat".
	Detector string `json:"detector"`
	// Provider is the issuing provider, "github", "azuredevops".
	Provider string `json:"provider,omitempty"`
	// TokenKind names the token for people, "Azure DevOps personal access token"; Detector
	// when empty.
	TokenKind string `json:"token_kind,omitempty"`
	// Redacted is the token's preview: its fixed prefix, 4 characters and "…".
	Redacted string `json:"redacted"`
	// Fingerprint is the keyed fingerprint, what the store and reports know the token by.
	Fingerprint string `json:"fingerprint"`
	// Repository is the repository as scanned (URL or path).
	Repository string `json:"repository,omitempty"`
	// Commit is the commit that introduced the token, "" outside git history.
	Commit string `json:"commit,omitempty"`
	// Path is the file within the repository.
	Path string `json:"path,omitempty"`
	// Line is the 1-based line, 0 when unknown.
	Line int `json:"line,omitempty"`
	// CommitURL links to the commit on its web host; only http and https links are shown.
	CommitURL string `json:"commit_url,omitempty"`
	// FoundAt is when patrol first found the token.
	FoundAt time.Time `json:"found_at"`
	// Action is what patrol did: one of the Action constants ("failed" is read as
	// revoke_failed).
	Action string `json:"action,omitempty"`
	// ActionAt is when it did it (revoked at, checked at).
	ActionAt time.Time `json:"action_at"`
	// ActionReason explains a failed, skipped or unknown action; it never holds a token.
	ActionReason string `json:"action_reason,omitempty"`
	// OwnerName is the owner's display name, when known.
	OwnerName string `json:"owner_name,omitempty"`
	// OwnerEmail is the address the message goes to.
	OwnerEmail string `json:"owner_email,omitempty"`
	// ProbableOwner is true when OwnerEmail is the commit author's, not the provider's
	// identity of the token: the wording then asks to forward the message if it is not theirs.
	ProbableOwner bool `json:"probable_owner,omitempty"`
	// Contact is whom the owner should contact ([Config.ContactOrDefault]).
	Contact string `json:"contact,omitempty"`
	// RotateURL is the issuer's page on rotating or deleting this kind of token (the
	// detector's RotateURL); only an https link is shown. A message about a token patrol did
	// not revoke links it, so the owner knows where to act.
	RotateURL string `json:"rotate_url,omitempty"`
}

//go:embed templates/leak.txt.tmpl templates/leak.html.tmpl
var templateFS embed.FS

var funcs = map[string]any{
	"inc":  func(i int) int { return i + 1 },
	"wrap": wrap,
}

var loadTemplates = sync.OnceValues(func() (*templates, error) {
	txt, err := texttemplate.New("leak.txt.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/leak.txt.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse text template: %w", err)
	}
	html, err := htmltemplate.New("leak.html.tmpl").Funcs(funcs).ParseFS(templateFS, "templates/leak.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse html template: %w", err)
	}
	return &templates{txt: txt, html: html}, nil
})

type templates struct {
	txt  *texttemplate.Template
	html *htmltemplate.Template
}

// view is what the templates see: every string cleaned, every decision made here.
type view struct {
	Greeting    string
	Why         string
	Kind        string
	Provider    string
	Redacted    string
	Fingerprint string
	Repository  string
	Commit      string
	ShortCommit string
	Path        string
	Line        int
	CommitURL   string
	Found       string
	Status      string
	Did         string
	Urgent      bool
	Steps       []string
	Note        string
	Contact     string
	// ContactMailto is "mailto:" + Contact when Contact is a bare address.
	ContactMailto string
	// RotateURL is the issuer's rotation page, shown when the token was not revoked.
	RotateURL string
}

// Render returns the subject and the text and HTML bodies of the email about l. It is
// deterministic (times in UTC, no clock, no randomness) and safe: HTML is escaped by
// html/template, control and bidi characters are stripped from every field, and Redacted is
// cut to a preview. It fails only for an unknown Action ([ErrInvalidLeak]).
func Render(l Leak) (subject, text, html string, err error) {
	v, err := newView(l)
	if err != nil {
		return "", "", "", err
	}
	t, err := loadTemplates()
	if err != nil {
		return "", "", "", err
	}
	var tb, hb bytes.Buffer
	if err := t.txt.Execute(&tb, v); err != nil {
		return "", "", "", fmt.Errorf("render text: %w", err)
	}
	if err := t.html.Execute(&hb, v); err != nil {
		return "", "", "", fmt.Errorf("render html: %w", err)
	}
	subject = fmt.Sprintf("[patrol] Leaked %s in %s: %s", v.Kind, clip(v.Repository, 80), v.Status)
	return subject, tb.String(), hb.String(), nil
}

func newView(l Leak) (view, error) {
	action := l.Action
	switch action {
	case "failed":
		action = ActionRevokeFailed
	case "":
		action = ActionUnknown
	}
	prov := providerName(clean(l.Provider, 64))
	contact := clean(l.Contact, 200)
	if contact == "" {
		contact = "your security team"
	}
	v := view{
		Kind:        first(clean(l.TokenKind, 120), clean(l.Detector, 120), "access token"),
		Provider:    prov,
		Redacted:    safeRedacted(l.Redacted),
		Fingerprint: clean(l.Fingerprint, 64),
		Repository:  first(clean(l.Repository, 300), "(unknown repository)"),
		Commit:      clean(l.Commit, 64),
		Path:        clean(l.Path, 300),
		Line:        max(l.Line, 0),
		CommitURL:   safeURL(l.CommitURL),
		Found:       stamp(l.FoundAt),
		Contact:     contact,
	}
	v.ShortCommit = prefix(v.Commit, 12)
	if a, err := mail.ParseAddress(contact); err == nil && a.Address == contact {
		v.ContactMailto = "mailto:" + contact
	}
	v.Greeting = "Hello,"
	if name := clean(l.OwnerName, 100); name != "" {
		v.Greeting = "Hello " + name + ","
	}
	if l.ProbableOwner {
		v.Why = fmt.Sprintf("You are receiving this as the probable owner of this token: you authored the commit "+
			"that added it, but patrol could not confirm with %s who owns it. If it is not yours, please "+
			"forward this message to its owner or to %s.", prov, contact)
	} else {
		v.Why = fmt.Sprintf("You are receiving this because %s reports that this token belongs to you.", prov)
	}

	at := stamp(l.ActionAt)
	atClause := ""
	if at != "" {
		atClause = " at " + at
	}
	reason := strings.TrimRight(clean(l.ActionReason, 300), ".")
	because := ""
	if reason != "" {
		because = ": " + reason
	}
	switch action {
	case ActionRevoked:
		v.Status = "revoked"
		v.Did = fmt.Sprintf("patrol revoked this token through %s%s. It no longer works.", prov, atClause)
	case ActionUnconfirmed:
		v.Status, v.Urgent = "revocation pending", true
		v.Did = fmt.Sprintf("patrol asked %s to revoke this token%s and %s accepted, but the token still "+
			"worked at the last check. patrol keeps checking; until then, treat the token as live.", prov, atClause, prov)
	case ActionRevokeFailed:
		v.Status, v.Urgent = "NOT revoked, action needed", true
		v.Did = fmt.Sprintf("patrol tried to revoke this token%s but could not%s. The token may still work.", atClause, because)
	case ActionSkipped:
		v.Status, v.Urgent = "not revoked, action needed", true
		v.Did = fmt.Sprintf("patrol did not revoke this token%s. The token may still work.", because)
	case ActionDryRun:
		v.Status, v.Urgent = "not revoked (audit mode), action needed", true
		v.Did = "patrol runs in audit (dry-run) mode here and did not revoke this token."
		if at != "" {
			v.Did += " It still worked when checked at " + at + "."
		}
	case ActionDead:
		v.Status = "no longer valid"
		v.Did = "The token no longer works: it had already been revoked or had expired when patrol checked it" +
			atClause + ". patrol did nothing to it."
	case ActionUnknown:
		v.Status, v.Urgent = "status unknown, action needed", true
		v.Did = fmt.Sprintf("patrol could not tell whether this token still works%s. Treat it as live.", because)
	default:
		return view{}, fmt.Errorf("%w: action %q is not one of revoked, unconfirmed, revoke_failed, skipped, dry_run, dead, unknown",
			ErrInvalidLeak, clip(clean(l.Action, 40), 40))
	}

	if action != ActionRevoked {
		if u := safeURL(l.RotateURL); strings.HasPrefix(u, "https://") {
			v.RotateURL = u
		}
	}
	if v.Urgent {
		how := ""
		if v.RotateURL != "" {
			how = " (" + prov + " explains how at the link below)"
		}
		v.Steps = append(v.Steps, fmt.Sprintf("Revoke the token yourself in %s now%s, or have %s do it: "+
			"anyone who could read the repository may have copied it.", prov, how, contact))
	}
	if action == ActionDead {
		v.Steps = append(v.Steps, "If you still need access, create a replacement with the least scope it needs "+
			"and an expiry date.")
	} else {
		v.Steps = append(v.Steps, "Create a replacement with the least scope it needs and an expiry date, and keep "+
			"it in a secret store or your CI's secret variables, never in a repository.")
		v.Steps = append(v.Steps, "Update the pipelines, services and scripts that used the old token, or they "+
			"will fail.")
	}
	v.Steps = append(v.Steps, fmt.Sprintf("Review the audit log of your %s organization for use of the token since "+
		"it leaked; report anything you do not recognize to %s.", prov, contact))
	v.Note = "Deleting the line or rewriting history does not make the token safe again: it was exposed as soon " +
		"as it was pushed. Only revocation does."
	return v, nil
}

// providerName names a provider for people.
func providerName(p string) string {
	switch strings.ToLower(p) {
	case "":
		return "the provider"
	case "azuredevops", "azure-devops", "ado":
		return "Azure DevOps"
	case "github":
		return "GitHub"
	case "gitlab":
		return "GitLab"
	case "slack":
		return "Slack"
	case "npm":
		return "npm"
	case "huggingface":
		return "Hugging Face"
	case "doppler":
		return "Doppler"
	case "digitalocean":
		return "DigitalOcean"
	case "postman":
		return "Postman"
	case "telegram":
		return "Telegram"
	case "sendgrid":
		return "SendGrid"
	case "cloudflare":
		return "Cloudflare"
	case "datadog":
		return "Datadog"
	case "circleci":
		return "CircleCI"
	case "buildkite":
		return "Buildkite"
	case "notion":
		return "Notion"
	case "heroku":
		return "Heroku"
	case "discord":
		return "Discord"
	case "stripe":
		return "Stripe"
	}
	return p
}

// maxPreviewRunes is the longest Redacted shown as given; a preview is a prefix of at most
// about a dozen characters, 4 more and "…".
const maxPreviewRunes = 24

// safeRedacted returns r when it looks like a preview (ends with "…", short); anything else
// is cut to its first 8 characters, so a raw token passed by mistake is not sent.
func safeRedacted(r string) string {
	r = clean(r, 1000)
	if r == "" {
		return "(not shown)"
	}
	if strings.HasSuffix(r, "…") && utf8.RuneCountInString(r) <= maxPreviewRunes {
		return r
	}
	r = strings.TrimSuffix(r, "…")
	return prefix(r, 8) + "…"
}

// safeURL returns u when it is an absolute http or https URL without credentials, else "".
func safeURL(raw string) string {
	if raw == "" || strings.ContainsFunc(raw, func(r rune) bool { return isControl(r) || unicode.IsSpace(r) }) {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.String()
}

// clean makes an untrusted string safe to print on one line: control characters become
// spaces, bidi overrides and other invisible format characters go (they can make a path read
// backwards), surrounding space is trimmed, and it is clipped to max characters.
func clean(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case isControl(r) || r == 0x85 || r == 0x2028 || r == 0x2029:
			return ' '
		case unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
	return clip(strings.TrimSpace(s), max)
}

// clip cuts s to max characters, marking the cut with "…".
func clip(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return prefix(s, max-1) + "…"
}

// prefix returns the first n characters of s.
func prefix(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// stamp formats t for people, in UTC; "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// wrap folds s into lines of at most width columns (words longer than that stay whole), each
// after the first starting with indent.
func wrap(width int, indent, s string) string {
	var b strings.Builder
	col := utf8.RuneCountInString(indent)
	for i, w := range strings.Fields(s) {
		n := utf8.RuneCountInString(w)
		switch {
		case i == 0:
		case col+1+n > width:
			b.WriteString("\n")
			b.WriteString(indent)
			col = utf8.RuneCountInString(indent)
		default:
			b.WriteString(" ")
			col++
		}
		b.WriteString(w)
		col += n
	}
	return b.String()
}
