package notify

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{-3, time.Minute}, {0, time.Minute}, {1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute},
		{6, 32 * time.Minute}, {7, time.Hour}, {8, time.Hour}, {1000, time.Hour}, {1 << 30, time.Hour},
	}
	for _, tt := range tests {
		if got := Backoff(tt.attempt); got != tt.want {
			t.Errorf("Backoff(%d) = %v, want %v", tt.attempt, got, tt.want)
		}
	}
}

func TestJitter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		u    float64
		want time.Duration
	}{
		{time.Minute, 0, 30 * time.Second},
		{time.Minute, 0.5, 45 * time.Second},
		{time.Minute, 0.9, 57 * time.Second},
		{time.Minute, 1, time.Minute - 1},
		{time.Minute, -1, 30 * time.Second},
		{0, 0.5, 0},
	}
	for _, tt := range tests {
		if got := Jitter(tt.d, tt.u); got != tt.want {
			t.Errorf("Jitter(%v, %v) = %v, want %v", tt.d, tt.u, got, tt.want)
		}
	}
}
