package report

import (
	"bytes"
	"encoding/json"

	"github.com/patrolsec/patrol/scanner"
)

// The wire structs below are the JSON contract other tools rely on; the field order of each
// struct is the order in the output. Change them only compatibly (new optional fields).

// wireEntry is one finding object.
type wireEntry struct {
	Detector    string `json:"detector"`
	Provider    string `json:"provider"`
	Confidence  string `json:"confidence"`
	Fingerprint string `json:"fingerprint"`
	Redacted    string `json:"redacted"`
	// Encoding is "base64" or "url" when the token was inside encoded text.
	Encoding string `json:"encoding,omitempty"`
	// Secret is the raw value, only with Options.ShowSecrets.
	Secret       string            `json:"secret,omitempty"`
	Location     wireLocation      `json:"location"`
	Verification *wireVerification `json:"verification,omitempty"`
	Revocation   *wireRevocation   `json:"revocation,omitempty"`
}

// wireLocation is where the finding is. Repository, Commit, AuthorName, AuthorEmail and Date
// are written for git findings only; Path is empty for stdin.
type wireLocation struct {
	Source     string `json:"source"`
	Repository string `json:"repository,omitempty"`
	Commit     string `json:"commit,omitempty"`
	Path       string `json:"path,omitempty"`
	// Kind is "commit-message" or "tag-message" for a token in a message (Path is empty).
	Kind        string `json:"kind,omitempty"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	AuthorName  string `json:"author_name,omitempty"`
	AuthorEmail string `json:"author_email,omitempty"`
	Date        string `json:"date,omitempty"`
}

type wireVerification struct {
	Status    string     `json:"status"`
	Owner     *wireOwner `json:"owner,omitempty"`
	CheckedAt string     `json:"checked_at"`
}

type wireOwner struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Org   string `json:"org,omitempty"`
}

type wireRevocation struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	At     string `json:"at,omitempty"`
}

// toWire converts an entry; the raw secret is copied only when showSecrets is set.
func toWire(e Entry, showSecrets bool) wireEntry {
	out := wireEntry{
		Detector:     e.DetectorID,
		Provider:     e.Provider,
		Confidence:   string(e.Confidence),
		Fingerprint:  e.Fingerprint,
		Redacted:     e.Redacted,
		Encoding:     e.Encoding,
		Location:     toWireLocation(e.Location),
		Verification: toWireVerification(e.Verification),
		Revocation:   toWireRevocation(e.Revocation),
	}
	if showSecrets {
		out.Secret = e.Secret.Reveal()
	}
	return out
}

func toWireLocation(l scanner.Location) wireLocation {
	out := wireLocation{Source: l.Source, Path: l.Path, Kind: l.Kind, Line: l.Line, Column: l.Column}
	if l.Source != scanner.SourceGit {
		return out
	}
	out.Repository = l.Repository
	out.Commit = l.Commit
	out.AuthorName = l.AuthorName
	out.AuthorEmail = l.AuthorEmail
	if l.Date != nil {
		out.Date = formatTime(*l.Date)
	}
	return out
}

func toWireVerification(v *Verification) *wireVerification {
	if v == nil {
		return nil
	}
	out := &wireVerification{Status: v.Status, CheckedAt: formatTime(v.CheckedAt)}
	if o := v.Owner; o != nil {
		out.Owner = &wireOwner{ID: o.ID, Name: o.Name, Email: o.Email, Org: o.Org}
	}
	return out
}

func toWireRevocation(r *Revocation) *wireRevocation {
	if r == nil {
		return nil
	}
	out := &wireRevocation{Status: r.Status, Reason: r.Reason}
	if !r.At.IsZero() {
		out.At = formatTime(r.At)
	}
	return out
}

// encodeJSON writes v and a newline, indented when indent is not empty. HTML escaping is off:
// paths and names with <, > or & come out as written.
func encodeJSON(buf *bytes.Buffer, v any, indent string) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	return enc.Encode(v)
}

// writeJSON writes one indented array, "[]" when entries is empty.
func writeJSON(buf *bytes.Buffer, entries []Entry, opts Options) error {
	out := make([]wireEntry, 0, len(entries))
	for _, e := range entries {
		out = append(out, toWire(e, opts.ShowSecrets))
	}
	return encodeJSON(buf, out, "  ")
}

// writeJSONL writes one compact object per line.
func writeJSONL(buf *bytes.Buffer, entries []Entry, opts Options) error {
	for _, e := range entries {
		if err := encodeJSON(buf, toWire(e, opts.ShowSecrets), ""); err != nil {
			return err
		}
	}
	return nil
}
