package service

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/secret"
	"github.com/patrolsec/patrol/service/alerts"
	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/service/webhook"
	"github.com/patrolsec/patrol/store"
)

// A code host's secret-scanning alerts are a source of findings beside patrol's own scans:
// an alert (from the secret_scanning_alert webhook, or from the periodic poll of open alerts)
// is fetched with its secret, classified as the scan would classify the value, and recorded
// as a finding whose location is the alert; the pipeline then takes it like any finding, its
// token read back from the alert when a step needs it. Once the token is dead, a durable job
// resolves the alert. Every call to GitHub and every decision is in the audit log under
// auditAlert; patrol_alerts_total counts them (from the committed audit rows, see Observe).

// auditAlert is the audit action of everything patrol does about a GitHub alert; Target is
// the alert's page, Result one of the alert* results.
const auditAlert = "github_alert"

// Results of auditAlert rows besides the metric outcomes (ingested, unknown_type, resolved,
// left_open, resolve_failed), which the observer counts.
const (
	alertSecretRead      = "secret_read"        // a step fetched the token from the alert
	alertReadFailed      = "read_failed"        // a GET of the alert failed
	alertResolvedOnHost  = "resolved_on_github" // someone resolved the alert on GitHub (webhook)
	alertAlreadyResolved = "already_resolved"   // the resolve job found it resolved already
	alertPolled          = "polled"             // one poll of a target's open alerts
	alertPollFailed      = "poll_failed"
)

// alertLocationSource is the Location.Source of an alert location.
const alertLocationSource = "github-alert"

// AlertArgs is the job "take alert Number of Repository in": fetch it with its secret and
// record it (ingest). The alert webhook queues it; at most one per alert waits or runs.
type AlertArgs struct {
	// Repository is the alert's repository as its location records it (the clone URL the
	// target lists, or GitHub's clone_url).
	Repository string `json:"repository" river:"unique"`
	Number     int64  `json:"number" river:"unique"`
}

// Kind implements river.JobArgs.
func (AlertArgs) Kind() string { return metrics.JobAlert }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (AlertArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unfinished}}
}

// AlertPollArgs is the periodic job that lists every target's open alerts, every page, and
// ingests each: what a lost webhook delivery missed, and the alerts of tokens that are dead
// by now. It runs on the sweep's schedule.
type AlertPollArgs struct{}

// Kind implements river.JobArgs.
func (AlertPollArgs) Kind() string { return metrics.JobAlertPoll }

// AlertResolveArgs is the job "resolve alert Number of Repository, whose token (finding
// Fingerprint) is dead": queued in the transaction that moves the finding to confirmed_dead
// or dead, or by an ingest that finds its finding there already. At most one per alert waits
// or runs; a failed call is retried with backoff (resolveBackoff) for as long as
// resolveAttempts allow, and the next poll queues it again after that.
type AlertResolveArgs struct {
	Repository  string `json:"repository" river:"unique"`
	Number      int64  `json:"number" river:"unique"`
	Fingerprint string `json:"fingerprint"`
}

// Kind implements river.JobArgs.
func (AlertResolveArgs) Kind() string { return metrics.JobAlertResolve }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (AlertResolveArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: resolveAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: unfinished}}
}

// resolveAttempts keeps a resolve job retrying for about a year at resolveBackoff's cap: a
// token's alert is never given up on (River keeps attempts in a smallint).
const resolveAttempts = 10000

// resolveBackoff is the wait before retry n of a resolve job: base doubling, at most an hour.
func resolveBackoff(base time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// alertTarget is the web page of alert n of a repository, the Target of its audit rows.
func alertTarget(repo string, n int64) string {
	return fmt.Sprintf("%s/security/secret-scanning/%d", strings.TrimSuffix(strings.TrimSuffix(repo, "/"), ".git"), n)
}

// alertSource returns the alert client of the target that reads the alerts of a repository
// (its owner is the target's organization or user) and the repository's owner/name.
func (s *Service) alertSource(repo string) (*alerts.GitHub, string, error) {
	full, err := alerts.FullName(repo)
	if err != nil {
		return nil, "", err
	}
	owner, _, _ := strings.Cut(full, "/")
	for _, t := range s.o.Targets {
		if t.Alerts != nil && strings.EqualFold(t.Alerts.Owner(), owner) {
			return t.Alerts, full, nil
		}
	}
	return nil, full, nil
}

// readsAlerts reports whether any target reads alerts.
func (s *Service) readsAlerts() bool {
	for _, t := range s.o.Targets {
		if t.Alerts != nil {
			return true
		}
	}
	return false
}

// alertRepository is the repository of an alert as patrol's own scan records it: the key of
// the watched repository with that clone or web URL, else the clone URL without user info.
func (s *Service) alertRepository(cloneURL, webURL string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range []string{cloneURL, webURL} {
		if k, ok := s.byURL[normalizeURL(u)]; ok && u != "" {
			return k
		}
	}
	if u, err := url.Parse(cloneURL); err == nil {
		u.User = nil
		return u.String()
	}
	return cloneURL
}

// onAlert takes a secret_scanning_alert webhook: a created or reopened alert of a target
// that reads alerts is queued for ingest (the payload has no secret); a resolved one is
// written to the audit log with who resolved it.
func (s *Service) onAlert(ctx context.Context, a webhook.Alert) (bool, error) {
	src, _, err := s.alertSource(a.Repository)
	if err != nil || src == nil {
		s.log.InfoContext(ctx, "alert for a repository no target reads alerts of: ignored", "delivery", a.DeliveryID)
		return false, nil
	}
	repo := s.alertRepository(a.Repository, a.HTMLURL)
	if a.Action == webhook.AlertResolved {
		err := s.alertStore().Audit(ctx, store.AuditEvent{At: s.o.Now(), Actor: actor, Action: auditAlert,
			Target: alertTarget(repo, a.Number), Result: alertResolvedOnHost,
			Detail: fmt.Sprintf("resolved on GitHub as %q by %s", a.Resolution, a.ResolvedBy)})
		return err == nil, err
	}
	q := s.Queue()
	if q == nil {
		return false, errors.New("job queue not started")
	}
	_, err = q.insert(ctx, AlertArgs{Repository: repo, Number: a.Number})
	return err == nil, err
}

// actor names patrol serve in the audit rows it writes itself.
const actor = "patrol serve"

// alertStore is the store the alert rows are written through: observed, so that
// patrol_alerts_total counts what committed.
func (s *Service) alertStore() store.Store { return s.audited }

// Alert is the AlertArgs job: it fetches the alert with its secret and ingests it. An alert
// resolved by now, or of a repository no target reads alerts of any more, is dropped.
func (s *Service) Alert(ctx context.Context, a AlertArgs) error {
	src, full, err := s.alertSource(a.Repository)
	if err != nil || src == nil {
		s.log.InfoContext(ctx, "alert job of a repository no target reads alerts of: dropped", "repo", a.Repository, "alert", a.Number)
		return nil
	}
	al, err := src.Get(ctx, full, a.Number)
	if err != nil {
		s.auditAlertRow(ctx, "", a.Repository, a.Number, alertReadFailed, "GET alert: "+err.Error())
		return fmt.Errorf("alert %d of %s: %w", a.Number, full, err)
	}
	if al.State != "open" {
		s.log.InfoContext(ctx, "alert no longer open: nothing to take in", "repo", a.Repository, "alert", a.Number, "state", al.State)
		return nil
	}
	return s.ingest(ctx, src, a.Repository, al)
}

// AlertPoll is the AlertPollArgs job: it lists the open alerts of every target that reads
// alerts and ingests each. A failing alert does not stop the others; the errors are joined.
func (s *Service) AlertPoll(ctx context.Context) error {
	s.mu.Lock()
	listed, lists := !s.listed.IsZero(), s.lists
	s.mu.Unlock()
	if !listed {
		return ErrNotReady // a user target's alerts are listed per repository it lists
	}
	var errs []error
	for i, t := range s.o.Targets {
		if t.Alerts == nil {
			continue
		}
		var repos []string
		if i < len(lists) {
			for _, r := range lists[i] {
				repos = append(repos, r.Name)
			}
		}
		n := 0
		pages, err := t.Alerts.ListOpen(ctx, repos, func(al alerts.Alert) error {
			n++
			if err := s.ingest(ctx, t.Alerts, "", al); err != nil {
				s.log.WarnContext(ctx, "take in an open alert; the next poll tries again", "alert", al.Number, "err", err.Error())
				errs = append(errs, err)
			}
			return ctx.Err()
		})
		result, detail := alertPolled, fmt.Sprintf("%d open alerts on %d pages", n, pages)
		if err != nil {
			result, detail = alertPollFailed, detail+": "+err.Error()
			errs = append(errs, err)
		}
		if aerr := s.alertStore().Audit(ctx, store.AuditEvent{At: s.o.Now(), Actor: actor, Action: auditAlert,
			Target: t.Alerts.String(), Result: result, Detail: detail}); aerr != nil {
			errs = append(errs, aerr)
		}
	}
	return errors.Join(errs...)
}

// ingest records an open alert (with its secret) as a finding, once: an alert whose location
// the finding has already changes nothing (counted as a duplicate), except that a finding
// already dead gets its resolve job queued (again: the job is unique, and a resolved alert is
// not listed as open). repo is the alert's repository as recorded, or "" to work it out.
func (s *Service) ingest(ctx context.Context, src *alerts.GitHub, repo string, al alerts.Alert) error {
	tok, err := alerts.NeedSecret(al)
	if err != nil {
		return err
	}
	if repo == "" {
		repo = s.alertRepository(al.CloneURL, al.RepoURL)
	}
	m, known := s.classify().Classify(al.SecretType, tok)
	cur, err := s.o.Store.Finding(ctx, m.Fingerprint)
	switch {
	case err == nil && hasAlert(cur, repo, al.Number):
		s.o.Metrics.Alert(metrics.AlertSourceGitHub, metrics.AlertDuplicate)
		return s.resolveIfDead(ctx, nil, cur)
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("alert %d of %s: %w", al.Number, al.FullName, err)
	}
	where, inCommit, err := src.FirstCommit(ctx, al.FullName, al.Number)
	if err != nil {
		return fmt.Errorf("alert %d of %s: %w", al.Number, al.FullName, err)
	}
	// Who pushed the token past push protection is its probable owner, as a commit's author
	// is: the pipeline mails them when the issuer names no owner.
	l := store.Location{Source: alertLocationSource, Kind: store.KindSecretScanningAlert, Repository: repo, Alert: al.Number,
		WebURL: alertTarget(repo, al.Number), AuthorName: al.BypassedBy.Login, AuthorEmail: al.BypassedBy.Email}
	if inCommit {
		l.Path, l.Line, l.Column = where.Path, where.Line, where.Column
		if objectID(where.Commit) {
			l.Commit = where.Commit
		}
		if objectID(where.Blob) {
			l.Blob = where.Blob
		}
	}
	now := s.o.Now()
	f := store.Finding{Fingerprint: m.Fingerprint, DetectorID: m.DetectorID, Provider: m.Provider, Confidence: m.Confidence,
		Redacted: m.Redacted, FirstSeen: now, LastSeen: now, Locations: []store.Location{l}}
	outcome, how := metrics.AlertIngested, "its value matches detector "+m.DetectorID
	switch {
	case !known:
		outcome, how = metrics.AlertUnknownType, "neither a detector nor its secret type is known to patrol: left alone"
	case m.ByType:
		how = "detector " + m.DetectorID + " from its secret type"
	}
	var created, dup bool
	err = s.alertStore().InTx(ctx, func(tx store.Store) error {
		// Transactions are serialized: a webhook's job and a poll taking the same alert in at
		// once record it once.
		if cur, err := tx.Finding(ctx, f.Fingerprint); err == nil && hasAlert(cur, repo, al.Number) {
			dup = true
			return nil
		}
		stored, isNew, err := tx.SaveFinding(ctx, f)
		if err != nil {
			return err
		}
		created = isNew
		state := "a new finding"
		if isNew {
			if err := tx.Audit(ctx, store.AuditEvent{At: now, Actor: actor, Action: "detect", Fingerprint: stored.Fingerprint,
				Provider: stored.Provider, Target: repo, Result: "detected", Detail: "from GitHub secret-scanning alert " + l.WebURL}); err != nil {
				return err
			}
		} else {
			state = "the finding patrol knows, " + string(stored.State)
		}
		if err := tx.Audit(ctx, store.AuditEvent{At: now, Actor: actor, Action: auditAlert, Fingerprint: stored.Fingerprint,
			Provider: stored.Provider, Target: l.WebURL, Result: outcome,
			Detail: fmt.Sprintf("secret type %s, %s; %s (GET alert, GET its locations)", al.SecretType, how, state)}); err != nil {
			return err
		}
		if isNew && known {
			return s.insertTx(ctx, tx, FindingArgs{Fingerprint: stored.Fingerprint}, FindingGrace)
		}
		return s.resolveIfDead(ctx, tx, stored)
	})
	if err != nil {
		return fmt.Errorf("record alert %d of %s: %w", al.Number, al.FullName, err)
	}
	if dup {
		s.o.Metrics.Alert(metrics.AlertSourceGitHub, metrics.AlertDuplicate)
		return nil
	}
	s.log.InfoContext(ctx, "alert taken in", "repo", repo, "alert", al.Number, "fingerprint", m.Fingerprint, "detector", m.DetectorID, "outcome", outcome)
	if created && known {
		if err := s.o.Pipeline.Drain(ctx, []string{m.Fingerprint}, s.o.Now()); err != nil {
			s.log.WarnContext(ctx, "pipeline after an alert; the retry worker takes it from here", "fingerprint", m.Fingerprint, "err", err.Error())
		}
	}
	return nil
}

// classify is the classifier of the service's engine and key.
func (s *Service) classify() alerts.Classifier {
	return alerts.Classifier{Engine: s.o.Engine, Key: s.o.FingerprintKey}
}

// hasAlert reports whether f has the location of alert n of repo.
func hasAlert(f store.Finding, repo string, n int64) bool {
	for _, l := range f.Locations {
		if l.Kind == store.KindSecretScanningAlert && l.Alert == n && l.Repository == repo {
			return true
		}
	}
	return false
}

// objectID reports whether id is a git object id the store accepts.
func objectID(id string) bool {
	return (len(id) == 40 || len(id) == 64) && strings.Trim(id, "0123456789abcdef") == ""
}

// deadBecause says why the alerts of a finding may be resolved as revoked, or false: patrol
// revoked the token and it answered dead, or it answered dead before patrol acted.
func deadBecause(f store.Finding) (string, bool) {
	switch {
	case f.State == lifecycle.StateDead:
		return "token verified dead before patrol acted (revoked or expired already)", true
	case (f.State == lifecycle.StateConfirmedDead || f.State == lifecycle.StateNotified) && f.Revocation == lifecycle.OutcomeRevoked:
		return "token revoked and confirmed dead", true
	}
	return "", false
}

// resolveIfDead queues the resolve job of every alert of f when its token is dead: in tx
// when there is one, else on its own. Without a job queue (serve --once), it resolves them at
// once, and only outside a transaction (OnMove then leaves them to the closing poll).
func (s *Service) resolveIfDead(ctx context.Context, tx store.Store, f store.Finding) error {
	if _, dead := deadBecause(f); !dead {
		return nil
	}
	var errs []error
	for _, l := range f.Locations {
		if l.Kind != store.KindSecretScanningAlert {
			continue
		}
		a := AlertResolveArgs{Repository: l.Repository, Number: l.Alert, Fingerprint: f.Fingerprint}
		switch q := s.Queue(); {
		case q != nil && tx != nil:
			errs = append(errs, s.insertTx(ctx, tx, a, 0))
		case q != nil:
			_, err := q.insert(ctx, a)
			errs = append(errs, err)
		case tx == nil:
			errs = append(errs, s.AlertResolve(ctx, a))
		}
	}
	return errors.Join(errs...)
}

// insertTx queues a job in the store transaction tx, due after delay; without a job queue
// (serve --once) it does nothing: Once takes every finding and alert through itself.
func (s *Service) insertTx(ctx context.Context, tx store.Store, args river.JobArgs, delay time.Duration) error {
	q := s.Queue()
	if q == nil {
		return nil
	}
	var opts *river.InsertOpts
	if delay > 0 {
		opts = &river.InsertOpts{ScheduledAt: time.Now().Add(delay)}
	}
	return q.insertTx(ctx, tx, args, opts)
}

// AfterMove is the pipeline's OnMove hook: in the transaction of a finding's move, it queues
// the resolve job of each of its alerts when its token became dead (confirmed dead after
// patrol revoked it, or dead when first verified), and records why an alert stays open when
// the token is live and patrol does not revoke it (policy, or a provider that cannot):
// GitHub takes a resolution comment only with a resolution, so there is nothing to write on
// the alert itself.
func (s *Service) AfterMove(ctx context.Context, tx store.Store, from store.State, f store.Finding) error {
	switch {
	case f.State == lifecycle.StateConfirmedDead || f.State == lifecycle.StateDead:
		return s.resolveIfDead(ctx, tx, f)
	case f.State == lifecycle.StateNotRevoked, f.State == lifecycle.StateSkipped && f.Verify == lifecycle.VerdictLive:
		for _, l := range f.Locations {
			if l.Kind != store.KindSecretScanningAlert {
				continue
			}
			if err := tx.Audit(ctx, store.AuditEvent{At: s.o.Now(), Actor: actor, Action: auditAlert, Fingerprint: f.Fingerprint,
				Provider: f.Provider, Target: alertTarget(l.Repository, l.Alert), Result: metrics.AlertLeftOpen,
				Detail: "token live, not revoked: " + f.RevocationReason + "; the alert stays open (GitHub takes a comment only when an alert is resolved)"}); err != nil {
				return err
			}
		}
	}
	return nil
}

// AlertResolve is the AlertResolveArgs job: when the finding's token is dead and the alert
// still open, it resolves the alert as revoked with a comment naming patrol and the audit
// record that says the token is dead. A failed call is audited, counted (resolve_failed)
// and returned, for River to retry.
func (s *Service) AlertResolve(ctx context.Context, a AlertResolveArgs) error {
	src, full, err := s.alertSource(a.Repository)
	if err != nil || src == nil {
		s.log.WarnContext(ctx, "resolve an alert of a repository no target reads alerts of: dropped", "repo", a.Repository, "alert", a.Number)
		return nil
	}
	f, err := s.o.Store.Finding(ctx, a.Fingerprint)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	why, dead := deadBecause(f)
	if !dead {
		return nil
	}
	cur, err := src.State(ctx, full, a.Number)
	if err != nil {
		s.auditAlertRow(ctx, f.Fingerprint, a.Repository, a.Number, metrics.AlertResolveFailed, "GET alert: "+err.Error())
		return fmt.Errorf("resolve alert %d of %s: %w", a.Number, full, err)
	}
	if cur.State != "open" {
		s.auditAlertRow(ctx, f.Fingerprint, a.Repository, a.Number, alertAlreadyResolved,
			fmt.Sprintf("already %s as %q by %s", cur.State, cur.Resolution, cur.ResolvedBy.Login))
		return nil
	}
	record, err := s.deathRecord(ctx, f.Fingerprint)
	if err != nil {
		return err
	}
	comment := fmt.Sprintf("patrol: %s; audit record %d", why, record)
	if _, err := src.Resolve(ctx, full, a.Number, comment); err != nil {
		s.log.ErrorContext(ctx, "resolve alert; the job retries it", "repo", a.Repository, "alert", a.Number, "err", err.Error())
		s.auditAlertRow(ctx, f.Fingerprint, a.Repository, a.Number, metrics.AlertResolveFailed, "PATCH alert: "+err.Error())
		return fmt.Errorf("resolve alert %d of %s: %w", a.Number, full, err)
	}
	s.auditAlertRow(ctx, f.Fingerprint, a.Repository, a.Number, metrics.AlertResolved, "resolution revoked; comment: "+comment)
	s.log.InfoContext(ctx, "alert resolved", "repo", a.Repository, "alert", a.Number, "fingerprint", f.Fingerprint)
	return nil
}

// deathRecord is the id of the audit row that says the token of fp is dead: the last
// confirmation, recovered revocation or dead verification.
func (s *Service) deathRecord(ctx context.Context, fp string) (int64, error) {
	rows, err := s.o.Store.AuditOf(ctx, fp)
	if err != nil {
		return 0, err
	}
	var id int64
	for _, e := range rows {
		switch {
		case e.Action == "confirm" && e.Result == string(lifecycle.StateConfirmedDead),
			e.Action == "revoke" && e.Result == string(lifecycle.OutcomeRevoked),
			e.Action == "verify" && e.Result == string(lifecycle.VerdictDead):
			id = e.ID
		}
	}
	if id == 0 {
		return 0, fmt.Errorf("finding %s: no audit record says its token is dead", fp)
	}
	return id, nil
}

// auditAlertRow writes one auditAlert row outside any transaction; a failure is logged (the
// caller is already reporting something).
func (s *Service) auditAlertRow(ctx context.Context, fp, repo string, n int64, result, detail string) {
	if err := s.alertStore().Audit(ctx, store.AuditEvent{At: s.o.Now(), Actor: actor, Action: auditAlert, Fingerprint: fp,
		Target: alertTarget(repo, n), Result: result, Detail: detail}); err != nil {
		s.log.ErrorContext(ctx, "audit an alert call", "alert", n, "result", result, "err", err.Error())
	}
}

// AlertToken is pipeline.Rescan.Alert: it fetches the token of an alert location again
// (GitHub's single-alert answer has the secret), and returns it only when it is the token of
// the finding (its fingerprint, classified as at ingest). Every read is in the audit log.
func (s *Service) AlertToken(ctx context.Context, l store.Location, fingerprint string) (secret.Token, error) {
	src, full, err := s.alertSource(l.Repository)
	if err != nil {
		return secret.Token{}, err
	}
	if src == nil {
		return secret.Token{}, fmt.Errorf("alert %d of %s: no target reads this repository's alerts", l.Alert, l.Repository)
	}
	al, err := src.Get(ctx, full, l.Alert)
	if err == nil {
		var tok secret.Token
		if tok, err = alerts.NeedSecret(al); err == nil {
			if m, _ := s.classify().Classify(al.SecretType, tok); m.Fingerprint == fingerprint {
				s.auditAlertRow(ctx, fingerprint, l.Repository, l.Alert, alertSecretRead, "GET alert, for a pipeline step")
				return tok, nil
			}
			err = fmt.Errorf("alert %d of %s holds another token than finding %s", l.Alert, full, fingerprint)
		}
	}
	s.auditAlertRow(ctx, fingerprint, l.Repository, l.Alert, alertReadFailed, "GET alert, for a pipeline step: "+err.Error())
	return secret.Token{}, err
}
