package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/revoke/providers"
)

//go:generate go test -run ^TestREADMEDetectorTable$ -update-readme

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's detector table from the registry")

const (
	tableBegin = "<!-- detectors:begin (generated from the detector registry: go generate ./cmd/patrol) -->"
	tableEnd   = "<!-- detectors:end -->"
)

// detectorTable renders the README's detector table from the registry: every built-in
// detector (the generic ones last), its confidence and what patrol does with it.
func detectorTable() string {
	var b strings.Builder
	n := len(detectors.All())
	fmt.Fprintf(&b, "%d detectors on by default, %d generic (`--generic`).\n\n", n, len(detectors.Generic()))
	b.WriteString("| rule id | what | confidence | verified | revoked |\n|---|---|---|---|---|\n")
	yes := func(ok bool, provider string) string {
		if ok {
			return "yes (" + provider + ")"
		}
		return "–"
	}
	for _, d := range append(detectors.All(), detectors.Generic()...) {
		conf := string(detectors.ConfidencePattern)
		switch {
		case d.Generic:
			conf = string(detectors.ConfidenceGeneric)
		case d.Checks != "":
			conf = "checksum (" + d.Checks + ")"
		}
		c := providers.Capabilities(d.Provider)
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", d.ID, strings.ReplaceAll(d.Description, "|", "\\|"), conf,
			yes(c.Verify, d.Provider), yes(c.Revoke, d.Provider))
	}
	return b.String()
}

// TestREADMEDetectorTable keeps the README's detector table the registry's: run
// `go generate ./cmd/patrol` after adding a detector.
func TestREADMEDetectorTable(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i, j := strings.Index(s, tableBegin), strings.Index(s, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q section", tableBegin, tableEnd)
	}
	want := s[:i+len(tableBegin)] + "\n" + detectorTable() + s[j:]
	if want == s {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's detector table is not the registry's: run go generate ./cmd/patrol")
}
