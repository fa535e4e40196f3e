package service

import (
	"context"
	"testing"
	"time"
)

// TestQueuePipelineJobRunsEveryPeriod: the pipeline job (the retry worker) runs again and
// again with a sub-second period (at most once a second then). It was unique by its period,
// which River refuses under one second: every insert failed and the retry worker never ran.
func TestQueuePipelineJobRunsEveryPeriod(t *testing.T) {
	t.Parallel()
	for _, b := range testBackends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			testQueuePipelineJobRunsEveryPeriod(t, b.open(t))
		})
	}
}

func testQueuePipelineJobRunsEveryPeriod(t *testing.T, b Backend) {
	const every = 100 * time.Millisecond
	h := &recHandlers{scanned: make(chan ScanArgs, 1)}
	q, err := OpenQueue(t.Context(), b, h, QueueOptions{PipelineEvery: every, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for h.pipeline.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("pipeline job ran %d times in 10s, want 2 (every %s)", h.pipeline.Load(), every)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
