package detectors

import (
	"os/exec"
	"strings"
	"testing"
)

func TestRegistry(t *testing.T) {
	t.Parallel()
	if err := checkRegistry(All()); err != nil {
		t.Fatal(err)
	}
	for _, d := range All() {
		if d.Description == "" {
			t.Errorf("%s: no description", d.ID)
		}
		if d.ID != strings.ToLower(d.ID) || strings.ContainsAny(d.ID, " _") {
			t.Errorf("%s: id is not kebab-case", d.ID)
		}
	}
}

// TestDeps keeps the package pure: no I/O, clock, logging or git.
func TestDeps(t *testing.T) {
	t.Parallel()
	// Direct imports: fmt pulls in os, but the package itself must not use it.
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	out = append(out, deps...)
	banned := map[string]string{
		"net":                         "detectors do no network I/O",
		"os":                          "detectors read no files",
		"os/exec":                     "detectors run no commands",
		"log/slog":                    "detectors do not log",
		"github.com/go-git/go-git/v5": "detectors know nothing of git",
		"github.com/prometheus/client_golang/prometheus": "no metrics in detectors",
	}
	direct := strings.Fields(string(out[:len(out)-len(deps)]))
	for _, p := range direct {
		if why, ok := banned[p]; ok {
			t.Errorf("detectors imports %s: %s", p, why)
		}
	}
	for _, p := range strings.Fields(string(deps)) {
		if why, ok := banned[p]; ok && p != "os" && p != "time" {
			t.Errorf("detectors depends on %s: %s", p, why)
		}
	}
}
