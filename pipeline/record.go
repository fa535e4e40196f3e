package pipeline

import (
	"context"
	"fmt"
	"strings"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/store"
)

// Record saves the findings of one scan in one store transaction: each unique fingerprint
// once, with all its locations, and an audit "detect" row for each new one; then also(tx),
// when set, in the same transaction (serve advances its scan cursor there, so a crash
// rescans and never skips). It returns the stored findings, one per fingerprint, in the
// order they first appear in fs. Nothing is verified here: the steps run from the store
// (Step, RunDue, Drain).
func (p *Pipeline) Record(ctx context.Context, fs []scanner.Finding, also func(tx store.Store) error) ([]store.Finding, error) {
	if p.o.Store == nil {
		return nil, errNoStore
	}
	var order []string
	recs := map[string]*store.Finding{}
	now := p.now()
	for _, f := range fs {
		if f.Fingerprint == "" {
			return nil, fmt.Errorf("record %s finding at %s: no fingerprint", f.DetectorID, where(f.Location))
		}
		if r, ok := recs[f.Fingerprint]; ok {
			r.Locations = append(r.Locations, toLocation(f))
			continue
		}
		order = append(order, f.Fingerprint)
		recs[f.Fingerprint] = &store.Finding{Fingerprint: f.Fingerprint, DetectorID: f.DetectorID, Provider: f.Provider,
			Confidence: string(f.Confidence), Redacted: f.Redacted, State: lifecycle.StateDetected,
			FirstSeen: now, LastSeen: now, Locations: []store.Location{toLocation(f)}}
	}
	out := make([]store.Finding, 0, len(order))
	err := p.o.Store.InTx(ctx, func(tx store.Store) error {
		out = out[:0]
		for _, fp := range order {
			stored, created, err := tx.SaveFinding(ctx, *recs[fp])
			if err != nil {
				return fmt.Errorf("save finding %s: %w", fp, err)
			}
			if created {
				if err := tx.Audit(ctx, p.row("detect", stored, stored.Locations[0].Repository, "detected", "")); err != nil {
					return fmt.Errorf("audit detection of %s: %w", fp, err)
				}
			}
			out = append(out, stored)
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("record findings: %w", err)
	}
	return out, nil
}

// toLocation maps where the scanner saw a finding to the store's location, with the byte span
// a later step reads the token back from.
func toLocation(f scanner.Finding) store.Location {
	l := store.Location{Source: f.Location.Source, Kind: f.Location.Kind, Blob: f.Location.Blob,
		Offset: f.Location.Offset, Length: f.Location.Length, Encoding: f.Encoding,
		Repository: f.Location.Repository, Commit: f.Location.Commit, Path: f.Location.Path,
		Line: f.Location.Line, Column: f.Location.Column,
		AuthorName: f.Location.AuthorName, AuthorEmail: f.Location.AuthorEmail,
		WebURL: commitURL(f.Location.Repository, f.Location.Commit)}
	if f.Location.Date != nil {
		l.Date = *f.Location.Date
	}
	return l
}

// where names a scanner location in an error.
func where(l scanner.Location) string {
	s := strings.TrimPrefix(l.Repository+" "+l.Path, " ")
	if s == "" {
		s = l.Source
	}
	return fmt.Sprintf("%s:%d", s, l.Line)
}

// commitURL returns a web link to a commit for the hosts whose URL scheme is known.
func commitURL(repo, commit string) string {
	if commit == "" || !strings.HasPrefix(repo, "https://") {
		return ""
	}
	u := strings.TrimSuffix(strings.TrimSuffix(repo, "/"), ".git")
	switch {
	case strings.HasPrefix(u, "https://github.com/"), strings.HasPrefix(u, "https://gitlab.com/"):
		return u + "/commit/" + commit
	case strings.Contains(u, "dev.azure.com/") && strings.Contains(u, "/_git/"):
		return u + "/commit/" + commit
	}
	return ""
}
