package detectors

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestFindSeveralSecretGroups checks a pattern whose alternatives each name a "secret" group:
// the token is whichever of them matched.
func TestFindSeveralSecretGroups(t *testing.T) {
	t.Parallel()
	d := &Detector{ID: "test", Keywords: []string{"sid"}, Pattern: `sid=(?P<secret>[a-z]+);|(?P<secret>[0-9]+)=sid`, KeepPlaceholders: true}
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"first alternative", "x sid=abc; y", []string{"abc"}},
		{"second alternative", "x 123=sid y", []string{"123"}},
		{"both", "sid=abc; 123=sid", []string{"abc", "123"}},
		{"neither", "sid=123; abc=sid", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, findAll(d, tt.input)); diff != "" {
				t.Errorf("Find(%q) mismatch (-want +got):\n%s", tt.input, diff)
			}
		})
	}
}
