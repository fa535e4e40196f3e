package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/scanner/scan"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/store"
)

// Rescan is the Rehydrator that reads a token back from where the store says it lives: the
// git blob of a repository or clone cache, or a file under a scanned directory, at the stored
// byte span (scan.Rehydrate), or the code host's secret-scanning alert it came from (Alert).
// The store never holds the raw value, so this is how a retry, a confirmation or a recovery
// long after the scan gets it.
type Rescan struct {
	// Engine finds the token again; it must use the fingerprint key of the scan that found it.
	Engine *scanner.Engine
	// CloneDir is where repository URLs are cloned (patrol serve's clone cache); empty means
	// the default cache of patrol scan.
	CloneDir string
	// Root is the directory read for locations that name no repository (a dir scan).
	Root string
	// Fetch, when set, brings the mirror of a repository URL into CloneDir up to date. It is
	// called once for a location whose mirror is missing or lacks the blob (scan.ErrGone),
	// before reading it again: with several replicas of patrol serve, each has its own clone
	// cache, and the one taking a finding further may not be the one that scanned it.
	Fetch func(ctx context.Context, repository string) error
	// Alert, when set, fetches the token of a location of kind store.KindSecretScanningAlert
	// again from the code host's alert it names (GitHub's single-alert answer carries the
	// secret). It must return only a token whose fingerprint is fingerprint, and an error
	// that holds no token otherwise. Without it such a location cannot be read back. (A
	// function, so that this package knows nothing of any code host's API.)
	Alert func(ctx context.Context, l store.Location, fingerprint string) (secret.Token, error)
}

// Rehydrate implements Rehydrator: it tries each location of f in turn.
func (r Rescan) Rehydrate(ctx context.Context, f store.Finding) (secret.Token, error) {
	var errs []error
	for _, l := range f.Locations {
		if l.Kind == store.KindSecretScanningAlert {
			tok, err := r.alert(ctx, l, f.Fingerprint)
			if err == nil {
				return tok, nil
			}
			errs = append(errs, err)
			continue
		}
		w := scan.Where{Source: l.Source, Repository: l.Repository, CloneDir: r.CloneDir, Blob: l.Blob,
			Commit: l.Commit, Path: l.Path, Offset: l.Offset, Length: l.Length, Kind: l.Kind, Encoding: l.Encoding}
		if w.Repository == "" {
			w.Repository = r.Root
		}
		tok, err := scan.Rehydrate(ctx, r.Engine, w, f.Fingerprint)
		if err != nil && r.Fetch != nil && errors.Is(err, scan.ErrGone) && git.IsURL(w.Repository) {
			if ferr := r.Fetch(ctx, w.Repository); ferr != nil {
				err = errors.Join(err, ferr)
			} else {
				tok, err = scan.Rehydrate(ctx, r.Engine, w, f.Fingerprint)
			}
		}
		if err == nil {
			return tok, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return secret.Token{}, fmt.Errorf("read token %s back: no location recorded: %w", short(f.Fingerprint), ErrNoToken)
	}
	return secret.Token{}, fmt.Errorf("read token %s back: %w", short(f.Fingerprint), errors.Join(errs...))
}

// alert reads the token of an alert location through Alert.
func (r Rescan) alert(ctx context.Context, l store.Location, fingerprint string) (secret.Token, error) {
	if r.Alert == nil {
		return secret.Token{}, fmt.Errorf("alert %d of %s: no code host client to fetch it from", l.Alert, l.Repository)
	}
	return r.Alert(ctx, l, fingerprint)
}

func short(fp string) string { return fp[:min(12, len(fp))] }
