package notify

import "time"

// Backoff schedule of the outbox.
const (
	// BackoffBase is the wait after the first failed attempt.
	BackoffBase = time.Minute
	// BackoffMax caps the wait: an unsent message is retried at least hourly, forever, so that
	// nothing is lost while a mail server or a webhook is down.
	BackoffMax = time.Hour
)

// Backoff returns how long to wait after the attempt-th failed attempt (1-based): 1m, 2m,
// 4m, 8m, 16m, 32m, then 1h for every later one. attempt < 1 counts as 1. It is pure; add
// [Jitter] when many messages fail together, and wait at least a DeliveryError's RetryAfter.
func Backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := BackoffBase
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= BackoffMax {
			return BackoffMax
		}
	}
	return d
}

// Jitter spreads d over [d/2, d) by u, a random number in [0, 1) that the caller draws (so
// that Jitter stays pure): retries of messages that failed together then do not arrive
// together. u outside [0, 1) is clamped.
func Jitter(d time.Duration, u float64) time.Duration {
	u = min(max(u, 0), 1)
	half := d / 2
	j := half + time.Duration(float64(d-half)*u)
	if j >= d && d > 0 {
		j = d - 1
	}
	return j
}
