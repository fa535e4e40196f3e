package notify

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawSecret is a synthetic GitHub classic PAT, assembled at runtime so that no scanner
// (patrol's own included) finds a token-shaped literal in this file. Nothing in notify may
// ever output it: the tests build Leaks from its preview only and grep every byte produced.
func rawSecret() string {
	return "gh" + "p_" + strings.Repeat("Qx7", 4) + "RAWSECRETVALUEdoNotMail" + strings.Repeat("9", 5)
}

// preview is what secret.Preview(rawSecret(), 4) returns: prefix, 4 characters, "…".
func preview() string { return rawSecret()[:8] + "…" }

var (
	foundAt  = time.Date(2025, 11, 20, 9, 30, 0, 0, time.UTC)
	actionAt = time.Date(2025, 11, 20, 9, 31, 5, 0, time.UTC)
)

// leak returns a typical Leak: a GitHub token revoked and confirmed, mailed to its owner.
func leak() Leak {
	return Leak{
		Detector:    "github-classic-pat",
		Provider:    "github",
		TokenKind:   "GitHub personal access token (classic)",
		Redacted:    preview(),
		Fingerprint: "3f9a0c1e55b2d7a4c8e6f1b0a9d3c2e17f4b5a6c8d9e0f1a2b3c4d5e6f708192",
		Repository:  "https://github.com/contoso/payments",
		Commit:      "9fceb02d0ae598e95dc970b74767f19372d61af8",
		Path:        "deploy/ci.env",
		Line:        12,
		CommitURL:   "https://github.com/contoso/payments/commit/9fceb02d0ae598e95dc970b74767f19372d61af8",
		FoundAt:     foundAt,
		Action:      ActionRevoked,
		ActionAt:    actionAt,
		OwnerName:   "Ada Lovelace",
		OwnerEmail:  "ada@contoso.com",
		Contact:     "secops@contoso.com",
	}
}

// assertNoSecret fails when b holds the raw secret or a long piece of it.
func assertNoSecret(t *testing.T, what string, b []byte) {
	t.Helper()
	raw := rawSecret()
	for _, needle := range []string{raw, raw[4:], "RAWSECRETVALUE"} {
		if strings.Contains(string(b), needle) {
			t.Errorf("%s holds the raw secret (%q)", what, needle[:12])
		}
	}
}

// sharedLeaf is the one patrol package notify may import: the HTTP helpers it shares with
// revoke (one Retry-After parser), itself importing only the standard library (its own
// TestDeps), so notify still depends on nothing of patrol's domain.
const sharedLeaf = "github.com/patrolsec/patrol/internal/httpx"

// TestDeps: notify imports no other patrol package but sharedLeaf (house style: notify is a
// leaf).
func TestDeps(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/patrolsec/patrol") && p != sharedLeaf {
				t.Errorf("%s imports %s; notify must import none of patrol's packages", f, p)
			}
			if p == "log" || p == "github.com/wneessen/go-mail/log" {
				t.Errorf("%s imports %s; errors are returned, not logged", f, p)
			}
		}
	}
}

// TestTestdataHasNoSecret greps every file under testdata (goldens) for the raw secret.
func TestTestdataHasNoSecret(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		assertNoSecret(t, path, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
