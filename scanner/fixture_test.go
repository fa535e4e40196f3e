package scanner

import (
	"testing"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

// TestIsFixture: a token assigned to a fake-sounding name in a test file is a fixture; the
// same token in production code, under a plain name, or proven by its checksum is not.
func TestIsFixture(t *testing.T) {
	t.Parallel()
	// A Stripe live key is found by pattern (no checksum); a GitHub token by its checksum.
	stripe := "sk_" + "live_" + scantest.Base62(24)
	e := NewEngine(detectors.All(), EngineOptions{Key: []byte("k")})
	tests := []struct {
		name, path, text string
		want             bool
	}{
		{"Go test const", "pkg/client_test.go", "const fakeKey = \"" + stripe + "\"\n", true},
		{"previous line", "pkg/client_test.go", "var testGPGKey = `\n" + stripe + "\n`\n", true},
		{"python test file", "tests/test_api.py", "DUMMY_TOKEN = '" + stripe + "'\n", true},
		{"JS spec", "web/app.spec.js", "const exampleSecret: string = '" + stripe + "';\n", true},
		{"testdata yaml", "testdata/conf.yaml", "mock_api_key: " + stripe + "\n", true},
		{"production code", "pkg/client.go", "const fakeKey = \"" + stripe + "\"\n", false},
		{"plain name in a test", "pkg/client_test.go", "const key = \"" + stripe + "\"\n", false},
		{"name two lines up", "pkg/client_test.go", "// testKey below\n\nkey := \"" + stripe + "\"\n", false},
		{"checksum proves it", "pkg/client_test.go", "const fakeToken = \"" + scantest.GitHubToken() + "\"\n", false},
		{"contest is a word", "pkg/contest_test.go", "prod := \"" + stripe + "\"\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []Finding
			e.Scan([]byte(tc.text), []Location{{Source: SourceDir, Path: tc.path}}, func(f Finding) { got = append(got, f) })
			if len(got) != 1 {
				t.Fatalf("%d findings, want 1", len(got))
			}
			if IsFixture(got[0]) != tc.want {
				t.Errorf("IsFixture = %v, want %v", !tc.want, tc.want)
			}
		})
	}
}
