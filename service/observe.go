package service

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/patrolsec/patrol/lifecycle"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/store"
)

// Observe returns st with the pipeline's audit rows counted in m once they are committed:
// verifications, revocations, notifications, the time to containment, and what patrol did
// about secret-scanning alerts. The audit log is
// the one record of what the pipeline did, so the metrics are read from it rather than
// from hooks in every step; a row of a rolled-back transaction is never counted.
func Observe(st store.Store, m *metrics.Metrics, now func() time.Time) store.Store {
	if m == nil {
		return st
	}
	return &observed{Store: st, o: &observer{m: m, st: st, now: now}}
}

type observer struct {
	m         *metrics.Metrics
	st        store.Store
	now       func() time.Time
	contained sync.Map // fingerprints counted in the containment histogram
}

// observed is a Store whose audit rows reach the observer after they commit. Inside InTx, rows
// wait in rows until the outermost transaction commits.
type observed struct {
	store.Store
	o    *observer
	rows *[]store.AuditEvent // set on a transaction's Store
}

func (s *observed) Audit(ctx context.Context, e store.AuditEvent) error {
	if err := s.Store.Audit(ctx, e); err != nil {
		return err
	}
	if s.rows != nil {
		*s.rows = append(*s.rows, e)
		return nil
	}
	s.o.count(ctx, e)
	return nil
}

func (s *observed) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	if s.rows != nil { // nested: the outer transaction reports
		return s.Store.InTx(ctx, func(tx store.Store) error {
			mark := len(*s.rows)
			err := fn(&observed{Store: tx, o: s.o, rows: s.rows})
			if err != nil {
				*s.rows = (*s.rows)[:mark]
			}
			return err
		})
	}
	var rows []store.AuditEvent
	err := s.Store.InTx(ctx, func(tx store.Store) error {
		rows = rows[:0]
		return fn(&observed{Store: tx, o: s.o, rows: &rows})
	})
	if err == nil {
		for _, e := range rows {
			s.o.count(ctx, e)
		}
	}
	return err
}

// count records one committed audit row.
func (o *observer) count(ctx context.Context, e store.AuditEvent) {
	switch e.Action {
	case "verify":
		switch v := lifecycle.Verdict(e.Result); v {
		case lifecycle.VerdictLive, lifecycle.VerdictDead, lifecycle.VerdictUnknown:
			o.m.Verification(e.Provider, v)
		}
	case "revoke":
		o.m.Revocation(e.Provider, lifecycle.Outcome(e.Result))
	case auditAlert:
		switch e.Result {
		case metrics.AlertIngested, metrics.AlertUnknownType, metrics.AlertResolved, metrics.AlertLeftOpen, metrics.AlertResolveFailed:
			o.m.Alert(metrics.AlertSourceGitHub, e.Result)
		}
	case "notify":
		channel := pipeline.ChannelEmail
		if e.Target == "webhook" {
			channel = pipeline.ChannelWebhook
		}
		switch e.Result {
		case metrics.NotificationSent, metrics.NotificationRetry, metrics.NotificationFailed:
			o.m.Notification(channel, e.Result)
		}
		if e.Result == metrics.NotificationSent && strings.HasPrefix(e.Detail, pipeline.EventRevoked) && channel == pipeline.ChannelEmail {
			if _, done := o.contained.LoadOrStore(e.Fingerprint, true); !done {
				if f, err := o.st.Finding(ctx, e.Fingerprint); err == nil && !f.FirstSeen.IsZero() {
					o.m.Contained(o.now().Sub(f.FirstSeen))
				}
			}
		}
	}
}

// Unwrap returns the store under the observer, for store.SQLTx and store.PgxTx.
func (s *observed) Unwrap() store.Store { return s.Store }
