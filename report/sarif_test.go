package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
)

// sarifSchemaURL is the $id of testdata/sarif-schema-2.1.0.json, a copy of the official OASIS
// schema kept here so the test needs no network.
const sarifSchemaURL = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"

var sarifSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri and uri-reference are checked, as strict consumers do
	if err := c.AddResource(sarifSchemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(sarifSchemaURL + sarifRootPointer(doc))
})

// sarifRootPointer returns where the log-level schema sits in doc. The copy we were given
// keeps it under definitions/Root and leaves the document root without constraints, so
// validating against the root alone would accept any JSON; the OASIS layout puts it at the
// root. TestSARIFSchemaRejects guards against validating nothing.
func sarifRootPointer(doc any) string {
	if m, ok := doc.(map[string]any); ok {
		if defs, ok := m["definitions"].(map[string]any); ok {
			if _, ok := defs["Root"]; ok {
				return "#/definitions/Root"
			}
		}
	}
	return ""
}

func validateSARIF(t *testing.T, out []byte) {
	t.Helper()
	sch, err := sarifSchema()
	if err != nil {
		t.Fatalf("load SARIF schema: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("SARIF output does not validate: %v\n%s", err, out)
	}
}

func TestSARIFSchema(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []Entry
		opts    Options
	}{
		{name: "fixtures", entries: fixtureEntries(), opts: fixtureOptions()},
		{name: "fixtures with secrets", entries: fixtureEntries(), opts: Options{ShowSecrets: true}},
		{name: "no root no detectors", entries: fixtureEntries()},
		{name: "relative root", entries: fixtureEntries(), opts: Options{Root: "some/dir"}},
		{name: "URL root", entries: fixtureEntries(), opts: Options{Root: "https://example.com/acme/app/blob/main"}},
		{name: "empty", opts: fixtureOptions()},
		{name: "empty zero options"},
		{name: "commit and tag messages", entries: messageEntries()},
		{name: "zero line and column", entries: func() []Entry {
			e := fixtureEntries()[:1]
			e[0].Location.Line, e[0].Location.Column = 0, 0
			return e
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			validateSARIF(t, render(t, FormatSARIF, tc.entries, tc.opts))
		})
	}
}

func TestSARIFGoldenValidates(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("testdata", "sarif.golden"))
	if err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, b)
}

func TestSARIFEmpty(t *testing.T) {
	t.Parallel()
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Name  string
					Rules []struct{ ID string }
				}
			}
			Results json.RawMessage
		}
	}
	if err := json.Unmarshal(render(t, FormatSARIF, nil, fixtureOptions()), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("runs = %d, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if got := string(run.Results); got != "[]" {
		t.Errorf("results = %s, want []", got)
	}
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	want := []string{"azure-devops-pat", "github-classic-pat", "slack-bot-token"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestSARIFRules(t *testing.T) {
	t.Parallel()
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct{ Rules []struct{ ID string } }
			}
			Results []struct {
				RuleID    string
				RuleIndex int
			}
		}
	}
	opts := fixtureOptions()
	opts.Detectors = append(opts.Detectors, opts.Detectors[0], nil) // duplicate and nil are dropped
	if err := json.Unmarshal(render(t, FormatSARIF, fixtureEntries(), opts), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	want := []string{"azure-devops-pat", "github-classic-pat", "slack-bot-token", "acme-api-key"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	for _, r := range run.Results {
		if got := ids[r.RuleIndex]; got != r.RuleID {
			t.Errorf("result ruleIndex %d names %s, want %s", r.RuleIndex, got, r.RuleID)
		}
	}
}

func TestSARIFBaseURI(t *testing.T) {
	t.Parallel()
	tests := []struct{ root, want string }{
		{root: "", want: ""},
		{root: "relative/dir", want: ""},
		{root: "/src/app", want: "file:///src/app/"},
		{root: "/src/my app/", want: "file:///src/my%20app/"},
		{root: "https://example.com/acme/app", want: "https://example.com/acme/app/"},
	}
	for _, tc := range tests {
		t.Run(tc.root, func(t *testing.T) {
			t.Parallel()
			if got := sarifBaseURI(tc.root); got != tc.want {
				t.Errorf("sarifBaseURI(%q) = %q, want %q", tc.root, got, tc.want)
			}
		})
	}
}

func TestRelativeURI(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{in: "ci/a.yml", want: "ci/a.yml"},
		{in: "docs/notes with space.md", want: "docs/notes%20with%20space.md"},
		{in: "c:weird/x", want: "./c:weird/x"},
		{in: "a/100%.txt", want: "a/100%25.txt"},
		{in: "a/b#c?d", want: "a/b%23c%3Fd"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			if got := relativeURI(tc.in); got != tc.want {
				t.Errorf("relativeURI(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestSARIFSchemaRejects proves the validator is wired up: a log it must refuse is refused.
func TestSARIFSchemaRejects(t *testing.T) {
	t.Parallel()
	sch, err := sarifSchema()
	if err != nil {
		t.Fatalf("load SARIF schema: %v", err)
	}
	tests := []struct {
		name string
		doc  string
	}{
		{name: "bad level", doc: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"patrol"}},"results":[{"level":"fatal","message":{"text":"x"}}]}]}`},
		{name: "bad version", doc: `{"version":"2.0.0","runs":[]}`},
		{name: "bad uri", doc: `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"patrol","informationUri":"not a uri"}}}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(tc.doc)))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err == nil {
				t.Errorf("Validate(%s) = nil, want an error", tc.doc)
			}
		})
	}
}

// messageEntries are findings in a commit message and a tag message (no path).
func messageEntries() []Entry {
	commit := finding("github-classic-pat", "github", detectors.ConfidenceChecksum, rawSecrets[3], scanner.Location{
		Source: scanner.SourceGit, Repository: "https://example.com/acme/app.git", Kind: scanner.KindCommitMessage,
		Commit: strings.Repeat("ab", 20), Line: 3, Column: 6, AuthorName: "Alice Example", AuthorEmail: "alice@example.com",
	})
	tag := finding("github-classic-pat", "github", detectors.ConfidenceChecksum, rawSecrets[1], scanner.Location{
		Source: scanner.SourceGit, Repository: "https://example.com/acme/app.git", Kind: scanner.KindTagMessage,
		Commit: strings.Repeat("cd", 20), Line: 1, Column: 7,
	})
	return []Entry{{Finding: commit}, {Finding: tag}}
}

// TestSARIFMessageLocation: a token in a commit or tag message is located by the message (a
// logical location naming the object), not by a file it is not in.
func TestSARIFMessageLocation(t *testing.T) {
	t.Parallel()
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation json.RawMessage
					LogicalLocations []sarifLogicalLoc
				}
			}
		}
	}
	if err := json.Unmarshal(render(t, FormatSARIF, messageEntries(), Options{}), &log); err != nil {
		t.Fatal(err)
	}
	got := map[string]sarifLogicalLoc{}
	for _, r := range log.Runs[0].Results {
		l := r.Locations[0]
		if l.PhysicalLocation != nil || len(l.LogicalLocations) != 1 {
			t.Errorf("location %+v: want one logical location and no physical one", l)
			continue
		}
		got[l.LogicalLocations[0].Kind] = l.LogicalLocations[0]
	}
	c, g := strings.Repeat("ab", 20), strings.Repeat("cd", 20)
	want := map[string]sarifLogicalLoc{
		scanner.KindCommitMessage: {Name: c, FullyQualifiedName: "commit-message:" + c, Kind: "commit-message"},
		scanner.KindTagMessage:    {Name: g, FullyQualifiedName: "tag-message:" + g, Kind: "tag-message"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("message locations (-want +got):\n%s", diff)
	}
}
