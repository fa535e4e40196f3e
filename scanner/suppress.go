package scanner

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// IgnoreFile is the name of the suppression file at the root of a scanned tree.
const IgnoreFile = ".patrolignore"

// Suppressor drops findings a team has reviewed: by fingerprint (from .patrolignore or a
// baseline report) or by path glob (.patrolignore). Suppressing by fingerprint, never by line,
// means a different secret on a suppressed line is still reported.
type Suppressor struct {
	Fingerprints map[string]bool
	Globs        []string
}

var (
	hex64  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	hexish = regexp.MustCompile(`^[0-9a-fA-F]{8,}$`) // a cut or upper-cased fingerprint, not a glob
)

// LoadIgnoreFile adds the entries of a .patrolignore file: one per line, a 64-hex fingerprint
// or a path glob (doublestar syntax: **/*.lock, testdata/**); # starts a comment. A missing
// file is not an error.
func (s *Suppressor) LoadIgnoreFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ignore file: %w", err)
	}
	defer f.Close()
	return s.parseIgnore(f, path)
}

// parseIgnore reads .patrolignore entries from r; name labels errors.
func (s *Suppressor) parseIgnore(r io.Reader, path string) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, " #"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if hex64.MatchString(line) {
			s.addFingerprint(line)
			continue
		}
		if hexish.MatchString(line) {
			return fmt.Errorf("%s:%d: %q looks like a fingerprint but is not 64 lower-case hex characters (copy the whole fingerprint from a report)", path, n, line)
		}
		if !doublestar.ValidatePattern(line) {
			return fmt.Errorf("%s:%d: %q is neither a fingerprint nor a valid path glob", path, n, line)
		}
		s.Globs = append(s.Globs, strings.TrimPrefix(line, "/"))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("ignore file %s: %w", path, err)
	}
	return nil
}

func (s *Suppressor) addFingerprint(fp string) {
	if s.Fingerprints == nil {
		s.Fingerprints = map[string]bool{}
	}
	s.Fingerprints[fp] = true
}

// LoadBaseline adds the fingerprints of a previous JSON report (patrol scan --format json).
func (s *Suppressor) LoadBaseline(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	return s.parseBaseline(b, path)
}

// parseBaseline reads the fingerprints of a JSON report; path labels errors.
func (s *Suppressor) parseBaseline(b []byte, path string) error {
	var entries []struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := json.Unmarshal(b, &entries); err != nil {
		return fmt.Errorf("baseline %s: not a patrol JSON report: %w", path, err)
	}
	for i, e := range entries {
		if !hex64.MatchString(e.Fingerprint) {
			return fmt.Errorf("baseline %s: entry %d: fingerprint %q is not 64 hex characters", path, i, e.Fingerprint)
		}
		s.addFingerprint(e.Fingerprint)
	}
	return nil
}

// Suppressed reports whether f is suppressed.
func (s *Suppressor) Suppressed(f Finding) bool {
	if s.Fingerprints[f.Fingerprint] {
		return true
	}
	for _, g := range s.Globs {
		if ok, _ := doublestar.Match(g, f.Location.Path); ok {
			return true
		}
		if ok, _ := doublestar.Match(g+"/**", f.Location.Path); ok {
			return true
		}
	}
	return false
}

// Filter returns the findings that are not suppressed, and how many were.
func (s *Suppressor) Filter(fs []Finding) ([]Finding, int) {
	out := fs[:0:0]
	n := 0
	for _, f := range fs {
		if s.Suppressed(f) {
			n++
			continue
		}
		out = append(out, f)
	}
	return out, n
}
