package report

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
)

// ANSI SGR sequences used by the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiFaint  = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// shortLen is how many hex digits of a commit or fingerprint the text format shows.
const shortLen = 12

// writeText writes one block per entry, blocks separated by a blank line:
//
//	ci/a.yml:3:24
//	  detector     azure-devops-pat (azuredevops)
//	  confidence   checksum
//	  redacted     abcd…
//	  fingerprint  0123456789ab…(64 hex)
//	  commit       0123456789ab Alice <alice@example.com> 2024-01-01T00:00:00Z
//
// Every value that came from scanned content (paths, author names) is escaped, so a crafted
// repository cannot drive the reader's terminal.
func writeText(buf *bytes.Buffer, entries []Entry, opts Options) {
	p := painter(opts.Color)
	for i, e := range entries {
		if i > 0 {
			buf.WriteByte('\n')
		}
		l := e.Location
		fmt.Fprintf(buf, "%s\n", p(ansiBold, fmt.Sprintf("%s:%d:%d", clean(textPath(l, opts.Root)), l.Line, l.Column)))
		field := func(label, value string) {
			fmt.Fprintf(buf, "  %s %s\n", p(ansiFaint, fmt.Sprintf("%-12s", label)), value)
		}

		det := p(ansiBold, clean(e.DetectorID))
		if e.Provider != "" {
			det += " (" + clean(e.Provider) + ")"
		}
		field("detector", det)
		conf := clean(string(e.Confidence))
		if e.Confidence == detectors.ConfidenceChecksum {
			conf = p(ansiRed, conf)
		} else {
			conf = p(ansiYellow, conf)
		}
		field("confidence", conf)
		field("redacted", clean(e.Redacted))
		if e.Encoding != "" {
			field("encoding", clean(e.Encoding))
		}
		if opts.ShowSecrets && !e.Secret.IsZero() {
			field("secret", p(ansiRed, clean(e.Secret.Reveal())))
		}
		field("fingerprint", clean(e.Fingerprint)) // whole: it is what .patrolignore and baselines take
		if l.Source == scanner.SourceGit {
			if c := commitLine(l); c != "" {
				field("commit", c)
			}
			if l.Repository != "" {
				field("repository", clean(l.Repository))
			}
		}
		if v := e.Verification; v != nil {
			field("verification", verificationText(v, p))
		}
		if r := e.Revocation; r != nil {
			field("revocation", revocationText(r, p))
		}
	}
}

// textPath is the path people see: Root joined with the finding's path, "<stdin>" for stdin,
// "commit message of <sha>" and "tag message of <sha>" for messages.
func textPath(l scanner.Location, root string) string {
	switch l.Kind {
	case scanner.KindCommitMessage:
		return "commit message of " + l.Commit
	case scanner.KindTagMessage:
		return "tag message of " + l.Commit
	}
	if l.Source == scanner.SourceStdin || l.Path == "" {
		return "<stdin>"
	}
	if root == "" {
		return l.Path
	}
	return filepath.Join(root, filepath.FromSlash(l.Path))
}

func commitLine(l scanner.Location) string {
	var parts []string
	if l.Commit != "" {
		parts = append(parts, short(l.Commit))
	}
	if who := person(l.AuthorName, l.AuthorEmail); who != "" {
		parts = append(parts, who)
	}
	if l.Date != nil {
		parts = append(parts, formatTime(*l.Date))
	}
	return strings.Join(parts, " ")
}

func verificationText(v *Verification, p func(code, s string) string) string {
	var b strings.Builder
	b.WriteString(statusColor(v.Status, p))
	if o := v.Owner; o != nil {
		if who := person(o.Name, o.Email); who != "" {
			b.WriteString(", owner " + who)
		}
		var ids []string
		if o.ID != "" {
			ids = append(ids, "id "+clean(o.ID))
		}
		if o.Org != "" {
			ids = append(ids, "org "+clean(o.Org))
		}
		if len(ids) > 0 {
			b.WriteString(" (" + strings.Join(ids, ", ") + ")")
		}
	}
	if !v.CheckedAt.IsZero() {
		b.WriteString(", checked " + formatTime(v.CheckedAt))
	}
	return b.String()
}

func revocationText(r *Revocation, p func(code, s string) string) string {
	s := statusColor(r.Status, p)
	if r.Reason != "" {
		s += " (" + clean(r.Reason) + ")"
	}
	if !r.At.IsZero() {
		s += ", at " + formatTime(r.At)
	}
	return s
}

// statusColor paints what is still dangerous red and what is settled green.
func statusColor(status string, p func(code, s string) string) string {
	s := clean(status)
	switch status {
	case "live", "failed":
		return p(ansiRed, s)
	case "dead", "revoked":
		return p(ansiGreen, s)
	default:
		return p(ansiYellow, s)
	}
}

// person renders "Name <email>", or whichever half is known.
func person(name, email string) string {
	name, email = clean(name), clean(email)
	switch {
	case name != "" && email != "":
		return name + " <" + email + ">"
	case email != "":
		return "<" + email + ">"
	default:
		return name
	}
}

func short(hex string) string {
	if len(hex) > shortLen {
		return hex[:shortLen]
	}
	return hex
}

// painter returns a function wrapping s in an SGR code and a reset, or returning s unchanged
// when colour is off.
func painter(color bool) func(code, s string) string {
	if !color {
		return func(_, s string) string { return s }
	}
	return func(code, s string) string { return code + s + ansiReset }
}

// clean escapes what is not printable in s (control and format characters such as ESC or
// bidi overrides, and invalid UTF-8) Go-style, so text from a scanned repository cannot move
// the cursor, clear the screen or forge lines. Printable strings are returned as they are.
func clean(s string) string {
	bad := func(r rune) bool { return r == utf8.RuneError || !strconv.IsPrint(r) }
	if strings.IndexFunc(s, bad) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case bad(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
