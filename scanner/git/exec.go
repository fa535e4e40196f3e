package git

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// execGit reads a repository with the help of the git binary: one `git log --raw` pass indexes
// the history (git's tree diff is fast and exact), the blobs in pack files are read in process
// (git_pack.go: in pack order, in parallel, a delta scanned only where it changes its base),
// and loose blobs come out of `git cat-file --batch`. go-git is the fallback when git is not
// installed.
type execGit struct {
	run     Runner // in the git directory
	dir     string // the git directory
	repo    string // for error messages
	packSet        // the pack files, read in process
}

func openExecGit(ctx context.Context, gitPath, dir, repo string) (*execGit, error) {
	g := &execGit{dir: dir, repo: repo, run: Runner{Git: gitPath, Dir: dir, Config: readConfig}}
	out, err := g.output(ctx, "rev-parse", "--absolute-git-dir")
	if err != nil {
		if e := (*Error)(nil); errors.As(err, &e) && strings.Contains(e.Stderr, "not a git repository") {
			return nil, fmt.Errorf("open repository %s: %w", repo, ErrNotRepository)
		}
		return nil, fmt.Errorf("open repository %s: %w", repo, err)
	}
	g.dir = strings.TrimSpace(string(out))
	g.run.Dir, g.run.GitDir = g.dir, g.dir
	g.packSet = packSet{gitDir: g.dir, splitMin: defaultSplitMin, readLoose: g.readRun}
	// Object ids here are SHA-1 (40 hex); a SHA-256 repository is refused, not misread.
	if f, err := g.output(ctx, "rev-parse", "--show-object-format"); err == nil {
		if f := strings.TrimSpace(string(f)); f != "" && f != "sha1" {
			return nil, fmt.Errorf("open repository %s: object format %s is not supported", repo, f)
		}
	}
	return g, nil
}

func (g *execGit) name() string { return "git" }

// readConfig keeps user settings from changing the output formats we parse.
var readConfig = []string{"core.quotePath=false", "log.showSignature=false", "color.ui=false"}

// output runs git in the repository and returns its stdout.
func (g *execGit) output(ctx context.Context, args ...string) ([]byte, error) {
	return g.run.Output(ctx, nil, args...)
}

func (g *execGit) refs(ctx context.Context) ([]refTip, error) {
	out, err := g.output(ctx, "for-each-ref", "--format=%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)%00%(refname)")
	if err != nil {
		return nil, fmt.Errorf("list refs of %s: %w", g.repo, err)
	}
	var tips []refTip
	for line := range strings.Lines(string(out)) {
		f := strings.SplitN(strings.TrimSuffix(line, "\n"), "\x00", 5)
		if len(f) != 5 {
			return nil, fmt.Errorf("list refs of %s: git for-each-ref: unexpected output %q", g.repo, line)
		}
		t := refTip{name: f[4]}
		if f[0] == "tag" {
			t.tag = f[1]
		}
		switch {
		case f[0] == "commit":
			t.commit = f[1]
		case f[0] == "tag" && f[2] == "commit":
			t.commit = f[3]
		case f[0] == "tag" && f[2] == "tag": // a tag of a tag: rare, peeled by git
			t.commit, _ = g.resolveCommit(ctx, t.name)
		}
		tips = append(tips, t)
	}
	return tips, nil
}

// head returns the commit of a detached HEAD, read from its file as git would; a HEAD on a
// branch adds no tip of its own. Other layouts (reftable) ask git.
func (g *execGit) head(ctx context.Context) (string, bool) {
	b, err := os.ReadFile(filepath.Join(g.dir, "HEAD"))
	if err == nil {
		h := strings.TrimSpace(string(b))
		if strings.HasPrefix(h, "ref: refs/") && !strings.HasSuffix(h, "/.invalid") {
			return "", false
		}
		if isObjectID(h) {
			return strings.ToLower(h), true
		}
	}
	return g.resolveCommit(ctx, "HEAD")
}

// present returns the ids, among ids, of the commits the repository has: one
// `git cat-file --batch-check`.
func (g *execGit) present(ctx context.Context, ids []string) (map[string]bool, error) {
	out, err := g.run.Output(ctx, strings.NewReader(strings.Join(ids, "\n")+"\n"), "cat-file", "--batch-check=%(objectname) %(objecttype)")
	if err != nil {
		return nil, fmt.Errorf("read objects of %s: %w", g.repo, err)
	}
	have := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		if id, typ, _ := strings.Cut(strings.TrimSpace(line), " "); typ == "commit" {
			have[id] = true
		}
	}
	return have, nil
}

func (g *execGit) resolveCommit(ctx context.Context, rev string) (string, bool) {
	out, err := g.output(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(out)), true
}

func (g *execGit) shallow(ctx context.Context) (bool, error) {
	out, err := g.output(ctx, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return false, fmt.Errorf("open repository %s: %w", g.repo, err)
	}
	return strings.TrimSpace(string(out)) == "true", nil
}

// logFormatMessages is history's --format when it reads messages too: the commit line, then
// the author's name, email and time, the commit's encoding header and the raw message (%B:
// the object's bytes after its headers, as MessageOf cuts them). git re-encodes a commit that
// names an encoding other than UTF-8 (the span of a finding would then not be the object's), so
// the message of such a commit is read from its object instead (commitMessage.encoding).
const logFormatMessages = "--format=%x01%H%x00%an%x00%ae%x00%at%x00%e%x00%B"

// history runs one `git log --raw` over the selection: every commit (parents before children,
// by date among unrelated ones), each with the blobs it changed and their paths; merges list
// the paths that differ from every parent (-c), which is what a merge itself introduced.
//
// With msg set, the same run prints each commit's author and message (logFormatMessages), and
// msg is called with each in history order: git has the commits in hand for the walk, so this
// costs a fraction of reading them again (idx.messagesRead says it was done).
func (g *execGit) history(ctx context.Context, sel gitSelection, msg func(commitMessage) error) (*gitIndex, error) {
	format := "--format=%x01%H"
	if msg != nil {
		format = logFormatMessages
	}
	args := []string{"log", "--raw", "--no-renames", "-z", "--no-abbrev", "--root", "-c",
		format, "--date-order", "--reverse", "--no-color", "--no-ext-diff",
		"--ignore-submodules=none", "--no-use-mailmap"}
	if !sel.notOlder.IsZero() {
		args = append(args, "--max-age="+strconv.FormatInt(sel.notOlder.Unix(), 10))
	}
	if len(sel.refs) == 0 {
		return newGitIndex(), nil // no commit to start from (an empty repository)
	}
	args = append(args, "--stdin")
	var stdin bytes.Buffer
	for _, r := range sel.refs {
		stdin.WriteString(r + "\n")
	}
	if sel.notRev != "" {
		stdin.WriteString("^" + sel.notRev + "\n")
	}
	for _, r := range sel.notRevs {
		stdin.WriteString("^" + r + "\n")
	}
	p, err := g.run.Start(ctx, &stdin, args...)
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", g.repo, err)
	}
	idx := newGitIndex()
	idx.messagesRead = msg != nil
	if perr := parseRawLog(ctx, p.Stdout, idx, msg); perr != nil {
		// git's own failure (a bad object) explains a parse error better than the parse does.
		_ = p.Stdout.Close()
		if werr := p.Wait(); werr != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("read history of %s: %w", g.repo, werr)
		}
		return nil, fmt.Errorf("read history of %s: %w", g.repo, perr)
	}
	if err := p.Wait(); err != nil {
		return nil, fmt.Errorf("read history of %s: %w", g.repo, err)
	}
	return idx, nil
}

// parseRawLog reads `git log --raw -z -c --format=%x01%H` output into idx.
//
// With msg set, the output is of logFormatMessages: each commit line is followed by five
// NUL-terminated fields (author name, author email, author time, encoding, message), and msg is called
// with each commit's. The message needs no escaping: git prints it up to its first NUL byte,
// which a commit made by git cannot hold.
func parseRawLog(ctx context.Context, r io.Reader, idx *gitIndex, msg func(commitMessage) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	var (
		cur      uint32
		haveCur  bool
		wantPath bool
		blob     oid
		keep     bool
		long     []byte
		fields   int // message fields still to read for the current commit
		cm       commitMessage
	)
	n := 0
	for {
		tok, err := br.ReadSlice(0)
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], tok...)
			for errors.Is(err, bufio.ErrBufferFull) {
				tok, err = br.ReadSlice(0)
				long = append(long, tok...)
			}
			tok = long
		}
		if err != nil {
			if err == io.EOF {
				if len(tok) == 0 {
					return nil
				}
			} else {
				return err
			}
		}
		tok = bytes.TrimSuffix(tok, []byte{0})
		if fields > 0 {
			switch fields {
			case 5:
				cm.author.name = string(tok)
			case 4:
				cm.author.email = string(tok)
			case 3:
				if ts, perr := strconv.ParseInt(string(tok), 10, 64); perr == nil {
					cm.author.date = time.Unix(ts, 0).UTC()
				}
			case 2:
				cm.encoding = string(tok)
			case 1:
				cm.text = tok
				if merr := msg(cm); merr != nil {
					return merr
				}
			}
			fields--
			if err == io.EOF {
				if fields > 0 {
					return fmt.Errorf("git log: output ends inside commit %s", cm.id)
				}
				return nil
			}
			continue
		}
		if wantPath {
			wantPath = false
			if keep && haveCur {
				idx.add(blob, tok, cur)
			}
			continue
		}
		tok = bytes.TrimLeft(tok, "\n")
		switch {
		case len(tok) == 0:
		case tok[0] == 1:
			c, ok := parseOIDBytes(tok[1:])
			if !ok {
				return fmt.Errorf("git log: bad commit line %q", tok)
			}
			cur, haveCur = idx.addCommit(c), true
			if msg != nil {
				cm, fields = commitMessage{id: c}, 5
			}
			if n++; n&255 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
		case tok[0] == ':':
			blob, keep = parseRawEntry(tok)
			wantPath = true
		default:
			return fmt.Errorf("git log: unexpected output %q", tok)
		}
		if err == io.EOF {
			return nil
		}
	}
}

// parseRawEntry parses ":mode… sha… status" (one colon per parent) and returns the resulting
// blob and whether it is a blob (regular file or symlink) that exists after the change.
func parseRawEntry(tok []byte) (oid, bool) {
	n := 0
	for n < len(tok) && tok[n] == ':' {
		n++
	}
	fields := bytes.Fields(tok[n:])
	if len(fields) < 2*n+3 {
		return oid{}, false
	}
	mode := fields[n]
	sha := fields[2*n+1]
	if !(bytes.Equal(mode, []byte("100644")) || bytes.Equal(mode, []byte("100755")) ||
		bytes.Equal(mode, []byte("120000")) || bytes.Equal(mode, []byte("100664"))) {
		return oid{}, false
	}
	o, ok := parseOIDBytes(sha)
	if !ok || o == (oid{}) {
		return oid{}, false
	}
	return o, true
}

// catFileProc is a running `git cat-file --batch…`.
type catFileProc struct {
	*Process
	out *bufio.Reader
}

func (g *execGit) startCatFile(ctx context.Context, stdin io.Reader, args ...string) (*catFileProc, error) {
	p, err := g.run.Start(ctx, stdin, append([]string{"cat-file"}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read objects of %s: %w", g.repo, err)
	}
	return &catFileProc{Process: p, out: bufio.NewReaderSize(p.Stdout, 1<<20)}, nil
}

// finishCatFile waits for the process, killing it first when the reader stopped early (abort).
func (g *execGit) finishCatFile(p *catFileProc, abort error) error {
	if abort != nil {
		p.Abort()
		return abort
	}
	if err := p.Wait(); err != nil {
		return fmt.Errorf("read objects of %s: %w", g.repo, err)
	}
	return nil
}

// slab hands out byte slices carved from big allocations, so that the many small blobs of a
// history cost few allocations. A slab is freed by the GC once every blob in it is scanned.
type slab struct{ buf []byte }

const slabSize = 4 << 20

func (s *slab) get(n int) []byte {
	if n > slabSize/8 {
		return make([]byte, n)
	}
	if len(s.buf) < n {
		s.buf = make([]byte, slabSize)
	}
	b := s.buf[:n:n]
	s.buf = s.buf[n:]
	return b
}

// blobs reads the blobs of idx: packed ones in process, loose ones through cat-file.
func (g *execGit) blobs(ctx context.Context, idx *gitIndex, maxSize int64, fn func(blobMsg) error) error {
	return g.readIndexed(ctx, idx, maxSize, fn)
}

// scanAll indexes the history and reads the blobs at the same time, for a scan of every ref
// with no exclusion: that scan wants nearly every blob of the packs, so it reads every packed
// blob (finding each object's type from the pack headers) while `git log` runs, and calls
// onIndex with the history once it is read. Blobs that no ref reaches are scanned too, and
// their findings dropped by Resolve. Unreadable blobs are reported after onIndex, so that
// their error can name a path and commit. onHistory, when set, is called with the history as
// soon as it is read, from another goroutine, while blobs may still be read.
//
// onMessage, when set, is called with each commit's message as `git log` reads it (history).
func (g *execGit) scanAll(ctx context.Context, sel gitSelection, maxSize int64, onMessage func(commitMessage) error, onHistory, onIndex func(*gitIndex), fn func(blobMsg) error) error {
	g.openPacksOnce()
	hctx, hcancel := context.WithCancel(ctx)
	defer hcancel()
	type result struct {
		idx *gitIndex
		err error
	}
	hist := make(chan result, 1)
	go func() {
		idx, err := g.history(hctx, sel, onMessage)
		if err == nil {
			idx.finish()
			if onHistory != nil {
				onHistory(idx)
			}
		}
		hist <- result{idx, err}
	}()

	var items []packItem
	var seen map[oid]bool
	if len(g.packs) > 1 {
		seen = map[oid]bool{} // an object in two packs is read once
	}
	r := newPackReader(g.packs, 0)
	types := map[*packIndex][]int8{}
	var terr error
	for k, p := range g.packs {
		for n, pos := range p.byOff {
			if n&1023 == 0 && ctx.Err() != nil {
				terr = ctx.Err()
				break
			}
			typ, err := r.typeOf(p, int(pos), types, 0)
			if err != nil {
				terr = fmt.Errorf("read objects of %s: %s: %w", g.repo, p.path, err)
				break
			}
			if typ != objBlob {
				continue
			}
			if seen != nil {
				o := p.name(int(pos))
				if seen[o] {
					continue
				}
				seen[o] = true
			}
			off := p.offs[pos]
			items = append(items, packItem{int32(k), int32(pos), off, int64(p.end(off)-off) + 256})
		}
		if terr != nil {
			break
		}
	}
	types = nil
	if terr != nil {
		hcancel()
		<-hist
		return terr
	}
	var failed []blobMsg
	err := g.readItems(ctx, items, func(oid) bool { return true }, nil, maxSize, func(m blobMsg) error {
		if m.err != nil {
			failed = append(failed, m)
			return nil
		}
		return fn(m)
	})
	if err != nil {
		hcancel()
		<-hist
		return err
	}
	h := <-hist
	if h.err != nil {
		return h.err
	}
	onIndex(h.idx)
	for _, m := range failed {
		if err := fn(m); err != nil {
			return err
		}
	}
	var loose []oid
	for _, b := range h.idx.blobs {
		if _, _, ok := r.locate(b); !ok {
			loose = append(loose, b)
		}
	}
	return g.readItems(ctx, nil, nil, loose, maxSize, fn)
}

// blobMsg is one blob read, or a blob that cannot be read (err set). data is nil for a blob
// over the size limit and for a binary one (binary set). When key is set, data holds only the
// windows around a delta's edits (see windowChunk), and the rest of the blob is its base's.
type blobMsg struct {
	sha     oid
	size    int64
	data    []byte
	binary  bool
	key     string // for window chunks: the blob key of windowChunk
	base    oid    // with hasBase: the delta base blob whose findings this one inherits
	hasBase bool
	err     error
}

// readRun reads the blobs ids through one `git cat-file --batch --buffer` and sends each; it
// stops when send returns false.
func (g *execGit) readRun(ctx context.Context, ids []oid, maxSize int64, send func(blobMsg) bool) error {
	pr, pw := io.Pipe()
	p, err := g.startCatFile(ctx, pr, "--batch", "--buffer")
	if err != nil {
		return err
	}
	var fed sync.WaitGroup
	fed.Add(1)
	go func() {
		defer fed.Done()
		bw := bufio.NewWriterSize(pw, 64<<10)
		var line [41]byte
		line[40] = '\n'
		for _, o := range ids {
			hex.Encode(line[:40], o[:])
			if _, err := bw.Write(line[:]); err != nil {
				_ = pw.CloseWithError(err)
				return
			}
		}
		_ = pw.CloseWithError(bw.Flush())
	}()
	var sl slab
	rerr := func() error {
		for n := range ids {
			hdr, err := p.out.ReadSlice('\n')
			if err != nil {
				return fmt.Errorf("read objects of %s: %w", g.repo, err)
			}
			if n&63 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			// "<sha> <type> <size>\n" or "<sha> missing\n"
			f := bytes.Fields(hdr)
			if len(f) == 2 && string(f[1]) == "missing" {
				if !send(blobMsg{sha: ids[n], err: ErrMissingObject}) {
					return ctx.Err()
				}
				continue
			}
			if len(f) != 3 || string(f[1]) != "blob" {
				return fmt.Errorf("read objects of %s: git cat-file: unexpected output %q", g.repo, hdr)
			}
			size, err := strconv.ParseInt(string(f[2]), 10, 64)
			if err != nil {
				return fmt.Errorf("read objects of %s: git cat-file: bad size %q", g.repo, hdr)
			}
			if size > maxSize {
				if _, err := p.out.Discard(int(size) + 1); err != nil {
					return fmt.Errorf("read objects of %s: %w", g.repo, err)
				}
				if !send(blobMsg{sha: ids[n], size: size}) {
					return ctx.Err()
				}
				continue
			}
			buf := sl.get(int(size))
			if _, err := io.ReadFull(p.out, buf); err != nil {
				return fmt.Errorf("read objects of %s: %w", g.repo, err)
			}
			if _, err := p.out.Discard(1); err != nil {
				return fmt.Errorf("read objects of %s: %w", g.repo, err)
			}
			if !send(blobMsg{sha: ids[n], size: size, data: buf}) {
				return ctx.Err()
			}
		}
		return nil
	}()
	if rerr != nil {
		_ = pr.CloseWithError(rerr) // unblock the feeder
	}
	err = g.finishCatFile(p, rerr)
	_ = pr.Close()
	fed.Wait()
	return err
}

func (g *execGit) commits(ctx context.Context, shas []oid) (map[oid]gitCommit, error) {
	out := map[oid]gitCommit{}
	if len(shas) == 0 {
		return out, nil
	}
	var in bytes.Buffer
	for _, c := range shas {
		in.WriteString(c.String() + "\n")
	}
	p, err := g.startCatFile(ctx, &in, "--batch")
	if err != nil {
		return nil, err
	}
	rerr := func() error {
		for range shas {
			hdr, err := p.out.ReadSlice('\n')
			if err != nil {
				return fmt.Errorf("read commits of %s: %w", g.repo, err)
			}
			f := bytes.Fields(hdr)
			if len(f) != 3 {
				return fmt.Errorf("read commits of %s: commit %s: %w", g.repo, f[0], ErrMissingObject)
			}
			o, _ := parseOIDBytes(f[0])
			size, _ := strconv.Atoi(string(f[2]))
			data := make([]byte, size+1)
			if _, err := io.ReadFull(p.out, data); err != nil {
				return fmt.Errorf("read commits of %s: %w", g.repo, err)
			}
			out[o] = parsePerson(data, "author ")
		}
		return nil
	}()
	return out, g.finishCatFile(p, rerr)
}

// parsePerson reads the header line of a raw commit or tag object that starts with header
// ("author ", "tagger "): a name, an email and a date.
func parsePerson(data []byte, header string) gitCommit {
	var c gitCommit
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte{'\n'})
		data = rest
		if len(line) == 0 {
			break // end of headers
		}
		a, ok := bytes.CutPrefix(line, []byte(header))
		if !ok {
			continue
		}
		lt, gt := bytes.IndexByte(a, '<'), bytes.LastIndexByte(a, '>')
		if lt < 0 || gt < lt {
			break
		}
		c.name = string(bytes.TrimSpace(a[:lt]))
		c.email = string(a[lt+1 : gt])
		f := bytes.Fields(a[gt+1:])
		if len(f) >= 1 {
			if ts, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
				c.date = time.Unix(ts, 0).UTC()
			}
		}
		break
	}
	return c
}

func slicesBinarySearchOID(s []oid, o oid) (int, bool) {
	lo, hi := 0, len(s)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if bytes.Compare(s[m][:], o[:]) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(s) && s[lo] == o
}
