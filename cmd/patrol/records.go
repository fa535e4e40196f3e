package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/notify"
	"github.com/patrolsec/patrol/store"
)

// storeFromFlags opens the existing store that --config and --store name, for findings and
// audit: these commands only read, so a path without a store (a typo, or nothing recorded
// yet) is an error, and nothing is created there.
func storeFromFlags(ctx context.Context, configPath, storePath string) (store.Store, error) {
	cfg, err := loadConfig(configPath)
	if err != nil {
		return nil, withCode(exitError, err)
	}
	sc := cfg.Store
	if storePath != "" {
		sc = store.Config{Driver: store.DriverSQLite, DSN: storePath}
	}
	sc.MustExist = true
	st, err := store.Open(ctx, sc)
	if errors.Is(err, store.ErrNoDatabase) {
		err = fmt.Errorf("%w: check --store or the config's store.dsn (patrol scan with --verify, --revoke or --notify creates and fills a store)", err)
	}
	if err != nil {
		return nil, withCode(exitError, err)
	}
	return st, nil
}

func newFindingsCmd(ios streams) *cobra.Command {
	var configPath, storePath, state, format string
	c := &cobra.Command{
		Use:   "findings",
		Short: "List the findings in the store (redacted) with their pipeline states",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if state != "" && !lifecycle.State(state).Valid() {
				return withCode(exitError, fmt.Errorf("--state %q: want one of %s", state, stateNames()))
			}
			st, err := storeFromFlags(ctx, configPath, storePath)
			if err != nil {
				return err
			}
			defer st.Close()
			fs, err := st.Findings(ctx, store.Query{State: store.State(state)})
			if err != nil {
				return withCode(exitError, err)
			}
			return writeRecords(ios.out, format, findingsJSON(fs), func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "STATE\tDETECTOR\tREDACTED\tVERIFY\tREVOCATION\tOWNER\tFIRST SEEN\tFINGERPRINT\tWHERE")
				for _, f := range fs {
					where := ""
					if len(f.Locations) > 0 {
						l := f.Locations[0]
						where = fmt.Sprintf("%s:%d", strings.TrimPrefix(l.Repository+" "+l.Path, " "), l.Line)
						if n := len(f.Locations); n > 1 {
							where += fmt.Sprintf(" (+%d)", n-1)
						}
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.State, f.DetectorID, f.Redacted, dash(string(f.Verify)),
						dash(string(f.Revocation)), dash(f.OwnerEmail), f.FirstSeen.UTC().Format(time.RFC3339), f.Fingerprint[:12], where)
				}
				tw.Flush()
			})
		},
	}
	c.Flags().StringVarP(&configPath, "config", "c", "", "patrol.yaml (store section)")
	c.Flags().StringVar(&storePath, "store", "", "SQLite state file")
	c.Flags().StringVar(&state, "state", "", "only findings in this state ("+stateNames()+")")
	c.Flags().StringVarP(&format, "format", "f", "text", "text or json")
	return c
}

// stateNames lists the finding states, for help and errors.
func stateNames() string {
	var names []string
	for _, s := range lifecycle.States() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

func newAuditCmd(ios streams) *cobra.Command {
	var configPath, storePath, since, format string
	c := &cobra.Command{
		Use:   "audit",
		Short: "Print the audit log: every verify, revoke, confirm and notification",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			var t time.Time
			if since != "" {
				var err error
				if t, err = parseSince(since, time.Now()); err != nil {
					return withCode(exitError, err)
				}
			}
			st, err := storeFromFlags(ctx, configPath, storePath)
			if err != nil {
				return err
			}
			defer st.Close()
			evs, err := st.AuditLog(ctx, t, 0)
			if err != nil {
				return withCode(exitError, err)
			}
			return writeRecords(ios.out, format, auditEventsJSON(evs), func(w io.Writer) {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "TIME\tACTOR\tACTION\tRESULT\tPROVIDER\tFINGERPRINT\tTARGET\tDETAIL")
				for _, e := range evs {
					fp := e.Fingerprint
					if len(fp) > 12 {
						fp = fp[:12]
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.UTC().Format(time.RFC3339), e.Actor, e.Action,
						e.Result, dash(e.Provider), dash(fp), dash(e.Target), e.Detail)
				}
				tw.Flush()
			})
		},
	}
	c.Flags().StringVarP(&configPath, "config", "c", "", "patrol.yaml (store section)")
	c.Flags().StringVar(&storePath, "store", "", "SQLite state file")
	c.Flags().StringVar(&since, "since", "", "only events since a time: RFC 3339, a date (2024-01-31) or a duration ago (24h)")
	c.Flags().StringVarP(&format, "format", "f", "text", "text or json")
	return c
}

// parseSince parses an RFC 3339 time, a date, or a duration before now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: want RFC 3339 (2024-01-31T10:00:00Z), a date (2024-01-31) or a duration (24h)", s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeRecords writes v as indented JSON, or calls text for the text format.
func writeRecords(w io.Writer, format string, v any, text func(io.Writer)) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			return withCode(exitError, err)
		}
	case "text", "":
		text(w)
	default:
		return withCode(exitError, fmt.Errorf("unknown format %q (valid: text, json)", format))
	}
	return nil
}

func newNotifyCmd(ios streams) *cobra.Command {
	c := &cobra.Command{Use: "notify", Short: "Email and webhook notifications"}
	var configPath, to string
	test := &cobra.Command{
		Use:   "test --to ADDR",
		Short: "Send a test email with the configured SMTP server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(configPath)
			if err != nil {
				return withCode(exitError, err)
			}
			nc := cfg.Notify
			if nc.SMTP == nil {
				return withCode(exitError, fmt.Errorf("config %s: notify.smtp is not set", cfg.Path()))
			}
			m, err := notify.NewMailer(*nc.SMTP)
			if err != nil {
				return withCode(exitError, err)
			}
			l := notify.Leak{Detector: "patrol-test", TokenKind: "test message (no token leaked)", Redacted: "test…",
				Fingerprint: strings.Repeat("0", 64), Repository: "patrol notify test", FoundAt: time.Now().UTC(),
				Action: notify.ActionRevoked, ActionAt: time.Now().UTC(), OwnerEmail: to, Contact: nc.ContactOrDefault()}
			subject, text, html, err := notify.Render(l)
			if err != nil {
				return withCode(exitError, err)
			}
			if err := m.Send(cmd.Context(), notify.Email{To: []string{to}, Subject: "[patrol test] " + subject, Text: text, HTML: html}); err != nil {
				return withCode(exitError, fmt.Errorf("send test email to %s: %w", to, err))
			}
			fmt.Fprintf(ios.out, "sent a test email to %s through %s:%d\n", to, nc.SMTP.Host, nc.SMTP.Port)
			return nil
		},
	}
	test.Flags().StringVarP(&configPath, "config", "c", "", "patrol.yaml with the notify section")
	test.Flags().StringVar(&to, "to", "", "recipient address")
	_ = test.MarkFlagRequired("to")
	c.AddCommand(test)
	return c
}

// The JSON of patrol findings and patrol audit: snake_case keys, RFC 3339 UTC times, pinned
// here rather than taken from the store's Go field names.

type findingJSON struct {
	Fingerprint      string         `json:"fingerprint"`
	Detector         string         `json:"detector"`
	Provider         string         `json:"provider"`
	Confidence       string         `json:"confidence"`
	Redacted         string         `json:"redacted"`
	State            string         `json:"state"`
	Verification     string         `json:"verification,omitempty"`
	OwnerID          string         `json:"owner_id,omitempty"`
	OwnerName        string         `json:"owner_name,omitempty"`
	OwnerEmail       string         `json:"owner_email,omitempty"`
	Org              string         `json:"org,omitempty"`
	Revocation       string         `json:"revocation,omitempty"`
	RevocationReason string         `json:"revocation_reason,omitempty"`
	Attempts         int            `json:"attempts,omitempty"`
	NextAttempt      string         `json:"next_attempt,omitempty"`
	FirstSeen        string         `json:"first_seen"`
	LastSeen         string         `json:"last_seen"`
	UpdatedAt        string         `json:"updated_at"`
	Locations        []locationJSON `json:"locations"`
}

type locationJSON struct {
	Source      string `json:"source"`
	Repository  string `json:"repository,omitempty"`
	Commit      string `json:"commit,omitempty"`
	Path        string `json:"path,omitempty"`
	Line        int    `json:"line"`
	Column      int    `json:"column"`
	AuthorName  string `json:"author_name,omitempty"`
	AuthorEmail string `json:"author_email,omitempty"`
	Date        string `json:"date,omitempty"`
	WebURL      string `json:"web_url,omitempty"`
}

type auditJSON struct {
	ID          int64  `json:"id"`
	At          string `json:"at"`
	Actor       string `json:"actor"`
	Action      string `json:"action"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Provider    string `json:"provider,omitempty"`
	Target      string `json:"target,omitempty"`
	Result      string `json:"result,omitempty"`
	Detail      string `json:"detail,omitempty"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func findingsJSON(fs []store.Finding) []findingJSON {
	out := make([]findingJSON, 0, len(fs))
	for _, f := range fs {
		j := findingJSON{Fingerprint: f.Fingerprint, Detector: f.DetectorID, Provider: f.Provider, Confidence: f.Confidence,
			Redacted: f.Redacted, State: string(f.State), Verification: string(f.Verify), OwnerID: f.OwnerID, OwnerName: f.OwnerName,
			OwnerEmail: f.OwnerEmail, Org: f.Org, Revocation: string(f.Revocation), RevocationReason: f.RevocationReason,
			Attempts: f.Attempts, NextAttempt: rfc3339(f.NextAttempt), FirstSeen: rfc3339(f.FirstSeen),
			LastSeen: rfc3339(f.LastSeen), UpdatedAt: rfc3339(f.UpdatedAt), Locations: []locationJSON{}}
		for _, l := range f.Locations {
			j.Locations = append(j.Locations, locationJSON{Source: l.Source, Repository: l.Repository, Commit: l.Commit,
				Path: l.Path, Line: l.Line, Column: l.Column, AuthorName: l.AuthorName, AuthorEmail: l.AuthorEmail,
				Date: rfc3339(l.Date), WebURL: l.WebURL})
		}
		out = append(out, j)
	}
	return out
}

func auditEventsJSON(evs []store.AuditEvent) []auditJSON {
	out := make([]auditJSON, 0, len(evs))
	for _, e := range evs {
		out = append(out, auditJSON{ID: e.ID, At: rfc3339(e.At), Actor: e.Actor, Action: e.Action, Fingerprint: e.Fingerprint,
			Provider: e.Provider, Target: e.Target, Result: e.Result, Detail: e.Detail})
	}
	return out
}
