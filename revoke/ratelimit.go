package revoke

import (
	"strconv"
	"strings"
	"time"
)

// parseResetEpoch reads an X-RateLimit-Reset (GitHub, Azure DevOps) or RateLimit-Reset
// (GitLab) value: Unix seconds. Retry-After is read by httpx.RetryAfter.
func parseResetEpoch(v string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 || n > 1<<40 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}
