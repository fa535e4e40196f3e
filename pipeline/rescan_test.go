package pipeline_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/scanner/scan"
	"github.com/patrolsec/patrol/store"
)

// TestRescanFetchesAMissingMirror: a token found by a scan through one clone cache is read
// back through another (a second replica's) that has no mirror of the repository yet: without
// Fetch the blob is gone; with it the mirror is fetched and the token read at its span.
func TestRescanFetchesAMissingMirror(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	ctx := t.Context()
	dir := t.TempDir()
	bare, work := filepath.Join(dir, "app.git"), filepath.Join(dir, "work")
	tok := ghToken()
	gitIn := func(d string, args ...string) { runGit(t, dir, d, args...) }
	for _, d := range []string{bare, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(bare, "init", "-q", "--bare")
	gitIn(work, "init", "-q")
	os.WriteFile(filepath.Join(work, "deploy.env"), []byte("# ci\nGITHUB_TOKEN="+tok.Reveal()+"\n"), 0o644)
	gitIn(work, "add", ".")
	gitIn(work, "commit", "-qm", "deploy")
	gitIn(work, "push", "-q", bare, "HEAD:refs/heads/main")
	url := "file://" + filepath.ToSlash(bare)

	engine := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: fpKey})
	res, err := scan.Run(ctx, scan.Request{Target: url, Mode: scan.Git, CloneDir: filepath.Join(dir, "replica-1"), Engine: engine})
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("scan = %d findings, %v; want the token", len(res.Findings), err)
	}
	st, err := store.Open(ctx, store.Config{DSN: filepath.Join(dir, "patrol.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, err := pipeline.New(pipeline.Options{Store: st}).Record(ctx, res.Findings, nil)
	if err != nil {
		t.Fatal(err)
	}

	other := filepath.Join(dir, "replica-2")
	if _, err := (pipeline.Rescan{Engine: engine, CloneDir: other}).Rehydrate(ctx, fs[0]); !errors.Is(err, scan.ErrGone) {
		t.Fatalf("Rehydrate without a mirror or Fetch = %v, want ErrGone", err)
	}
	var fetched []string
	r := pipeline.Rescan{Engine: engine, CloneDir: other, Fetch: func(ctx context.Context, repo string) error {
		fetched = append(fetched, repo)
		_, err := git.Mirror(ctx, git.GitOptions{Repo: repo, CloneDir: other})
		return err
	}}
	got, err := r.Rehydrate(ctx, fs[0])
	if err != nil {
		t.Fatalf("Rehydrate with Fetch = %v", err)
	}
	if got.Reveal() != tok.Reveal() {
		t.Error("Rehydrate read back another token")
	}
	if len(fetched) != 1 || fetched[0] != url {
		t.Errorf("fetched %v, want the repository once", fetched)
	}
}

// runGit runs git in dir with a fixed identity and home (under home), failing the test on error.
func runGit(t *testing.T, home, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+home, "GIT_AUTHOR_NAME=Dev",
		"GIT_AUTHOR_EMAIL=dev@contoso.example", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@contoso.example")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}
