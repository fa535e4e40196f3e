package scanner

import (
	"regexp"
	"time"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/secret"
)

// Source kinds, as written in Location.Source.
const (
	SourceGit   = "git"
	SourceDir   = "dir"
	SourceStdin = "stdin"
)

// Location is one place a secret was seen.
type Location struct {
	// Source is SourceGit, SourceDir or SourceStdin.
	Source string `json:"source"`
	// Repository is the repository path or URL (git only).
	Repository string `json:"repository,omitempty"`
	// Commit is the 40-hex commit that first introduced the content at Path (git only).
	Commit string `json:"commit,omitempty"`
	// Path is slash-separated, relative to the scanned root; empty for stdin.
	Path string `json:"path,omitempty"`
	// Line and Column are 1-based; Column counts bytes.
	Line   int `json:"line"`
	Column int `json:"column"`
	// AuthorName, AuthorEmail and Date describe the commit (git only).
	AuthorName  string     `json:"author_name,omitempty"`
	AuthorEmail string     `json:"author_email,omitempty"`
	Date        *time.Time `json:"date,omitempty"`
	// Kind is what holds the token: "" for file content; KindCommitMessage and KindTagMessage
	// are reserved for messages.
	Kind string `json:"kind,omitempty"`
	// Blob is the git blob id of the content (git history and staged; empty elsewhere).
	Blob string `json:"blob,omitempty"`
	// Offset and Length are the byte span of the match in the content (the whole blob, or the
	// file): the token itself, or, for a token found inside encoded text (Finding.Encoding),
	// that text. With Blob (or Path) they say where to read the token again; the token itself
	// is never kept.
	//
	// For a token inside an archive, Path is the archive's path, ArchiveSep and the member's
	// path ("backup/conf.zip!conf/.env", nested "a.zip!inner.tar.gz!x/.env"), Blob (or the
	// file at the archive's path) is the archive's, and Offset, Length, Line and Column are in
	// the member's content, as inflated: scanner.ArchiveMember reads it again.
	Offset int64 `json:"offset"`
	Length int   `json:"length"`
	// Member is the member's path inside an archive while a scan runs (a Resolver sets Path
	// after the engine); Run joins it into Path.
	Member string `json:"-"`
}

// Location kinds, as written in Location.Kind. File content has the empty kind.
const (
	KindCommitMessage = "commit-message"
	KindTagMessage    = "tag-message"
)

// Finding is one secret at one location. The raw value is kept in Secret, a secret.Token,
// which never serializes; reports carry Fingerprint and Redacted.
type Finding struct {
	DetectorID  string               `json:"detector"`
	Provider    string               `json:"provider"`
	Confidence  detectors.Confidence `json:"confidence"`
	Fingerprint string               `json:"fingerprint"`
	Redacted    string               `json:"redacted"`
	// Encoding is "base64" or "url" when the token was found inside encoded text; the location
	// is that of the encoded text.
	Encoding string       `json:"encoding,omitempty"`
	Secret   secret.Token `json:"-"`
	Location Location     `json:"location"`
	// Nearby is the text around the match (a few lines, at most NearbyMax bytes), kept in
	// memory for providers that look for context such as an Azure DevOps organization URL.
	// It may hold other secrets: it is never serialized, logged or stored.
	Nearby string `json:"-"`
	// FakeName says the token's line, or the line before it, assigns it to a name that says
	// it is not real (fakeKey, testGPGKey, dummy_token, EXAMPLE_SECRET …): with a test file's
	// path, IsFixture.
	FakeName bool `json:"-"`
}

// fakeName matches an assignment to a name that says its value is not real.
var fakeName = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])[a-z0-9_]*(?:fake|test|dummy|example|sample|mock)[a-z0-9_]*["']?\s*(?::=|=|:|=>)`)

// testPath matches paths of test code and test data.
var testPath = regexp.MustCompile(`(?i)(?:^|/)(?:tests?|testdata|testing|fixtures?|__tests__|spec|specs)/|_test\.[a-z]+$|\.(?:test|spec)\.[a-z]+$|(?:^|/)test_[^/]*\.py$`)

// IsFixture reports whether f is a test fixture: a token in a test file (by its path)
// assigned to a name that says it is fake, and not proven real by a checksum. Scans leave
// fixtures out of their findings unless asked (patrol scan --fixtures) and count them.
func IsFixture(f Finding) bool {
	return f.FakeName && f.Confidence != detectors.ConfidenceChecksum && testPath.MatchString(f.Location.Path)
}
