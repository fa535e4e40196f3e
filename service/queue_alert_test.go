package service

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/patrolsec/patrol/service/metrics"
	"github.com/patrolsec/patrol/store"
)

// TestQueueAlertJobsCommitWithTheStore: a resolve job queued in a store transaction commits
// with it, or not at all when it rolls back; a second one for the same alert, while the first
// waits, is a duplicate; so is a second ingest job of the same alert.
func TestQueueAlertJobsCommitWithTheStore(t *testing.T) {
	t.Parallel()
	for _, b := range testBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			be := b.open(t)
			cfg := store.Config{DSN: be.SQLite}
			if be.Postgres != "" {
				cfg = store.Config{Driver: store.DriverPostgres, DSN: be.Postgres}
				if _, err := store.Migrate(ctx, cfg); err != nil {
					t.Fatal(err)
				}
			}
			st, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			q, err := OpenQueue(ctx, be, &recHandlers{}, QueueOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer q.Stop(context.Background()) // never started: the jobs stay as inserted

			a := AlertResolveArgs{Repository: "https://github.com/contoso/app.git", Number: 7, Fingerprint: "ab12"}
			rollback := errors.New("roll back")
			if err := st.InTx(ctx, func(tx store.Store) error {
				if err := q.insertTx(ctx, tx, a, nil); err != nil {
					return err
				}
				return rollback
			}); !errors.Is(err, rollback) {
				t.Fatal(err)
			}
			for range 2 {
				if err := st.InTx(ctx, func(tx store.Store) error { return q.insertTx(ctx, tx, a, nil) }); err != nil {
					t.Fatal(err)
				}
			}
			ingest := AlertArgs{Repository: a.Repository, Number: a.Number}
			if ok, err := q.insert(ctx, ingest); err != nil || !ok {
				t.Fatalf("insert(ingest) = %v, %v; want inserted", ok, err)
			}
			if ok, err := q.insert(ctx, ingest); err != nil || ok {
				t.Fatalf("insert(ingest) again = %v, %v; want a duplicate", ok, err)
			}
			s, err := q.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := map[metrics.JobKey]int{{Kind: metrics.JobAlertResolve, State: "available"}: 1, {Kind: metrics.JobAlert, State: "available"}: 1}
			if !maps.Equal(s.Jobs, want) {
				t.Errorf("jobs %v, want %v (none from the rolled-back transaction, one per alert)", s.Jobs, want)
			}
		})
	}
}

func TestResolveBackoff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		attempt int
		want    time.Duration
	}{{0, 30 * time.Second}, {1, 30 * time.Second}, {2, time.Minute}, {5, 8 * time.Minute}, {8, time.Hour}, {9000, time.Hour}} {
		if got := resolveBackoff(30*time.Second, tt.attempt); got != tt.want {
			t.Errorf("resolveBackoff(30s, %d) = %s, want %s", tt.attempt, got, tt.want)
		}
	}
}
