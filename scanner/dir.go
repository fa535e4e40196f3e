package scanner

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	gitignore "github.com/sabhiram/go-gitignore"
)

// DirSource yields the files under a directory as they are on disk. Symbolic links are never
// followed (their targets inside the tree are scanned on their own; targets outside are not
// read). .gitignore files are honoured unless NoIgnore; the .git directory is always skipped.
type DirSource struct {
	Root     string
	NoIgnore bool
	MaxSize  int64
	// Paths, when set, limits the scan to these files (relative to Root or absolute); used by
	// the pre-commit framework, which passes the file names.
	Paths []string
}

type ignoreLevel struct {
	dir string // slash path relative to root, "" for root
	gi  *gitignore.GitIgnore
}

// Chunks implements Source.
func (s *DirSource) Chunks(ctx context.Context, yield func(Chunk) error) error {
	root := filepath.Clean(s.Root)
	info, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("scan %s: %w", s.Root, err)
	}
	maxSize := s.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if !info.IsDir() {
		return s.file(root, filepath.Base(root), maxSize, yield)
	}
	if len(s.Paths) > 0 {
		for _, p := range s.Paths {
			if err := ctx.Err(); err != nil {
				return err
			}
			full := p
			if !filepath.IsAbs(p) {
				full = filepath.Join(root, p)
			}
			rel, err := filepath.Rel(root, full)
			if err != nil || strings.HasPrefix(rel, "..") {
				rel = p
			}
			if err := s.file(full, filepath.ToSlash(rel), maxSize, yield); err != nil {
				return err
			}
		}
		return nil
	}
	var ignores []ignoreLevel
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if err != nil {
			if rel == "." {
				return fmt.Errorf("scan %s: %w", path, err)
			}
			return yield(Chunk{Name: rel, Err: fmt.Errorf("read %s: %w", path, err)})
		}
		if d.IsDir() {
			if d.Name() == ".git" && rel != "." {
				return filepath.SkipDir
			}
			if rel != "." && s.ignored(ignores, rel, true) {
				return filepath.SkipDir
			}
			if !s.NoIgnore {
				// Drop levels that are not ancestors of this directory, then add its .gitignore.
				for len(ignores) > 0 && !isUnder(rel, ignores[len(ignores)-1].dir) {
					ignores = ignores[:len(ignores)-1]
				}
				if gi, err := gitignore.CompileIgnoreFile(filepath.Join(path, ".gitignore")); err == nil {
					dir := rel
					if dir == "." {
						dir = ""
					}
					ignores = append(ignores, ignoreLevel{dir: dir, gi: gi})
				}
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 || !d.Type().IsRegular() {
			return nil // never follow links; sockets, devices and fifos hold no source
		}
		if s.ignored(ignores, rel, false) {
			return nil
		}
		return s.file(path, rel, maxSize, yield)
	})
}

// isUnder reports whether rel is dir or inside it ("" is the root).
func isUnder(rel, dir string) bool {
	return dir == "" || rel == dir || strings.HasPrefix(rel, dir+"/")
}

func (s *DirSource) ignored(levels []ignoreLevel, rel string, isDir bool) bool {
	if s.NoIgnore {
		return false
	}
	for _, l := range levels {
		if !isUnder(rel, l.dir) || rel == l.dir {
			continue
		}
		sub := rel
		if l.dir != "" {
			sub = strings.TrimPrefix(rel, l.dir+"/")
		}
		if isDir {
			sub += "/"
		}
		if l.gi.MatchesPath(sub) {
			return true
		}
	}
	return false
}

func (s *DirSource) file(path, rel string, maxSize int64, yield func(Chunk) error) error {
	loc := []Location{{Source: SourceDir, Path: rel}}
	fi, err := os.Lstat(path)
	if err != nil {
		return yield(Chunk{Name: rel, Err: fmt.Errorf("read %s: %w", path, err)})
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	if fi.Size() > maxSize {
		return yield(Chunk{Name: rel, Skipped: SkipOversize, Size: fi.Size(), Locations: loc})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return yield(Chunk{Name: rel, Err: fmt.Errorf("read %s: %w", path, err)})
	}
	return yield(Chunk{Data: data, Name: rel, Locations: loc})
}

// ReaderSource yields one chunk read from r (stdin).
type ReaderSource struct {
	R       io.Reader
	Name    string
	MaxSize int64
}

// Chunks implements Source.
func (s *ReaderSource) Chunks(ctx context.Context, yield func(Chunk) error) error {
	maxSize := s.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	data, err := io.ReadAll(io.LimitReader(s.R, maxSize+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", s.Name, err)
	}
	if int64(len(data)) > maxSize {
		return fmt.Errorf("read %s: input is larger than the size limit of %d bytes (--max-blob-size)", s.Name, maxSize)
	}
	return yield(Chunk{Data: data, Name: s.Name, Locations: []Location{{Source: SourceStdin}}})
}
