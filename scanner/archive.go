package scanner

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Skip reasons of archive walks, as counted in Stats. Each names where the walk stopped
// (Chunk name, "!", member path).
const (
	// SkipArchiveTooLarge: the archive inflated to more than ArchiveLimits.MaxBytes; the rest
	// of it is not read.
	SkipArchiveTooLarge = "archive-too-large"
	// SkipArchiveRatio: the archive inflated past ArchiveLimits.RatioGrace at more than
	// ArchiveLimits.MaxRatio times its compressed size (a bomb); the rest is not read.
	SkipArchiveRatio = "archive-ratio"
	// SkipArchiveDepth: an archive nested deeper than ArchiveLimits.MaxDepth; not opened.
	SkipArchiveDepth = "archive-depth"
	// SkipArchiveMembers: the archive has more than ArchiveLimits.MaxMembers members; the
	// rest are not read.
	SkipArchiveMembers = "archive-members"
	// SkipArchiveInvalid: a member that cannot be read (a corrupt or truncated archive).
	SkipArchiveInvalid = "archive-invalid"
)

// ArchiveSep separates an archive's path from a member's path in Location.Path and in skip
// names: "backup/conf.zip!conf/.env", nested "a.zip!inner.tar.gz!x/.env".
const ArchiveSep = "!"

// Archive limits of DefaultArchiveLimits.
const (
	DefaultMaxArchiveDepth = 2
	DefaultArchiveBytes    = 256 << 20
	DefaultArchiveRatio    = 100
	DefaultRatioGrace      = 8 << 20
	DefaultArchiveMembers  = 10000
)

// ArchiveLimits bound the walk of one archive (and the archives inside it): together they
// make a bomb cost at most MaxBytes of inflation and one member of MaxSize in memory per
// level.
type ArchiveLimits struct {
	// MaxDepth is how many levels of archives are opened: 1 opens the archives found in
	// scanned content, 2 also the archives inside those. Zero or less opens none.
	MaxDepth int
	// MaxSize skips (SkipOversize) members larger than this.
	MaxSize int64
	// MaxBytes caps the bytes inflated from the archive and its nested archives
	// (SkipArchiveTooLarge).
	MaxBytes int64
	// MaxRatio caps inflated bytes over the archive's own size once more than RatioGrace
	// bytes are inflated (SkipArchiveRatio).
	MaxRatio   int64
	RatioGrace int64
	// MaxMembers caps the members read, at every level together (SkipArchiveMembers).
	MaxMembers int
}

// DefaultArchiveLimits returns the limits a scan uses: depth levels, members up to maxSize
// (zero: DefaultMaxSize), 256 MiB inflated, 100:1 past 8 MiB, 10,000 members.
func DefaultArchiveLimits(depth int, maxSize int64) ArchiveLimits {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	return ArchiveLimits{MaxDepth: depth, MaxSize: maxSize, MaxBytes: DefaultArchiveBytes,
		MaxRatio: DefaultArchiveRatio, RatioGrace: DefaultRatioGrace, MaxMembers: DefaultArchiveMembers}
}

// IsArchive reports whether data starts like an archive WalkArchive opens: a zip (and the
// formats that are zips: jar, war, nupkg, whl, apk, docx…), a gzip stream (.gz, .tgz) or a
// POSIX/GNU tar. It looks at magic bytes only (a few bytes at fixed offsets), never at names.
func IsArchive(data []byte) bool {
	return archiveKind(data) != notArchive
}

type kind int

const (
	notArchive kind = iota
	zipArchive
	gzipStream
	tarArchive
)

func archiveKind(data []byte) kind {
	switch {
	case len(data) >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4:
		return zipArchive
	case len(data) >= 3 && data[0] == 0x1f && data[1] == 0x8b && data[2] == 8:
		return gzipStream
	case isTar(data):
		return tarArchive
	}
	return notArchive
}

// isTar: "ustar" at offset 257 of the first header (POSIX "ustar\x0000", GNU "ustar  \x00").
func isTar(data []byte) bool {
	return len(data) >= 512 && string(data[257:262]) == "ustar"
}

// Member is one member of an archive, or where WalkArchive cut the walk off.
type Member struct {
	// Path is the member's path inside the outermost archive, nested archives' paths joined
	// with ArchiveSep ("inner.tar.gz!x/.env"). A gzip stream that is not a tar has one member,
	// named by its header (or "-" when the header has no name).
	Path string
	// Data is the member's content; nil when Skipped. It is valid only until fn returns.
	Data []byte
	// Skipped, when set, is the reason the member (or, for SkipArchiveTooLarge,
	// SkipArchiveRatio and SkipArchiveMembers, the rest of the archive) was not read; Size is
	// what is known of its size.
	Skipped string
	Size    int64
	// Err says why, for SkipArchiveInvalid.
	Err error
}

// ErrNotArchive is returned by WalkArchive for data that does not open as an archive.
var ErrNotArchive = errors.New("not an archive")

// errStop ends a walk that hit a limit (the Member saying so was sent).
var errStop = errors.New("archive walk stopped")

// limitError is returned by countReader when the archive has inflated past a limit.
type limitError struct{ reason string }

func (e *limitError) Error() string { return "archive limit: " + e.reason }

// WalkArchive calls fn with each regular-file member of the archive data, in archive order,
// opening the archives inside it up to lim.MaxDepth. Members are streamed: only the member
// being read (at most lim.MaxSize bytes) is held, per nesting level. Where a limit cuts the walk
// off, fn gets a Member with Skipped set and the walk ends; an unreadable member is sent as
// SkipArchiveInvalid and the walk goes on where the format allows. The error is fn's, ctx's,
// or ErrNotArchive (wrapped, with the reason) when data does not open as an archive at all.
func WalkArchive(ctx context.Context, data []byte, lim ArchiveLimits, fn func(Member) error) error {
	if lim.MaxDepth <= 0 {
		return fmt.Errorf("archive: depth %d: %w", lim.MaxDepth, ErrNotArchive)
	}
	if lim.MaxSize <= 0 {
		lim.MaxSize = DefaultMaxSize
	}
	w := &walker{ctx: ctx, lim: lim, outer: int64(len(data)), fn: fn}
	err := w.walk(data, "", 1)
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

type walker struct {
	ctx      context.Context
	lim      ArchiveLimits
	outer    int64 // size of the outermost archive
	inflated int64
	members  int
	fn       func(Member) error
	bufs     map[int]*bytes.Buffer // per depth: a member's content, reused for the next one
}

// over returns the limit the inflated bytes are past, or "".
func (w *walker) over() string {
	switch {
	case w.lim.MaxBytes > 0 && w.inflated > w.lim.MaxBytes:
		return SkipArchiveTooLarge
	case w.lim.MaxRatio > 0 && w.inflated > w.lim.RatioGrace && w.inflated > w.lim.MaxRatio*w.outer:
		return SkipArchiveRatio
	}
	return ""
}

// countReader counts the bytes a decompressor inflates and fails once past a limit.
type countReader struct {
	r io.Reader
	w *walker
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.w.inflated += int64(n)
	if reason := c.w.over(); reason != "" {
		return n, &limitError{reason}
	}
	return n, err
}

// walk opens data as the archive at prefix (member paths are prefix+name) at nesting depth.
func (w *walker) walk(data []byte, prefix string, depth int) error {
	switch archiveKind(data) {
	case zipArchive:
		return w.zip(data, prefix, depth)
	case gzipStream:
		return w.gzip(data, prefix, depth)
	case tarArchive:
		return w.tar(bytes.NewReader(data), prefix, depth, true)
	}
	return fmt.Errorf("archive %s: %w", strings.TrimSuffix(prefix, ArchiveSep), ErrNotArchive)
}

// next counts a member against MaxMembers and checks ctx.
func (w *walker) next(name string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	w.members++
	if w.lim.MaxMembers > 0 && w.members > w.lim.MaxMembers {
		return w.stop(name, SkipArchiveMembers, 0)
	}
	return nil
}

// stop sends the member where a limit cut the walk off and ends the walk.
func (w *walker) stop(name, reason string, size int64) error {
	if err := w.fn(Member{Path: name, Skipped: reason, Size: size}); err != nil {
		return err
	}
	return errStop
}

// fail handles an error reading member name: a limit stops the walk, anything else is sent as
// SkipArchiveInvalid and the walk goes on.
func (w *walker) fail(name string, size int64, err error) error {
	if le := (*limitError)(nil); errors.As(err, &le) {
		return w.stop(name, le.reason, size)
	}
	return w.fn(Member{Path: name, Skipped: SkipArchiveInvalid, Size: size, Err: err})
}

// read reads one member of declared size (a hint; negative when unknown), up to MaxSize, into
// the buffer of depth: the data is valid until the next member of that depth is read.
func (w *walker) read(r io.Reader, size int64, depth int) (data []byte, over bool, err error) {
	hint := w.lim.MaxSize + 1
	if size >= 0 && size < hint {
		hint = size + 1
	}
	if w.bufs == nil {
		w.bufs = map[int]*bytes.Buffer{}
	}
	buf := w.bufs[depth]
	if buf == nil {
		buf = new(bytes.Buffer)
		w.bufs[depth] = buf
	}
	buf.Reset()
	buf.Grow(int(hint))
	if _, err := buf.ReadFrom(io.LimitReader(r, w.lim.MaxSize+1)); err != nil {
		return nil, false, err
	}
	if int64(buf.Len()) > w.lim.MaxSize {
		return nil, true, nil
	}
	return buf.Bytes(), false, nil
}

// member sends one member's content, or walks it when it is an archive itself.
func (w *walker) member(name string, data []byte, depth int) error {
	if IsArchive(data) {
		if depth >= w.lim.MaxDepth {
			return w.fn(Member{Path: name, Skipped: SkipArchiveDepth, Size: int64(len(data))})
		}
		err := w.walk(data, name+ArchiveSep, depth+1)
		if !errors.Is(err, ErrNotArchive) {
			return err
		}
		// Magic bytes, but no archive: plain content (usually binary, skipped as such).
	}
	return w.fn(Member{Path: name, Data: data, Size: int64(len(data))})
}

func (w *walker) zip(data []byte, prefix string, depth int) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return fmt.Errorf("archive %s: %w: %w", strings.TrimSuffix(prefix, ArchiveSep), ErrNotArchive, err)
	}
	for _, f := range zr.File {
		if f.Mode().IsDir() || strings.HasSuffix(f.Name, "/") {
			continue
		}
		name := prefix + f.Name
		if err := w.next(name); err != nil {
			return err
		}
		size := int64(f.UncompressedSize64)
		if f.UncompressedSize64 > uint64(w.lim.MaxSize) {
			if err := w.fn(Member{Path: name, Skipped: SkipOversize, Size: size}); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			if err := w.fail(name, size, err); err != nil {
				return err
			}
			continue
		}
		content, over, err := w.read(&countReader{r: rc, w: w}, size, depth)
		rc.Close()
		switch {
		case err != nil:
			err = w.fail(name, size, err)
		case over:
			err = w.fn(Member{Path: name, Skipped: SkipOversize, Size: size})
		default:
			err = w.member(name, content, depth)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) gzip(data []byte, prefix string, depth int) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("archive %s: %w: %w", strings.TrimSuffix(prefix, ArchiveSep), ErrNotArchive, err)
	}
	defer zr.Close()
	br := bufio.NewReaderSize(&countReader{r: zr, w: w}, 4096)
	if head, _ := br.Peek(512); isTar(head) {
		return w.tar(br, prefix, depth, false)
	}
	name := "-"
	if zr.Name != "" {
		name = path.Base(strings.ReplaceAll(zr.Name, "\\", "/"))
	}
	name = prefix + name
	if err := w.next(name); err != nil {
		return err
	}
	content, over, err := w.read(br, -1, depth)
	switch {
	case err != nil:
		return w.fail(name, -1, err)
	case over:
		return w.fn(Member{Path: name, Skipped: SkipOversize, Size: w.lim.MaxSize + 1})
	}
	return w.member(name, content, depth)
}

// tar walks a tar stream; top says r is the whole archive (not yet known to be a tar past its
// first header) rather than a decompressed stream.
func (w *walker) tar(r io.Reader, prefix string, depth int, top bool) error {
	tr := tar.NewReader(r)
	archive := strings.TrimSuffix(prefix, ArchiveSep)
	for first := true; ; first = false {
		hdr, err := tr.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil && first && top:
			return fmt.Errorf("archive %s: %w: %w", archive, ErrNotArchive, err)
		case err != nil:
			return w.fail(archive, -1, fmt.Errorf("tar: %w", err))
		}
		if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != '\x00' {
			continue
		}
		name := prefix + hdr.Name
		if err := w.next(name); err != nil {
			return err
		}
		if hdr.Size > w.lim.MaxSize {
			if err := w.fn(Member{Path: name, Skipped: SkipOversize, Size: hdr.Size}); err != nil {
				return err
			}
			continue
		}
		content, over, err := w.read(tr, hdr.Size, depth)
		switch {
		case err != nil:
			// A truncated tar cannot go on past a member it cannot read.
			if err := w.fail(name, hdr.Size, err); err != nil {
				return err
			}
			return nil
		case over:
			err = w.fn(Member{Path: name, Skipped: SkipOversize, Size: hdr.Size})
		default:
			err = w.member(name, content, depth)
		}
		if err != nil {
			return err
		}
	}
}

// ArchiveMember returns the content of the member at memberPath (as Member.Path names it) of
// the archive data, walking it within lim (its depth raised to memberPath's nesting). It is
// how a token found in an archive is read again.
func ArchiveMember(ctx context.Context, data []byte, memberPath string, lim ArchiveLimits) ([]byte, error) {
	lim.MaxDepth = max(lim.MaxDepth, strings.Count(memberPath, ArchiveSep)+1)
	var (
		out   []byte
		found = errors.New("found")
		cut   error
	)
	err := WalkArchive(ctx, data, lim, func(m Member) error {
		switch {
		case m.Path == memberPath && m.Data != nil:
			out = bytes.Clone(m.Data)
			return found
		case m.Path == memberPath || (m.Skipped != "" && m.Skipped != SkipOversize && m.Skipped != SkipArchiveInvalid && m.Skipped != SkipArchiveDepth):
			cut = fmt.Errorf("member %s: not read (%s)", m.Path, m.Skipped)
		}
		return nil
	})
	switch {
	case errors.Is(err, found):
		return out, nil
	case err != nil:
		return nil, err
	case cut != nil:
		return nil, cut
	}
	return nil, fmt.Errorf("member %s: not in the archive", memberPath)
}

// scanArchive walks the archive of chunk c and scans each member with e, as Run does a chunk:
// members over the size limit and binary ones are skipped, and each cut-off is counted with
// skip under the name "<chunk name>!<member path>". A finding's Location.Member is the
// member's path (Run joins it to Path). It returns false, having done nothing, when c.Data does
// not open as an archive.
func scanArchive(ctx context.Context, e *Engine, c Chunk, lim ArchiveLimits, skip func(Chunk, string), scanned func(int64), emit func(Finding)) (bool, error) {
	opened := false
	err := WalkArchive(ctx, c.Data, lim, func(m Member) error {
		opened = true
		mc := Chunk{Name: c.Name + ArchiveSep + m.Path, Size: m.Size}
		switch {
		case m.Skipped != "":
			skip(mc, m.Skipped)
			return nil
		case IsBinary(m.Data):
			skip(mc, SkipBinary)
			return nil
		}
		scanned(int64(len(m.Data)))
		locs := make([]Location, len(c.Locations))
		for i, l := range c.Locations {
			l.Member = m.Path
			locs[i] = l
		}
		e.Scan(m.Data, locs, emit)
		return nil
	})
	if errors.Is(err, ErrNotArchive) && !opened {
		return false, nil
	}
	return true, err
}

// joinMembers writes the member path of each finding in an archive into its Path
// ("conf.zip!conf/.env"; "!conf/.env" on stdin) and clears Member.
func joinMembers(fs []Finding) []Finding {
	for i := range fs {
		if l := &fs[i].Location; l.Member != "" {
			l.Path += ArchiveSep + l.Member
			l.Member = ""
		}
	}
	return fs
}
