package pipeline_test

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/pipeline"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/scan"
	"github.com/patrolsec/patrol/store"
)

// TestRescanArchiveMember: a token inside a zip, found by a history scan and a dir scan and
// recorded in the store, is read back from the archive's blob (or file) and member.
func TestRescanArchiveMember(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git binary not installed")
	}
	ctx := t.Context()
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	tok := ghToken()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("conf/.env")
	w.Write([]byte("# ci\nGITHUB_TOKEN=" + tok.Reveal() + "\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(work, "backup"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(work, "backup", "conf.zip"), buf.Bytes(), 0o644)
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"commit", "-qm", "backup"}} {
		runGit(t, dir, work, args...)
	}
	engine := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: fpKey})
	st, err := store.Open(ctx, store.Config{DSN: filepath.Join(dir, "patrol.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, mode := range []scan.Mode{scan.Git, scan.Dir} {
		res, err := scan.Run(ctx, scan.Request{Target: work, Mode: mode, Engine: engine})
		if err != nil || len(res.Findings) != 1 || res.Findings[0].Location.Path != "backup/conf.zip!conf/.env" {
			t.Fatalf("scan %s = %d findings, %v; want the token at backup/conf.zip!conf/.env", mode, len(res.Findings), err)
		}
		fs, err := pipeline.New(pipeline.Options{Store: st}).Record(ctx, res.Findings, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := (pipeline.Rescan{Engine: engine, Root: work}).Rehydrate(ctx, fs[0])
		if err != nil || got.Reveal() != tok.Reveal() {
			t.Errorf("Rehydrate after a %s scan = %v; want the token back", mode, err)
		}
	}
}
