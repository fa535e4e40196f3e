package httpx

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// now is a whole second, so HTTP-dates (second precision) compare exactly.
var now = time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC)

// retryAfterTests merges the tables of the two parsers this one replaces (notify's webhook
// parser and revoke's client parser); the notes say where the one grammar and cap changed an
// old expectation.
var retryAfterTests = []struct {
	name   string
	in     string
	want   time.Duration
	wantOK bool
}{
	{name: "empty", in: "", want: 0, wantOK: false},
	{name: "blank", in: "  ", want: 0, wantOK: false},
	{name: "zero", in: "0", want: 0, wantOK: true},
	{name: "seconds", in: "5", want: 5 * time.Second, wantOK: true},
	{name: "seconds with white space", in: " 120 ", want: 2 * time.Minute, wantOK: true},
	// notify's parser refused fractions; Azure DevOps sends them (X-RateLimit-Delay).
	{name: "fraction", in: "1.5", want: 1500 * time.Millisecond, wantOK: true},
	{name: "fraction with white space", in: " 1.5 ", want: 1500 * time.Millisecond, wantOK: true},
	{name: "over the cap", in: "86400", want: MaxRetryAfter, wantOK: true},
	// notify's parser refused a value beyond uint64; it is a (very) long wait, so the cap.
	{name: "beyond uint64", in: "99999999999999999999", want: MaxRetryAfter, wantOK: true},
	{name: "beyond float64", in: "1" + strings.Repeat("0", 400), want: MaxRetryAfter, wantOK: true},
	{name: "fraction below precision", in: "0." + strings.Repeat("0", 400) + "1", want: 0, wantOK: true},
	{name: "negative", in: "-5", want: 0, wantOK: false},
	{name: "negative one", in: "-1", want: 0, wantOK: false},
	{name: "plus sign", in: "+5", want: 0, wantOK: false},
	{name: "NaN", in: "NaN", want: 0, wantOK: false},
	{name: "Inf", in: "Inf", want: 0, wantOK: false},
	// revoke's parser took any float and capped 1e30 to its 7 days; an exponent is not
	// delay-seconds.
	{name: "exponent", in: "1e30", want: 0, wantOK: false},
	{name: "hex", in: "0x10", want: 0, wantOK: false},
	{name: "trailing dot", in: "1.", want: 0, wantOK: false},
	{name: "leading dot", in: ".5", want: 0, wantOK: false},
	{name: "two dots", in: "1.2.3", want: 0, wantOK: false},
	{name: "inner space", in: "1 2", want: 0, wantOK: false},
	{name: "date ahead", in: now.Add(90 * time.Second).Format(http.TimeFormat), want: 90 * time.Second, wantOK: true},
	{name: "date a minute ahead", in: now.Add(time.Minute).Format(http.TimeFormat), want: time.Minute, wantOK: true},
	{name: "date past", in: now.Add(-time.Hour).Format(http.TimeFormat), want: 0, wantOK: true},
	{name: "date a minute past", in: now.Add(-time.Minute).Format(http.TimeFormat), want: 0, wantOK: true},
	{name: "date beyond the cap", in: now.Add(48 * time.Hour).Format(http.TimeFormat), want: MaxRetryAfter, wantOK: true},
	{name: "date RFC 850", in: "Thursday, 20-Nov-25 10:01:00 GMT", want: time.Minute, wantOK: true},
	{name: "date asctime", in: "Thu Nov 20 10:02:00 2025", want: 2 * time.Minute, wantOK: true},
	{name: "word", in: "soon", want: 0, wantOK: false},
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tt := range retryAfterTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := RetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("RetryAfter(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

var delayRE = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

func FuzzRetryAfter(f *testing.F) {
	for _, tt := range retryAfterTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := RetryAfter(v, now)
		if d < 0 || d > MaxRetryAfter {
			t.Errorf("RetryAfter(%q) = %v, out of [0, %v]", v, d, MaxRetryAfter)
		}
		if !ok && d != 0 {
			t.Errorf("RetryAfter(%q) = %v, false; want 0 when not ok", v, d)
		}
		// Against a naive reference: delay-seconds are always read, and a value that is not
		// delay-seconds is read only as an HTTP-date (all three forms hold a space).
		s := strings.TrimSpace(v)
		if delayRE.MatchString(s) && !ok {
			t.Errorf("RetryAfter(%q) = false, want delay-seconds read", v)
		}
		if ok && !delayRE.MatchString(s) && !strings.Contains(s, " ") {
			t.Errorf("RetryAfter(%q) = %v, true; want false for a value that is neither delay-seconds nor a date", v, d)
		}
	})
}
