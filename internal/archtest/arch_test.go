package archtest

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/patrolsec/patrol/"

// rules lists, for each package (a prefix covers its subpackages), the packages of ours it must
// not depend on, directly or transitively, and why.
var rules = []struct {
	pkg    string
	only   []string // when set: the only packages of ours it may depend on
	forbid []string
	why    string
}{
	{pkg: "secret", only: []string{}, why: "the leaf every package may import"},
	{pkg: "lifecycle", only: []string{}, why: "the words of the pipeline, defined once, import nothing"},
	{pkg: "detectors", only: []string{"secret"}, why: "detectors are pure functions of bytes"},
	{pkg: "scanner", forbid: []string{"revoke", "notify", "store", "pipeline", "service", "report", "config"},
		why: "the scanner finds; it knows nothing of revocation, email, state or the service"},
	{pkg: "revoke", forbid: []string{"scanner", "notify", "store", "pipeline", "service", "report", "config"},
		why: "providers verify and revoke a token; they know nothing of where it was found or who is told"},
	{pkg: "notify", only: []string{"internal/httpx"}, why: "notify renders and sends messages; it imports none of ours"},
	// The store's database drivers (modernc.org/sqlite, pgx) are outside the module: only
	// imports of ours are checked here.
	{pkg: "store", only: []string{"lifecycle", "internal/httpx"}, why: "the store keeps state; it imports no provider, scanner or pipeline"},
	{pkg: "internal/pgtest", only: []string{}, why: "the test helper that makes PostgreSQL databases imports none of ours"},
	{pkg: "pipeline", forbid: []string{"report", "service", "cmd", "config"},
		why: "the pipeline joins scanner, revoke, notify and store; report formats and the service sit above it"},
	{pkg: "report", forbid: []string{"revoke", "notify", "store", "pipeline", "service"},
		why: "reports format findings and results; they do not act"},
	{pkg: "config", forbid: []string{"pipeline", "service", "scanner", "report", "cmd"},
		why: "config is read by everything above it"},
}

func TestArchitecture(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps=false", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], module) {
			continue
		}
		var ours []string
		for _, d := range f[1:] {
			if strings.HasPrefix(d, module) {
				ours = append(ours, strings.TrimPrefix(d, module))
			}
		}
		deps[strings.TrimPrefix(f[0], module)] = ours
	}
	if len(deps) < 10 {
		t.Fatalf("go list found %d packages of ours; the test is not looking at the module", len(deps))
	}
	for pkg, ds := range deps {
		for _, r := range rules {
			if !under(pkg, r.pkg) {
				continue
			}
			for _, d := range ds {
				if under(d, r.pkg) || strings.HasSuffix(pkg, "internal/revtest") && d == "detectors" {
					continue // its own subpackages; revoke's test helper builds tokens with detectors
				}
				bad := false
				if r.only != nil {
					bad = !anyUnder(d, r.only)
				} else {
					bad = anyUnder(d, r.forbid)
				}
				if bad {
					t.Errorf("%s depends on %s: %s", pkg, d, r.why)
				}
			}
		}
	}
}

func under(pkg, prefix string) bool {
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

func anyUnder(pkg string, prefixes []string) bool {
	for _, p := range prefixes {
		if under(pkg, p) {
			return true
		}
	}
	return false
}
