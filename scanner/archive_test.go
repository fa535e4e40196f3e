package scanner

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/scanner/internal/scantest"
)

type File = scantest.File

// walked is a Member reduced to what the tests check.
type walked struct {
	Path, Skipped string
	HasToken      bool
}

func walkAll(t *testing.T, data []byte, lim ArchiveLimits, tok string) ([]walked, error) {
	t.Helper()
	var out []walked
	err := WalkArchive(t.Context(), data, lim, func(m Member) error {
		if int64(len(m.Data)) > lim.MaxSize {
			t.Errorf("member %s: %d bytes, over the %d limit", m.Path, len(m.Data), lim.MaxSize)
		}
		out = append(out, walked{m.Path, m.Skipped, tok != "" && bytes.Contains(m.Data, []byte(tok))})
		return nil
	})
	return out, err
}

func TestIsArchive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"zip", scantest.Zip(t, File{Name: "a", Content: "b"}), true},
		{"gzip", scantest.Gzip(t, "a", []byte("b")), true},
		{"tar", scantest.Tar(t, File{Name: "a", Content: "b"}), true},
		{"tar.gz", scantest.TarGz(t, File{Name: "a", Content: "b"}), true},
		{"text", []byte("PK is a prefix of text\n"), false},
		{"short", []byte("PK\x03"), false},
		{"empty", nil, false},
		{"gzip magic without deflate", []byte{0x1f, 0x8b, 0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsArchive(tt.data); got != tt.want {
				t.Errorf("IsArchive = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWalkArchive(t *testing.T) {
	t.Parallel()
	tok := ghp(7)
	env := "DEBUG=1\nGITHUB_TOKEN=" + tok + "\n"
	lim := DefaultArchiveLimits(2, 1<<20)
	small := lim
	small.MaxBytes, small.RatioGrace = 64<<10, 1<<30
	few := lim
	few.MaxMembers = 2
	// Cut inside x/.env's content (the tar ends with its padding and two zero blocks).
	truncated := scantest.Tar(t, File{Name: "a.txt", Content: strings.Repeat("a", 4096)}, File{Name: "x/.env", Content: env})
	truncated = truncated[:len(truncated)-1024-512+10]
	truncatedGz := scantest.TarGz(t, File{Name: "x/.env", Content: env})
	truncatedGz = truncatedGz[:len(truncatedGz)/2]
	tests := []struct {
		name string
		data []byte
		lim  ArchiveLimits
		want []walked
	}{
		{"zip", scantest.Zip(t, File{Name: "conf/", Content: ""}, File{Name: "conf/.env", Content: env}, File{Name: "README", Content: "hi"}), lim,
			[]walked{{"conf/.env", "", true}, {"README", "", false}}},
		{"tar.gz", scantest.TarGz(t, File{Name: "x/.env", Content: env}), lim, []walked{{"x/.env", "", true}}},
		{"tar", scantest.Tar(t, File{Name: "x/.env", Content: env}), lim, []walked{{"x/.env", "", true}}},
		{"gzip with a name", scantest.Gzip(t, "dir/conf.env", []byte(env)), lim, []walked{{"conf.env", "", true}}},
		{"gzip without a name", scantest.Gzip(t, "", []byte(env)), lim, []walked{{"-", "", true}}},
		{"tar.gz in a zip", scantest.Zip(t, File{Name: "inner.tar.gz", Content: string(scantest.TarGz(t, File{Name: "x/.env", Content: env}))}), lim,
			[]walked{{"inner.tar.gz!x/.env", "", true}}},
		{"tar.gz in a zip, depth 1", scantest.Zip(t, File{Name: "inner.tar.gz", Content: string(scantest.TarGz(t, File{Name: "x/.env", Content: env}))}),
			DefaultArchiveLimits(1, 1<<20), []walked{{"inner.tar.gz", SkipArchiveDepth, false}}},
		{"40 levels", scantest.Nested(t, 40, ".env", env), lim, []walked{{"level-39.zip!level-38.tar.gz", SkipArchiveDepth, false}}},
		{"member over the size limit", scantest.ZipBomb(t, 1, 2<<20), lim, []walked{{"zeros-0", SkipOversize, false}}},
		{"ratio", scantest.ZipBomb(t, 12, 1<<20), DefaultArchiveLimits(2, 1<<20),
			// 8 MiB of grace, then 100 times the archive's few KiB: the ninth member stops it.
			[]walked{{"zeros-0", "", false}, {"zeros-1", "", false}, {"zeros-2", "", false}, {"zeros-3", "", false},
				{"zeros-4", "", false}, {"zeros-5", "", false}, {"zeros-6", "", false}, {"zeros-7", "", false},
				{"zeros-8", SkipArchiveRatio, false}}},
		{"too large", scantest.Zip(t, File{Name: "a", Content: strings.Repeat("a", 40<<10)}, File{Name: "b", Content: strings.Repeat("b", 40<<10)}, File{Name: "c", Content: "c"}), small,
			[]walked{{"a", "", false}, {"b", SkipArchiveTooLarge, false}}},
		{"members", scantest.Zip(t, File{Name: "a", Content: "a"}, File{Name: "b", Content: "b"}, File{Name: "c", Content: "c"}, File{Name: "d", Content: "d"}), few,
			[]walked{{"a", "", false}, {"b", "", false}, {"c", SkipArchiveMembers, false}}},
		{"truncated tar", truncated, lim, []walked{{"a.txt", "", false}, {"x/.env", SkipArchiveInvalid, false}}},
		{"truncated tar.gz", truncatedGz, lim, []walked{{"x/.env", SkipArchiveInvalid, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := walkAll(t, tt.data, tt.lim, tok)
			if err != nil {
				t.Fatalf("WalkArchive = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("members (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWalkArchiveErrors(t *testing.T) {
	t.Parallel()
	lim := DefaultArchiveLimits(2, 1<<20)
	for _, data := range [][]byte{[]byte("PK\x03\x04 not a zip"), {0x1f, 0x8b, 8, 0, 0}, []byte("text")} {
		if err := WalkArchive(t.Context(), data, lim, func(Member) error { return nil }); !errors.Is(err, ErrNotArchive) {
			t.Errorf("WalkArchive(%q) = %v, want ErrNotArchive", data, err)
		}
	}
	zip := scantest.Zip(t, File{Name: "a", Content: "a"}, File{Name: "b", Content: "b"})
	stop := errors.New("stop")
	n := 0
	if err := WalkArchive(t.Context(), zip, lim, func(Member) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("WalkArchive with fn failing = %v after %d members, want fn's error after 1", err, n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := WalkArchive(ctx, zip, lim, func(Member) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("WalkArchive(canceled) = %v, want context.Canceled", err)
	}
}

func TestArchiveMember(t *testing.T) {
	t.Parallel()
	env := "T=" + ghp(8) + "\n"
	data := scantest.Zip(t, File{Name: "a!b/inner.tar.gz", Content: string(scantest.TarGz(t, File{Name: "x/.env", Content: env}))}, File{Name: "big", Content: strings.Repeat("z", 2<<20)})
	lim := DefaultArchiveLimits(1, 1<<20) // depth raised to the path's
	got, err := ArchiveMember(t.Context(), data, "a!b/inner.tar.gz!x/.env", lim)
	if err != nil || string(got) != env {
		t.Errorf("ArchiveMember = %d bytes, %v; want the member back", len(got), err)
	}
	for _, p := range []string{"nope", "big", "a!b/inner.tar.gz!nope"} {
		if _, err := ArchiveMember(t.Context(), data, p, lim); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("ArchiveMember(%s) = %v, want an error naming it", p, err)
		}
	}
}

// chunks is a Source of fixed chunks.
type chunks []Chunk

func (cs chunks) Chunks(ctx context.Context, yield func(Chunk) error) error {
	for _, c := range cs {
		if err := yield(c); err != nil {
			return err
		}
	}
	return nil
}

func TestRunArchives(t *testing.T) {
	t.Parallel()
	tok := ghp(9)
	env := "GITHUB_TOKEN=" + tok + "\n"
	loc := func(p string) []Location { return []Location{{Source: SourceDir, Path: p}} }
	src := chunks{
		{Name: "conf.zip", Data: scantest.Zip(t, File{Name: "conf/.env", Content: env}, File{Name: "bin", Content: "\x00\x01"}), Locations: loc("conf.zip")},
		{Name: "bomb.zip", Data: scantest.ZipBomb(t, 110, 9<<20+512<<10), Locations: loc("bomb.zip")},
		{Name: "deep.zip", Data: scantest.Nested(t, 40, ".env", env), Locations: loc("deep.zip")},
		{Name: "fake.zip", Data: []byte("PK\x03\x04\x00garbage"), Locations: loc("fake.zip")},
		{Name: "plain.env", Data: []byte(env), Locations: loc("plain.env")},
	}
	tests := []struct {
		name     string
		depth    int
		paths    []string
		skipped  map[string]int64
		archives int64
	}{
		{"default depth", 0, []string{"conf.zip!conf/.env", "plain.env"},
			// Binary: conf.zip!bin, fake.zip, and the bomb's members of zeros read before its
			// ratio (100 times its 1 MiB) stopped it.
			map[string]int64{SkipBinary: 12, SkipArchiveRatio: 1, SkipArchiveDepth: 1}, 3},
		{"off", -1, []string{"plain.env"}, map[string]int64{SkipBinary: 4}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs, st, err := Run(t.Context(), newTestEngine(), src, Options{MaxArchiveDepth: tt.depth})
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			var paths []string
			for _, f := range fs {
				paths = append(paths, f.Location.Path)
				if f.Location.Member != "" {
					t.Errorf("finding at %s keeps Member %q", f.Location.Path, f.Location.Member)
				}
			}
			if diff := cmp.Diff(tt.paths, paths); diff != "" {
				t.Errorf("finding paths (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.skipped, st.Skipped); diff != "" {
				t.Errorf("skipped (-want +got):\n%s", diff)
			}
			if st.Archives != tt.archives {
				t.Errorf("Archives = %d, want %d", st.Archives, tt.archives)
			}
			for _, s := range st.Skips {
				if strings.HasPrefix(s.Reason, "archive-") && !strings.Contains(s.Name, ArchiveSep) {
					t.Errorf("skip %s names %q, not a member", s.Reason, s.Name)
				}
			}
		})
	}
}

func FuzzWalkArchive(f *testing.F) {
	env := "T=" + ghp(10) + "\n"
	f.Add(scantest.Zip(f, File{Name: "conf/.env", Content: env}))
	f.Add(scantest.TarGz(f, File{Name: "x/.env", Content: env}))
	f.Add(scantest.Tar(f, File{Name: "x/.env", Content: env}))
	f.Add(scantest.Gzip(f, "conf.env", []byte(env)))
	f.Add(scantest.Nested(f, 4, ".env", env))
	f.Add(scantest.ZipBomb(f, 3, 64<<10))
	f.Add([]byte("PK\x03\x04"))
	lim := ArchiveLimits{MaxDepth: 3, MaxSize: 64 << 10, MaxBytes: 1 << 20, MaxRatio: 100, RatioGrace: 128 << 10, MaxMembers: 100}
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		var inflated int64
		err := WalkArchive(t.Context(), data, lim, func(m Member) error {
			n++
			inflated += int64(len(m.Data))
			if int64(len(m.Data)) > lim.MaxSize {
				t.Fatalf("member %q: %d bytes, over the limit", m.Path, len(m.Data))
			}
			if _, err := ArchiveMember(t.Context(), data, m.Path, lim); m.Data != nil && err != nil && !strings.Contains(m.Path, ArchiveSep) {
				t.Fatalf("ArchiveMember(%q) = %v after the walk read it", m.Path, err)
			}
			return nil
		})
		if err != nil && !errors.Is(err, ErrNotArchive) {
			t.Fatalf("WalkArchive = %v", err)
		}
		if n > lim.MaxMembers*2+1 || inflated > lim.MaxBytes+lim.MaxSize {
			t.Fatalf("%d members, %d bytes: past the limits", n, inflated)
		}
	})
}
