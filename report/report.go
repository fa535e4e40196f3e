package report

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
)

// Format is an output format name, as given to --format.
type Format string

// The formats Write knows.
const (
	// FormatText is for people: one block per finding.
	FormatText Format = "text"
	// FormatJSON is one JSON array of finding objects ("[]" when there are none).
	FormatJSON Format = "json"
	// FormatJSONL is JSON Lines: one finding object per line, nothing when there are none.
	FormatJSONL Format = "jsonl"
	// FormatSARIF is a SARIF 2.1.0 log with one run, for code-scanning dashboards.
	FormatSARIF Format = "sarif"
)

// Formats returns every Format Write knows, in the order help text should list them.
func Formats() []Format {
	return []Format{FormatText, FormatJSON, FormatJSONL, FormatSARIF}
}

// ParseFormat returns the Format named s, ignoring case and surrounding space. For any other
// value it returns an error wrapping ErrUnknownFormat that lists the valid names.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Formats(), f) {
		return "", unknownFormat(s)
	}
	return f, nil
}

func unknownFormat(s string) error {
	names := make([]string, 0, len(Formats()))
	for _, f := range Formats() {
		names = append(names, string(f))
	}
	return fmt.Errorf("%w %q (valid: %s)", ErrUnknownFormat, s, strings.Join(names, ", "))
}

// Owner is who a live token belongs to, as the issuing provider reports it. Any field may be
// empty when the provider does not say. In JSON it is the object {"id", "name", "email",
// "org"}, each key omitted when empty.
type Owner struct {
	// ID is the provider's stable id for the owner.
	ID string
	// Name is the display name.
	Name string
	// Email is the owner's address, when the provider discloses it.
	Email string
	// Org is the organisation or tenant the token belongs to.
	Org string
}

// Verification is the outcome of asking the issuing provider whether a token is live. In JSON
// it is {"status", "owner" (omitted when nil), "checked_at" (RFC 3339, UTC)}.
type Verification struct {
	// Status is the verdict, e.g. "live", "dead" or "unknown".
	Status string
	// Owner is set when the provider said who owns the token.
	Owner *Owner
	// CheckedAt is when the provider was asked.
	CheckedAt time.Time
}

// Revocation is the outcome of trying to revoke a token. In JSON it is {"status", "reason"
// (omitted when empty), "at" (RFC 3339, UTC; omitted when zero)}.
type Revocation struct {
	// Status is "revoked", "failed", "skipped" or "dry_run".
	Status string
	// Reason explains the status when it needs it (a policy name, "dry-run", an error summary).
	// It must not carry the token.
	Reason string
	// At is when the status was reached; zero when unknown.
	At time.Time
}

// Entry is one finding and what the pipeline learned about it. Verification and Revocation are
// nil when that step has not run.
type Entry struct {
	// Finding is what the scanner found; its raw Secret is written only with ShowSecrets.
	scanner.Finding
	// Verification is the provider's verdict, if the token was checked.
	Verification *Verification
	// Revocation is what the pipeline did about the token, if anything.
	Revocation *Revocation
}

// MarshalJSON implements json.Marshaler: an Entry marshals to one object of the JSON report,
// without the raw secret.
func (e Entry) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, toWire(e, false), ""); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Options tunes Write. The zero value is valid: redacted, no colour, no rule metadata beyond
// the detector IDs, no tool version.
type Options struct {
	// ShowSecrets puts the raw secret in the report ("secret" in JSON). Only the explicit
	// --show-secrets flag sets it.
	ShowSecrets bool
	// Color adds ANSI colour to the text format; other formats ignore it.
	Color bool
	// Detectors give SARIF its rule metadata: one rule per detector listed (duplicates by ID
	// are dropped), in the order given, whether or not it has findings, so the log states
	// what was checked. A finding whose detector is not listed gets a bare rule of its own.
	Detectors []*detectors.Detector
	// ToolVersion is patrol's version, for SARIF tool.driver.version.
	ToolVersion string
	// Root is the scanned directory that finding paths are relative to. Text prefixes paths
	// with it. SARIF declares it as the SRCROOT base of artifact URIs when it is an absolute
	// path or a URL; result URIs stay relative either way.
	Root string
}

// Write renders entries to w in format f. It sorts a copy of entries (see the package doc) and
// writes once; the error names the format and wraps the writer's error or ErrUnknownFormat.
func Write(w io.Writer, f Format, entries []Entry, opts Options) error {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, compareEntries)

	var buf bytes.Buffer
	var err error
	switch f {
	case FormatText:
		writeText(&buf, sorted, opts)
	case FormatJSON:
		err = writeJSON(&buf, sorted, opts)
	case FormatJSONL:
		err = writeJSONL(&buf, sorted, opts)
	case FormatSARIF:
		err = writeSARIF(&buf, sorted, opts)
	default:
		return fmt.Errorf("write report: %w", unknownFormat(string(f)))
	}
	if err != nil {
		return fmt.Errorf("render %s report: %w", f, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write %s report: %w", f, err)
	}
	return nil
}

func compareEntries(a, b Entry) int {
	la, lb := a.Location, b.Location
	return cmp.Or(
		cmp.Compare(gitOnly(la, la.Repository), gitOnly(lb, lb.Repository)),
		cmp.Compare(la.Path, lb.Path),
		cmp.Compare(la.Line, lb.Line),
		cmp.Compare(la.Column, lb.Column),
		cmp.Compare(a.DetectorID, b.DetectorID),
		cmp.Compare(a.Fingerprint, b.Fingerprint),
		cmp.Compare(gitOnly(la, la.Commit), gitOnly(lb, lb.Commit)),
		cmp.Compare(la.Source, lb.Source),
	)
}

// gitOnly returns v for git locations and "" for others, whose git fields are not reported and
// so must not decide the order either.
func gitOnly(l scanner.Location, v string) string {
	if l.Source != scanner.SourceGit {
		return ""
	}
	return v
}

// formatTime is the one time format of every report: RFC 3339 in UTC, whole seconds.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
