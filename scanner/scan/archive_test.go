package scan

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

type file = scantest.File

// archiveRepo is a repository with a token in a zip, in a tar.gz inside a zip, in a gzip and in
// a jar, a 1 GiB-when-inflated zip bomb and a 40-level nested archive (whose token is past any
// depth a scan opens).
func archiveRepo(t *testing.T) *scantest.Repo {
	r := scantest.NewRepo(t)
	env := func() string { return "DEBUG=1\nGITHUB_TOKEN=" + scantest.GitHubToken() + "\n" }
	r.Write("README.md", "archives\n")
	r.Commit("c1")
	r.Write("backup/conf.zip", string(scantest.Zip(t, file{Name: "conf/", Content: ""}, file{Name: "conf/.env", Content: env()})))
	r.Write("nested.zip", string(scantest.Zip(t, file{Name: "inner.tar.gz", Content: string(scantest.TarGz(t, file{Name: "x/.env", Content: env()}))})))
	r.Write("logs/app.env.gz", string(scantest.Gzip(t, "app.env", []byte(env()))))
	r.Write("lib/app.jar", string(scantest.Zip(t, file{Name: "META-INF/MANIFEST.MF", Content: "Manifest-Version: 1.0\n"},
		file{Name: "config.properties", Content: "# settings\ngithub.token=" + scantest.GitHubToken() + "\n"})))
	r.Commit("c2")
	// 110 members of 9.5 MiB of zeros: 1 GiB inflated from about a megabyte.
	r.Write("bomb.zip", string(scantest.ZipBomb(t, 110, 9<<20+512<<10)))
	r.Write("deep.tar.gz", string(scantest.Nested(t, 40, ".env", env())))
	r.Commit("c3")
	return r
}

var archiveHits = []hit{
	{"backup/conf.zip!conf/.env", 2, ""},
	{"lib/app.jar!config.properties", 2, ""},
	{"logs/app.env.gz!app.env", 2, ""},
	{"nested.zip!inner.tar.gz!x/.env", 2, ""},
}

func TestRunArchives(t *testing.T) {
	t.Parallel()
	r := archiveRepo(t)
	clones := t.TempDir()
	tests := []struct {
		name   string
		req    Request
		source string
	}{
		{"git history", Request{Target: r.Dir}, scanner.SourceGit},
		{"dir", Request{Target: r.Dir, Mode: Dir}, scanner.SourceDir},
		{"URL", Request{Target: "file://" + r.Dir, CloneDir: clones}, scanner.SourceGit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.req.Engine = engine()
			res, err := Run(t.Context(), tt.req)
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			want := slices.Clone(archiveHits)
			for i := range want {
				want[i].Source = tt.source
			}
			if diff := cmp.Diff(want, hits(res.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			st := res.Stats
			if st.Skipped[scanner.SkipArchiveRatio] != 1 || st.Skipped[scanner.SkipArchiveDepth] != 1 || st.Archives != 6 {
				t.Errorf("skipped %v, %d archives; want one archive-ratio (the bomb), one archive-depth (the 40 levels), 6 archives", st.Skipped, st.Archives)
			}
			for _, s := range st.Skips {
				switch s.Reason {
				case scanner.SkipArchiveRatio:
					if !strings.Contains(s.Name, "!zeros-") {
						t.Errorf("archive-ratio skip names %q, want the bomb's member", s.Name)
					}
				case scanner.SkipArchiveDepth:
					if !strings.HasSuffix(s.Name, "!level-39.zip!level-38.tar.gz") {
						t.Errorf("archive-depth skip names %q, want the third level", s.Name)
					}
				}
			}
			for _, f := range res.Findings {
				if tt.source == scanner.SourceGit && (f.Location.Blob == "" || f.Location.Commit == "") {
					t.Errorf("%s: blob %q, commit %q; want the archive's blob and commit", f.Location.Path, f.Location.Blob, f.Location.Commit)
				}
				tok, err := Rehydrate(t.Context(), engine(), where(res, f, clones), f.Fingerprint)
				if err != nil || !same(f, tok) {
					t.Errorf("Rehydrate(%s) = %v; want the token back", f.Location.Path, err)
				}
				if tt.source == scanner.SourceGit {
					w := where(res, f, clones)
					w.Blob = "" // by commit and path
					if tok, err := Rehydrate(t.Context(), engine(), w, f.Fingerprint); err != nil || !same(f, tok) {
						t.Errorf("Rehydrate(%s by commit) = %v; want the token back", f.Location.Path, err)
					}
				}
			}
		})
	}
}

func TestRunArchivesOff(t *testing.T) {
	t.Parallel()
	r := archiveRepo(t)
	res, err := Run(t.Context(), Request{Target: r.Dir, Engine: engine(), MaxArchiveDepth: ArchiveDepth(0)})
	if err != nil || len(res.Findings) != 0 || res.Stats.Archives != 0 || res.Stats.Skipped[scanner.SkipBinary] != 6 {
		t.Errorf("Run with archives off = %d findings, %d archives, skipped %v, %v; want none, none, 6 binary",
			len(res.Findings), res.Stats.Archives, res.Stats.Skipped, err)
	}
}

func TestRunArchiveStaged(t *testing.T) {
	t.Parallel()
	r := scantest.NewRepo(t)
	r.Write("README.md", "x\n")
	r.Commit("c1")
	r.Write("conf.zip", string(scantest.Zip(t, file{Name: "conf/.env", Content: "T=" + scantest.GitHubToken() + "\n"})))
	r.Git("add", "conf.zip")
	res, err := Run(t.Context(), Request{Target: r.Dir, Mode: Staged, Engine: engine()})
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if diff := cmp.Diff([]hit{{"conf.zip!conf/.env", 1, "staged"}}, hits(res.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestRunArchivePush(t *testing.T) {
	t.Parallel()
	r, c2 := fixture(t)
	remote := filepath.Join(t.TempDir(), "remote.git")
	r.Git("init", "-q", "--bare", remote)
	r.Git("remote", "set-url", "origin", remote)
	r.Git("push", "-q", "origin", "main")
	r.Write("conf.zip", string(scantest.Zip(t, file{Name: "conf/.env", Content: "T=" + scantest.GitHubToken() + "\n"})))
	c3 := r.Commit("c3")
	res, err := Run(t.Context(), Request{Target: r.Dir, Mode: Push, Engine: engine(),
		Stdin: strings.NewReader(fmt.Sprintf("refs/heads/main %s refs/heads/main %s\n", c3, c2))})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]hit{{"conf.zip!conf/.env", 1, scanner.SourceGit}}, hits(res.Findings)); diff != "" {
		t.Errorf("pushed findings (-want +got):\n%s", diff)
	}
}

// TestRunArchivePacked: two versions of a zip, packed by gc so that one is a delta of the
// other, are each read whole and looked inside.
func TestRunArchivePacked(t *testing.T) {
	t.Parallel()
	r := scantest.NewRepo(t)
	filler := strings.Repeat("# filler line for the delta to copy\n", 2000)
	a, b := "A="+scantest.GitHubToken()+"\n", "B="+scantest.GitHubToken()+"\n"
	r.Write("conf.zip", string(scantest.Zip(t, file{Name: "big.txt", Content: filler}, file{Name: "a.env", Content: a})))
	c1 := r.Commit("c1")
	r.Write("conf.zip", string(scantest.Zip(t, file{Name: "big.txt", Content: filler}, file{Name: "a.env", Content: a}, file{Name: "b.env", Content: b})))
	c2 := r.Commit("c2")
	r.Git("gc", "-q", "--aggressive")
	idx, _ := filepath.Glob(filepath.Join(r.Dir, ".git", "objects", "pack", "*.idx"))
	if len(idx) != 1 {
		t.Fatalf("packs %v, want one", idx)
	}
	deltas := 0
	for _, line := range strings.Split(r.Git("verify-pack", "-v", idx[0]), "\n") {
		if f := strings.Fields(line); len(f) == 7 && f[1] == "blob" {
			deltas++
		}
	}
	if deltas == 0 {
		t.Fatalf("no blob stored as a delta: the test does not test what it says")
	}
	res, err := Run(t.Context(), Request{Target: r.Dir, Engine: engine()})
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Location.Path+" "+f.Location.Commit)
	}
	// a.env at the commit that introduced it, in the version of the zip stored as a delta.
	if diff := cmp.Diff([]string{"conf.zip!a.env " + c1, "conf.zip!b.env " + c2}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestRehydrateArchiveErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := scantest.NewRepo(t)
	r.Write("conf.zip", string(scantest.Zip(t, file{Name: "conf/.env", Content: "T=" + scantest.GitHubToken() + "\n"})))
	r.Commit("c1")
	res, err := Run(t.Context(), Request{Target: r.Dir, Mode: Dir, Engine: engine()})
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("Run = %d findings, %v; want 1", len(res.Findings), err)
	}
	f := res.Findings[0]
	w := where(res, f, dir)
	w.Path = "conf.zip!conf/other"
	if _, err := Rehydrate(t.Context(), engine(), w, f.Fingerprint); err == nil || !strings.Contains(err.Error(), "conf/other") {
		t.Errorf("Rehydrate(missing member) = %v, want an error naming it", err)
	}
	w.Path = "gone.zip!conf/.env"
	if _, err := Rehydrate(t.Context(), engine(), w, f.Fingerprint); err == nil {
		t.Errorf("Rehydrate(missing archive) = nil error")
	}
}
