package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps what [RetryAfter] returns. A server asking for longer is taken to ask for
// this: the caller then tries again and gets a fresh answer, instead of parking a revocation or
// an e-mail for days on one header (or overflowing a time.Duration on an absurd one). Six
// hours is longer than any budget the providers document (GitHub's revoke budget resets
// hourly) and short enough that an unsent message is still tried several times a day.
const MaxRetryAfter = 6 * time.Hour

// RetryAfter reads a Retry-After header value (RFC 9110 §10.2.3), relative to now:
//
//   - delay-seconds: decimal digits, optionally with a fraction ("120", "0.5"; Azure DevOps'
//     X-RateLimit-Delay uses fractions). Signs, exponents, "NaN" and "Inf" are not
//     delay-seconds and give false.
//   - an HTTP-date in any of the three forms http.ParseTime reads. A date in the past gives
//     0 with true: the server allows the next request now.
//
// Surrounding white space is ignored. The result is in [0, MaxRetryAfter]; an empty or
// malformed value gives 0, false.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if delaySeconds(v) {
		// The grammar is checked, so the only error left is range: +Inf for a digit run beyond
		// float64 (capped below) or 0 for a fraction below its precision.
		s, _ := strconv.ParseFloat(v, 64)
		if s >= MaxRetryAfter.Seconds() {
			return MaxRetryAfter, true
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
	case d > MaxRetryAfter:
		return MaxRetryAfter, true
	}
	return d, true
}

// delaySeconds reports whether v is 1*DIGIT [ "." 1*DIGIT ].
func delaySeconds(v string) bool {
	whole, frac, dot := strings.Cut(v, ".")
	return allDigits(whole) && (!dot || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
