package revoke

import (
	"testing"
	"time"
)

func TestParseResetEpoch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		want   time.Time
		wantOK bool
	}{
		{name: "epoch", in: "1773489600", want: time.Unix(1773489600, 0), wantOK: true},
		{name: "white space", in: " 1773489600 ", want: time.Unix(1773489600, 0), wantOK: true},
		{name: "empty", in: ""},
		{name: "zero", in: "0"},
		{name: "negative", in: "-1"},
		{name: "far future", in: "99999999999999"},
		{name: "fraction", in: "1773489600.5"},
		{name: "date", in: "Sat, 14 Mar 2026 12:00:00 GMT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseResetEpoch(tt.in)
			if !got.Equal(tt.want) || ok != tt.wantOK {
				t.Errorf("parseResetEpoch(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzParseResetEpoch(f *testing.F) {
	for _, s := range []string{"", "5", "1.5", "-1", "NaN", "1e30", "Sun, 06 Nov 1994 08:49:37 GMT", "1773489600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, ok := parseResetEpoch(s); ok && (tm.Unix() <= 0 || tm.Unix() > 1<<40) {
			t.Errorf("parseResetEpoch(%q) = %v", s, tm)
		}
	})
}
