package httpx

import (
	"go/build"
	"strings"
	"testing"
)

// TestDeps: httpx imports only the standard library, so that notify (a leaf by house style)
// and revoke can share it without depending on anything else of patrol's or on each other.
func TestDeps(t *testing.T) {
	t.Parallel()
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkg.Imports {
		if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
			t.Errorf("httpx imports %s; it may import only the standard library", p)
		}
	}
}
