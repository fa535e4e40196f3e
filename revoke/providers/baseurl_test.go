package providers

import (
	"strings"
	"testing"
)

func TestValidateBaseURLPlainHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url string
		wantErr   bool
	}{
		{"https remote", "https://ghe.contoso.com/api/v3/", false},
		{"http remote", "http://ghe.contoso.com/api/v3/", true},
		{"http 127.0.0.1", "http://127.0.0.1:8080/", false},
		{"http ::1", "http://[::1]:8080/", false},
		{"http localhost", "http://localhost:8080/", false},
		{"http loopback look-alike", "http://localhost.contoso.com/", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Config{GitHub: &GitHubConfig{BaseConfig{BaseURL: tt.url}}}.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate(base_url %s) = %v, want error %v", tt.url, err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "providers.github.base_url") {
				t.Errorf("Validate(base_url %s) = %q, want it to name providers.github.base_url", tt.url, err)
			}
		})
	}
}
