package httpx

import (
	"strings"
	"testing"
	"time"
)

func TestResetEpoch(t *testing.T) {
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
			got, ok := ResetEpoch(tt.in)
			if !got.Equal(tt.want) || ok != tt.wantOK {
				t.Errorf("ResetEpoch(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzResetEpoch(f *testing.F) {
	for _, s := range []string{"", "5", "1.5", "-1", "NaN", "1e30", "Sun, 06 Nov 1994 08:49:37 GMT", "1773489600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tm, ok := ResetEpoch(s); ok && (tm.Unix() <= 0 || tm.Unix() > 1<<40) {
			t.Errorf("ResetEpoch(%q) = %v", s, tm)
		}
	})
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, want string
		wantErr         bool
	}{
		{name: "default", raw: "", want: "https://api.example.com/"},
		{name: "https adds slash", raw: "https://ghe.example.com/api/v3", want: "https://ghe.example.com/api/v3/"},
		{name: "http loopback", raw: "http://127.0.0.1:8080", want: "http://127.0.0.1:8080/"},
		{name: "http localhost", raw: "http://localhost:9/x/", want: "http://localhost:9/x/"},
		{name: "http ipv6 loopback", raw: "http://[::1]:9/", want: "http://[::1]:9/"},
		{name: "http remote", raw: "http://dev.azure.com/", wantErr: true},
		{name: "credentials", raw: "https://u:p@example.com/", wantErr: true},
		{name: "query", raw: "https://example.com/?token=x", wantErr: true},
		{name: "relative", raw: "example.com", wantErr: true},
		{name: "ftp", raw: "ftp://example.com/", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := BaseURL(tt.raw, "https://api.example.com")
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("BaseURL(%q) = %q, %v; want %q, error %v", tt.raw, got, err, tt.want, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "u:p@") {
				t.Errorf("BaseURL error %q shows credentials", err)
			}
		})
	}
}
