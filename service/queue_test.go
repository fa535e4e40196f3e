package service

import (
	"context"
	"maps"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patrolsec/patrol/service/metrics"
)

type recHandlers struct {
	mu       sync.Mutex
	scans    []ScanArgs
	ticks    atomic.Int64
	sweeps   atomic.Int64
	pipeline atomic.Int64
	scanned  chan ScanArgs
}

func (r *recHandlers) Scan(_ context.Context, a ScanArgs) error {
	r.mu.Lock()
	r.scans = append(r.scans, a)
	r.mu.Unlock()
	r.scanned <- a
	return nil
}
func (r *recHandlers) Tick(context.Context, string, time.Time) error { r.ticks.Add(1); return nil }
func (r *recHandlers) Sweep(context.Context) error                   { r.sweeps.Add(1); return nil }
func (r *recHandlers) Pipeline(context.Context) error                { r.pipeline.Add(1); return nil }
func (r *recHandlers) Finding(context.Context, string) error         { return nil }
func (r *recHandlers) Alert(context.Context, AlertArgs) error        { return nil }
func (r *recHandlers) AlertPoll(context.Context) error               { return nil }
func (r *recHandlers) AlertResolve(context.Context, AlertResolveArgs) error {
	return nil
}

func TestQueueRunsUniqueScans(t *testing.T) {
	t.Parallel()
	for _, b := range testBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			testQueueRunsUniqueScans(t, b.open(t))
		})
	}
}

func testQueueRunsUniqueScans(t *testing.T, path Backend) {
	ctx := t.Context()
	h := &recHandlers{scanned: make(chan ScanArgs, 200)}
	q, err := OpenQueue(ctx, path, h, QueueOptions{Workers: 4, Poll: 20 * time.Millisecond, Sweep: "@every 1h"})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	tick := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
	const n = 50
	for i := range n {
		a := ScanArgs{Repository: "repo-" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Trigger: TriggerSchedule, Tick: tick}
		ok, err := q.EnqueueScan(ctx, a, time.Time{})
		if err != nil || !ok {
			t.Fatalf("EnqueueScan(%v) = %v, %v; want inserted", a, ok, err)
		}
		if ok, err := q.EnqueueScan(ctx, a, time.Time{}); err != nil || ok {
			t.Fatalf("EnqueueScan(%v) again = %v, %v; want a duplicate", a, ok, err)
		}
	}
	for range n {
		select {
		case <-h.scanned:
		case <-time.After(30 * time.Second):
			t.Fatalf("only %d of %d scans ran", len(h.scans), n)
		}
	}
	// The jobs run on start come up to about a second after Start: River's periodic enqueuer
	// begins once the client leads, after a random stagger of up to a second.
	for deadline := time.Now().Add(30 * time.Second); h.sweeps.Load() < 1 || h.pipeline.Load() < 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			break
		}
	}
	stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Stop(stop); err != nil {
		t.Fatal(err)
	}
	if got := h.sweeps.Load(); got != 1 {
		t.Errorf("sweeps = %d, want 1 (run on start)", got)
	}
	if got := h.pipeline.Load(); got < 1 {
		t.Errorf("pipeline jobs = %d, want at least 1 (run on start)", got)
	}
	// Reopening the same file is an upgrade no-op and keeps the uniqueness record.
	q2, err := OpenQueue(ctx, path, h, QueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer q2.Stop(stop)
	a := ScanArgs{Repository: "repo-aa", Trigger: TriggerSchedule, Tick: tick}
	if ok, err := q2.EnqueueScan(ctx, a, time.Time{}); err != nil || ok {
		t.Errorf("EnqueueScan after restart = %v, %v; want a duplicate of the completed job", ok, err)
	}
}

func TestParseSchedule(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"*/30 * * * *", "@hourly", "@every 10m"} {
		if _, err := ParseSchedule(spec); err != nil {
			t.Errorf("ParseSchedule(%q) = %v", spec, err)
		}
	}
	if _, err := ParseSchedule("every tuesday"); err == nil {
		t.Error("ParseSchedule(\"every tuesday\") = nil error")
	}
}

// TestEnqueueScanDueNow: a scan due now or earlier is inserted available, for the next
// fetch; only a scan due later waits as scheduled (River's scheduler makes those available
// every few seconds).
func TestEnqueueScanDueNow(t *testing.T) {
	t.Parallel()
	for _, b := range testBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			q, err := OpenQueue(ctx, b.open(t), &recHandlers{}, QueueOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer q.Stop(context.Background()) // never started: the jobs stay as inserted
			now := time.Now()
			for _, at := range []time.Time{{}, now.Add(-time.Minute), now.Add(time.Hour)} {
				a := ScanArgs{Repository: "repo-" + at.String(), Trigger: TriggerSweep, Tick: now.UTC()}
				if ok, err := q.EnqueueScan(ctx, a, at); err != nil || !ok {
					t.Fatalf("EnqueueScan(at %v) = %v, %v; want inserted", at, ok, err)
				}
			}
			st, err := q.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			kind := ScanArgs{}.Kind()
			want := map[metrics.JobKey]int{{Kind: kind, State: "available"}: 2, {Kind: kind, State: "scheduled"}: 1}
			if !maps.Equal(st.Jobs, want) {
				t.Errorf("jobs %v, want %v (zero and past available, future scheduled)", st.Jobs, want)
			}
		})
	}
}

// TestQueueScanLock: a repository's scan lock is held by one holder at a time, across two
// queues on one database (two replicas, on PostgreSQL), and free again after unlock.
func TestQueueScanLock(t *testing.T) {
	t.Parallel()
	for _, b := range testBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db := b.open(t)
			open := func() *Queue {
				q, err := OpenQueue(ctx, db, &recHandlers{}, QueueOptions{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { q.Stop(context.Background()) })
				return q
			}
			q1 := open()
			q2 := q1
			if b.name == "postgres" {
				q2 = open()
			}
			unlock, ok, err := q1.TryLock(ctx, "https://github.com/contoso/app")
			if err != nil || !ok {
				t.Fatalf("first TryLock = %v, %v; want held", ok, err)
			}
			if _, ok, err := q2.TryLock(ctx, "https://github.com/contoso/app"); err != nil || ok {
				t.Fatalf("second TryLock = %v, %v; want refused while held", ok, err)
			}
			other, ok, err := q2.TryLock(ctx, "https://github.com/contoso/api")
			if err != nil || !ok {
				t.Fatalf("TryLock of another repository = %v, %v; want held", ok, err)
			}
			other()
			unlock()
			again, ok, err := q2.TryLock(ctx, "https://github.com/contoso/app")
			if err != nil || !ok {
				t.Fatalf("TryLock after unlock = %v, %v; want held", ok, err)
			}
			again()
		})
	}
}
