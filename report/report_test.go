package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// testKey is the fingerprint key of the fixtures; fingerprints are computed, not pasted.
var testKey = []byte("report-test-key-not-a-secret")

// rawSecrets are the fixtures' raw values: clearly fake and not shaped like any real token, so
// no scanner (ours included) mistakes the goldens for leaks. Assembled at run time.
var rawSecrets = []string{
	"FAKE-SECRET-" + "one-" + "for-report-tests",
	"FAKE-SECRET-" + "two-" + "for-report-tests",
	"FAKE-SECRET-" + "three-" + "for-report-tests",
	"FAKE-SECRET-" + "four-" + "for-report-tests",
}

// date is a fixed instant for fixtures; utcOffset is in hours.
func date(year int, month time.Month, day, hour, minute, sec, utcOffset int) time.Time {
	return time.Date(year, month, day, hour, minute, sec, 0, time.FixedZone("", utcOffset*3600))
}

func datePtr(year int, month time.Month, day, hour, minute, sec, utcOffset int) *time.Time {
	t := date(year, month, day, hour, minute, sec, utcOffset)
	return &t
}

func finding(detector, provider string, conf detectors.Confidence, raw string, loc scanner.Location) scanner.Finding {
	tok := secret.New(raw)
	return scanner.Finding{
		DetectorID:  detector,
		Provider:    provider,
		Confidence:  conf,
		Fingerprint: secret.Fingerprint(testKey, detector, tok),
		Redacted:    secret.Preview(tok, len("FAKE-SECRET-")),
		Secret:      tok,
		Location:    loc,
	}
}

// fixtureEntries returns one finding of each shape, deliberately out of order.
func fixtureEntries() []Entry {
	stdin := finding("github-classic-pat", "github", detectors.ConfidenceChecksum, rawSecrets[3],
		scanner.Location{Source: scanner.SourceStdin, Line: 1, Column: 1})

	// A dir finding with stray git fields, which the reports must drop.
	dir := finding("acme-api-key", "", detectors.ConfidencePattern, rawSecrets[2], scanner.Location{
		Source: scanner.SourceDir, Path: "config/app & <prod>.env", Line: 7, Column: 5,
		Repository: "/should/not/appear", Commit: strings.Repeat("f", 40),
		AuthorName: "Nobody", Date: datePtr(2020, 1, 1, 0, 0, 0, 0),
	})

	encoded := finding("github-classic-pat", "github", detectors.ConfidencePattern, rawSecrets[1], scanner.Location{
		Source: scanner.SourceGit, Repository: "https://example.com/acme/app.git",
		Commit: strings.Repeat("0123456789", 4), Path: "docs/notes with space.md", Line: 12, Column: 3,
		AuthorName: "Mallory\x1b[2J", AuthorEmail: "mallory@example.com",
		Date: datePtr(2024, 3, 4, 5, 6, 7, +2),
	})
	encoded.Encoding = "base64"

	ado := finding("azure-devops-pat", "azuredevops", detectors.ConfidenceChecksum, rawSecrets[0], scanner.Location{
		Source: scanner.SourceGit, Repository: "https://example.com/acme/app.git",
		Commit: strings.Repeat("abcdef0123", 4), Path: "ci/a.yml", Line: 3, Column: 24,
		AuthorName: "Alice Example", AuthorEmail: "alice@example.com",
		Date: datePtr(2024, 1, 1, 0, 0, 0, 0),
	})

	return []Entry{
		{Finding: stdin},
		{Finding: dir, Revocation: &Revocation{Status: "skipped", Reason: "dry-run"}},
		{Finding: encoded, Verification: &Verification{Status: "dead", CheckedAt: date(2024, 5, 1, 10, 0, 0, 0)}},
		{
			Finding: ado,
			Verification: &Verification{
				Status:    "live",
				Owner:     &Owner{ID: "0b7e1c2d", Name: "Alice Example", Email: "alice@example.com", Org: "acme"},
				CheckedAt: date(2024, 5, 1, 10, 0, 0, 0),
			},
			Revocation: &Revocation{Status: "revoked", Reason: "policy allow-list", At: date(2024, 5, 1, 10, 0, 5, 0)},
		},
	}
}

// fixtureDetectors stands in for detectors.All(), which grows as detectors are added and would
// churn the goldens. acme-api-key is left out on purpose: SARIF must still get a rule for it.
func fixtureDetectors() []*detectors.Detector {
	return []*detectors.Detector{
		{ID: "azure-devops-pat", Provider: "azuredevops", Description: "Azure DevOps personal access token"},
		{ID: "github-classic-pat", Provider: "github", Description: "GitHub classic personal access token"},
		{ID: "slack-bot-token", Provider: "slack", Description: "Slack bot token"},
	}
}

func fixtureOptions() Options {
	return Options{Detectors: fixtureDetectors(), ToolVersion: "1.2.3-test", Root: "/src/app"}
}

func render(t *testing.T, f Format, entries []Entry, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, entries, opts); err != nil {
		t.Fatalf("Write(%s) = %v, want nil", f, err)
	}
	return buf.Bytes()
}

var goldenCases = []struct {
	name   string
	format Format
	opts   func() Options
}{
	{name: "text", format: FormatText, opts: func() Options { return Options{} }},
	{name: "text-color", format: FormatText, opts: func() Options { o := fixtureOptions(); o.Color = true; return o }},
	{name: "json", format: FormatJSON, opts: fixtureOptions},
	{name: "jsonl", format: FormatJSONL, opts: fixtureOptions},
	{name: "sarif", format: FormatSARIF, opts: fixtureOptions},
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := render(t, tc.format, fixtureEntries(), tc.opts())
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run go test -update): %v", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("Write(%s) mismatch with %s (-want +got):\n%s", tc.format, path, diff)
			}
		})
	}
}

// TestGoldenNoRawSecrets greps every file in testdata for the fixtures' raw values.
func TestGoldenNoRawSecrets(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no files in testdata")
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range rawSecrets {
			if bytes.Contains(b, []byte(raw)) {
				t.Errorf("%s contains raw fixture secret %q", path, raw)
			}
		}
	}
}

func TestShowSecrets(t *testing.T) {
	t.Parallel()
	for _, f := range Formats() {
		for _, show := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/show=%t", f, show), func(t *testing.T) {
				t.Parallel()
				opts := fixtureOptions()
				opts.ShowSecrets = show
				out := string(render(t, f, fixtureEntries(), opts))
				for _, raw := range rawSecrets {
					if got := strings.Contains(out, raw); got != show {
						t.Errorf("Write(%s, ShowSecrets=%v) contains %q = %v, want %v", f, show, raw, got, show)
					}
				}
			})
		}
	}
}

// TestShowSecretsField checks that the raw value lands in the "secret" field of its own
// finding, and that SARIF keeps it out of the message.
func TestShowSecretsField(t *testing.T) {
	t.Parallel()
	opts := Options{ShowSecrets: true}
	entries := fixtureEntries()
	want := map[string]string{} // fingerprint → raw
	for _, e := range entries {
		want[e.Fingerprint] = e.Secret.Reveal()
	}

	var arr []map[string]any
	if err := json.Unmarshal(render(t, FormatJSON, entries, opts), &arr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(render(t, FormatJSONL, entries, opts)), "\n"), "\n")
	for i, line := range lines {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("jsonl line %d: %v", i+1, err)
		}
		if diff := cmp.Diff(arr[i], obj); diff != "" {
			t.Errorf("jsonl line %d differs from json element (-json +jsonl):\n%s", i+1, diff)
		}
	}
	for _, obj := range arr {
		fp, _ := obj["fingerprint"].(string)
		if got := obj["secret"]; got != want[fp] {
			t.Errorf("json secret of %s = %v, want %q", fp, got, want[fp])
		}
	}

	var log struct {
		Runs []struct {
			Results []struct {
				Message    struct{ Text string }
				Properties map[string]any
			}
		}
	}
	if err := json.Unmarshal(render(t, FormatSARIF, entries, opts), &log); err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Runs[0].Results {
		raw, _ := r.Properties["secret"].(string)
		if raw == "" || !slices.Contains(rawSecrets, raw) {
			t.Errorf("sarif properties.secret = %q, want a fixture secret", raw)
		}
		if strings.Contains(r.Message.Text, raw) {
			t.Errorf("sarif message %q contains the raw secret", r.Message.Text)
		}
	}
}

func TestEmpty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		format  Format
		entries []Entry
		want    string
	}{
		{name: "json nil", format: FormatJSON, entries: nil, want: "[]\n"},
		{name: "json empty", format: FormatJSON, entries: []Entry{}, want: "[]\n"},
		{name: "jsonl", format: FormatJSONL, want: ""},
		{name: "text", format: FormatText, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := string(render(t, tc.format, tc.entries, Options{})); got != tc.want {
				t.Errorf("Write(%s, %v) = %q, want %q", tc.format, tc.entries, got, tc.want)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			entries := fixtureEntries()
			want := render(t, f, entries, fixtureOptions())
			for i := range 10 {
				shuffled := slices.Clone(entries)
				// A fixed rotation plus a reversal: every order differs, no randomness needed.
				shuffled = append(shuffled[i%len(shuffled):], shuffled[:i%len(shuffled)]...)
				if i%2 == 1 {
					slices.Reverse(shuffled)
				}
				if got := render(t, f, shuffled, fixtureOptions()); !bytes.Equal(got, want) {
					t.Fatalf("Write(%s) of order %d differs:\n%s", f, i, cmp.Diff(string(want), string(got)))
				}
			}
			if got := render(t, f, entries, fixtureOptions()); !bytes.Equal(got, want) {
				t.Errorf("Write(%s) modified its input order or is not repeatable", f)
			}
		})
	}
}

func TestWriteDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	entries := fixtureEntries()
	before := make([]string, len(entries))
	for i, e := range entries {
		before[i] = e.Fingerprint
	}
	render(t, FormatJSON, entries, Options{})
	for i, e := range entries {
		if e.Fingerprint != before[i] {
			t.Fatalf("entries[%d] = %s after Write, want %s", i, e.Fingerprint, before[i])
		}
	}
}

func TestJSONContract(t *testing.T) {
	t.Parallel()
	ado := fixtureEntries()[3]
	// The exact bytes of one object pin field names, order and omission.
	want := `{"detector":"azure-devops-pat","provider":"azuredevops","confidence":"checksum",` +
		`"fingerprint":"` + ado.Fingerprint + `","redacted":"FAKE-SECRET-one-…",` +
		`"location":{"source":"git","repository":"https://example.com/acme/app.git",` +
		`"commit":"abcdef0123abcdef0123abcdef0123abcdef0123","path":"ci/a.yml","line":3,"column":24,` +
		`"author_name":"Alice Example","author_email":"alice@example.com","date":"2024-01-01T00:00:00Z"},` +
		`"verification":{"status":"live","owner":{"id":"0b7e1c2d","name":"Alice Example",` +
		`"email":"alice@example.com","org":"acme"},"checked_at":"2024-05-01T10:00:00Z"},` +
		`"revocation":{"status":"revoked","reason":"policy allow-list","at":"2024-05-01T10:00:05Z"}}` + "\n"
	if got := string(render(t, FormatJSONL, []Entry{ado}, Options{})); got != want {
		t.Errorf("Write(jsonl) =\n%s\nwant\n%s", got, want)
	}
	if len(ado.Fingerprint) != 64 {
		t.Errorf("fixture fingerprint length = %d, want 64", len(ado.Fingerprint))
	}

	// Entry marshals to the same object, always redacted.
	ado.Secret = secret.New(rawSecrets[0])
	b, err := json.Marshal(ado)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b) + "\n"; got != want {
		t.Errorf("json.Marshal(Entry) =\n%s\nwant\n%s", got, want)
	}
}

func TestJSONLocation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		loc  scanner.Location
		want string
	}{
		{
			name: "stdin",
			loc:  scanner.Location{Source: scanner.SourceStdin, Line: 2, Column: 9},
			want: `{"source":"stdin","line":2,"column":9}`,
		},
		{
			name: "dir drops git fields",
			loc: scanner.Location{Source: scanner.SourceDir, Path: "a/b.txt", Line: 1, Column: 1,
				Repository: "r", Commit: "c", AuthorName: "n", AuthorEmail: "e", Date: datePtr(2024, 1, 1, 0, 0, 0, 0)},
			want: `{"source":"dir","path":"a/b.txt","line":1,"column":1}`,
		},
		{
			name: "git date in UTC",
			loc:  scanner.Location{Source: scanner.SourceGit, Path: "x", Line: 1, Column: 1, Date: func() *time.Time { d := date(2024, 3, 4, 5, 6, 7, +2).Add(890 * time.Millisecond); return &d }()},
			want: `{"source":"git","path":"x","line":1,"column":1,"date":"2024-03-04T03:06:07Z"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(toWireLocation(tc.loc))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); got != tc.want {
				t.Errorf("location(%+v) = %s, want %s", tc.loc, got, tc.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{in: "text", want: FormatText},
		{in: "json", want: FormatJSON},
		{in: "jsonl", want: FormatJSONL},
		{in: "sarif", want: FormatSARIF},
		{in: " SARIF ", want: FormatSARIF},
		{in: "", wantErr: true},
		{in: "xml", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFormat(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrUnknownFormat) {
					t.Fatalf("ParseFormat(%q) error = %v, want ErrUnknownFormat", tc.in, err)
				}
				for _, f := range Formats() {
					if !strings.Contains(err.Error(), string(f)) {
						t.Errorf("ParseFormat(%q) error %q does not list %q", tc.in, err, f)
					}
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseFormat(%q) = %q, %v, want %q, nil", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Write(&buf, Format("xml"), fixtureEntries(), Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("Write(xml) = %v, want ErrUnknownFormat", err)
	}
	if buf.Len() != 0 {
		t.Errorf("Write(xml) wrote %q, want nothing", buf.String())
	}
	errBoom := errors.New("boom")
	if err := Write(failWriter{errBoom}, FormatJSON, nil, Options{}); !errors.Is(err, errBoom) ||
		!strings.Contains(err.Error(), "json") {
		t.Errorf("Write(failing writer) = %v, want it to wrap boom and name the format", err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }
