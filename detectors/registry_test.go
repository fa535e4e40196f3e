package detectors

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// minDetectors is the size All must keep: detectors are added, never silently dropped.
const minDetectors = 35

// commonWords must never be keywords: they occur everywhere, and every keyword hit costs a
// regex run.
var commonWords = map[string]bool{
	"key": true, "token": true, "secret": true, "api": true, "password": true, "pass": true,
	"bot": true, "auth": true, "access": true, "private": true, "begin": true, "http": true,
	"https": true, "sk": true, "sk-": true, "sk_": true, "aws": true,
}

// multiLineBlocks are the detectors whose token is a multi-line block in a key file, which
// need a window past DefaultWindow around their keyword.
var multiLineBlocks = map[string]bool{"private-key": true, "putty-private-key": true, "gcp-service-account-key": true}

func TestRegistry(t *testing.T) {
	t.Parallel()
	if err := checkRegistry(append(All(), Generic()...)); err != nil {
		t.Fatal(err)
	}
	all := All()
	if len(all) < minDetectors {
		t.Errorf("All() has %d detectors, want at least %d", len(all), minDetectors)
	}
	for _, d := range Generic() {
		if !d.Generic {
			t.Errorf("%s: in Generic() but Generic is false", d.ID)
		}
	}
	for _, d := range append(all, Generic()...) {
		if d.Description == "" {
			t.Errorf("%s: no description", d.ID)
		}
		if d.ID != strings.ToLower(d.ID) || strings.ContainsAny(d.ID, " _") {
			t.Errorf("%s: id is not kebab-case", d.ID)
		}
		for _, k := range d.Keywords {
			// A generic rule's keywords are the credential names themselves ("token",
			// "secret"): it is off unless asked for, and its cost is BenchmarkGeneric's.
			if len(k) < 3 || !d.Generic && commonWords[strings.Trim(k, "-_.")] {
				t.Errorf("%s: keyword %q is not selective", d.ID, k)
			}
		}
		if before, after := d.Window(); len(d.Keywords) > 0 && !multiLineBlocks[d.ID] && (before > 256 || after > 2048) {
			t.Errorf("%s: window (%d, %d) is larger than the token needs", d.ID, before, after)
		}
	}
}

// TestDetectorFiles checks the one-detector-per-file convention: rule id foo-bar lives in
// foo_bar.go with its tests in foo_bar_test.go, and every exported constructor of a Detector
// has a doc comment with a "References:" line.
func TestDetectorFiles(t *testing.T) {
	t.Parallel()
	for _, d := range All() {
		base := strings.ReplaceAll(d.ID, "-", "_")
		for _, name := range []string{base + ".go", base + "_test.go"} {
			if _, err := os.Stat(name); err != nil {
				t.Errorf("%s: %v", d.ID, err)
			}
		}
	}
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	constructors := 0
	for _, pkg := range pkgs {
		for name, f := range pkg.Files {
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Recv != nil || !fn.Name.IsExported() || !returnsDetector(fn) {
					continue
				}
				constructors++
				if fn.Doc == nil || !strings.Contains(fn.Doc.Text(), "References:") {
					t.Errorf("%s: %s has no References: line in its doc comment", name, fn.Name.Name)
				}
			}
		}
	}
	if constructors < len(All()) {
		t.Errorf("found %d exported constructors, want at least %d (one per detector)", constructors, len(All()))
	}
}

// returnsDetector reports whether fn takes no arguments and returns exactly *Detector.
func returnsDetector(fn *ast.FuncDecl) bool {
	if fn.Type.Params.NumFields() != 0 || fn.Type.Results.NumFields() != 1 {
		return false
	}
	star, ok := fn.Type.Results.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == "Detector"
}

// TestEveryDetectorHasCases keeps detectorCases (the fuzz seeds) in step with All.
func TestEveryDetectorHasCases(t *testing.T) {
	t.Parallel()
	have := map[string]bool{}
	for _, c := range detectorCases {
		id := c.new().ID
		if have[id] {
			t.Errorf("detectorCases lists %s twice", id)
		}
		have[id] = true
	}
	for _, d := range append(All(), Generic()...) {
		if !have[d.ID] {
			t.Errorf("%s registers no samples: its test file needs func init() { registerCases(...) }", d.ID)
		}
		delete(have, d.ID)
	}
	for id := range have {
		t.Errorf("detectorCases lists %s, which All() does not", id)
	}
}

// TestNoOverlaps checks that no detector claims another's true positive: one token, one
// rule id.
func TestNoOverlaps(t *testing.T) {
	t.Parallel()
	all := All()
	for _, c := range detectorCases {
		ownerDet := c.new()
		owner := ownerDet.ID
		tps, _ := c.cases()
		for i, p := range tps {
			in := c.sample(i, p.token)
			start := len(leadFor(c.leads, i))
			end := start + len(p.token)
			for _, d := range all {
				if d.ID == owner {
					continue
				}
				for _, m := range d.Find([]byte(in)) {
					if m.Start == start && m.End == end && losesTo(d, m.Confidence, ownerDet, p.conf) {
						continue // the scanner keeps the owner's finding (dedupe): one rule id still
					}
					if m.Start < end && m.End > start {
						t.Errorf("%s also matches the %s true positive %q", d.ID, owner, p.name)
					}
				}
			}
		}
	}
}

// losesTo reports whether the scanner, deduplicating two detectors' claims on one span, drops
// d's claim at confidence c for owner's at ownerConf: the weaker confidence loses, then a
// Broad detector to a specific one, then the later rule id (All's order).
func losesTo(d *Detector, c Confidence, owner *Detector, ownerConf Confidence) bool {
	switch {
	case ownerConf == "":
		return false
	case Rank(c) != Rank(ownerConf):
		return Rank(c) < Rank(ownerConf)
	case d.Broad != owner.Broad:
		return d.Broad
	}
	return d.ID > owner.ID
}

// TestAdjacentTokens checks that tokens separated by one byte are all found: a pattern
// consumes the byte after a token to check its boundary, and Find must let the next token
// use it again.
func TestAdjacentTokens(t *testing.T) {
	t.Parallel()
	for _, sep := range []string{"\n", " ", ","} {
		toks := []string{ghToken(900, "ghp_"), ghToken(901, "ghp_"), ghToken(902, "ghp_")}
		in := strings.Join(toks, sep)
		if got := findAll(GitHubClassicPAT(), in); strings.Join(got, "|") != strings.Join(toks, "|") {
			t.Errorf("Find(3 tokens joined by %q) = %d tokens, want 3", sep, len(got))
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

// TestDetectorSamples runs every registered detector's true and false positives (its casesX
// func, registered from its test file) through checkDetector, and holds Checks to them: a
// detector that names an offline check has a sample it proves (ConfidenceChecksum), one that
// names none has no such sample, and a generic detector's samples are ConfidenceGeneric.
func TestDetectorSamples(t *testing.T) {
	t.Parallel()
	for _, c := range detectorCases {
		d := c.new()
		t.Run(d.ID, func(t *testing.T) {
			t.Parallel()
			tps, fps := c.cases()
			checkDetectorAround(t, d, tps, fps, c.leads, c.tails)
			best := ConfidencePattern
			for i, p := range tps {
				for _, m := range d.Find([]byte(c.sample(i, p.token))) {
					if Rank(m.Confidence) > Rank(best) || m.Confidence == ConfidenceGeneric {
						best = m.Confidence
					}
				}
			}
			switch {
			case d.Generic && best != ConfidenceGeneric:
				t.Errorf("generic detector: best sample confidence %s, want generic", best)
			case !d.Generic && (d.Checks != "") != (best == ConfidenceChecksum):
				t.Errorf("Checks = %q but the best sample confidence is %s", d.Checks, best)
			}
		})
	}
}
