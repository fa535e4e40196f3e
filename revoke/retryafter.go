package revoke

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxHeaderWait caps what a header can ask for, so that absurd values cannot overflow.
const maxHeaderWait = 7 * 24 * time.Hour

// ParseRetryAfter reads a Retry-After value: delay-seconds (fractions accepted, as Azure
// DevOps' X-RateLimit-Delay uses them) or an HTTP-date, relative to now. A date in the past
// gives 0 with ok true.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s != s || s < 0 { // NaN or negative
			return 0, false
		}
		if s > maxHeaderWait.Seconds() {
			return maxHeaderWait, true
		}
		return time.Duration(s * float64(time.Second)), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	switch {
	case d < 0:
		return 0, true
	case d > maxHeaderWait:
		return maxHeaderWait, true
	}
	return d, true
}

// ParseResetEpoch reads an X-RateLimit-Reset value: Unix seconds.
func ParseResetEpoch(v string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}
