package git

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/patrolsec/patrol/scanner"
)

// SourceStaged is Location.Source for content read from the git index (patrol scan --staged).
const SourceStaged = "staged"

// EmptyTree is the id of git's empty tree: what the first commit of a repository is compared with.
const EmptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

// ErrNotWorkTree is returned by OpenStaged when the directory is not inside a git work tree.
var ErrNotWorkTree = errors.New("not inside a git work tree")

// wholeFileContext is the diff context that makes git print each changed file whole, so one
// diff gives both the staged content and which of its lines are added. It stays far below
// 2^31 because xdiff adds and doubles it in a C long, which is 32 bits on Windows.
const wholeFileContext = "100000000"

// StagedOptions configure OpenStaged.
type StagedOptions struct {
	// Dir is a directory inside the work tree; empty means the current directory. In a git
	// hook, leave it empty: git runs hooks at the top of the work tree and may point
	// GIT_INDEX_FILE at a temporary index relative to it.
	Dir string
	// MaxSize: files shown as binary by git are read from the object store only up to this
	// size; bigger ones are skipped and counted (SkipOversize). Zero means DefaultMaxSize.
	// Run applies the same limit to every chunk.
	MaxSize int64
}

// StagedSource is what the next commit would add: the staged content of every added, modified,
// renamed or type-changed file (the index against HEAD, or against the empty tree before the
// first commit). It is a Source and a Resolver: the engine scans each staged file whole, so
// that line numbers and context are right, and Resolve keeps only the findings on lines the
// commit adds. While a merge is being concluded, a line counts as added only if it is in
// neither HEAD nor any MERGE_HEAD: content merged in was committed (and scanned) on its branch.
//
// In the common case it runs one git process: `git diff-index --cached -p --raw` with
// whole-file context gives the content and the added lines of every text file. Files git
// shows as binary are read with one `git cat-file --batch`. Use it for one scan.
type StagedSource struct {
	dir     string
	top     string
	gitDir  string
	initial bool // no commit yet: compared with the empty tree
	maxSize int64
	merge   []string // MERGE_HEAD commits
	run     Runner   // in dir, with the environment of the hook that runs us
	diff    *gitRun  // git diff-index of the index against HEAD, started by OpenStaged

	added map[string]lineSet // path → lines the commit adds
}

// OpenStaged finds the work tree around opts.Dir and starts comparing its index with HEAD.
func OpenStaged(ctx context.Context, opts StagedOptions) (*StagedSource, error) {
	s := &StagedSource{dir: opts.Dir, maxSize: opts.MaxSize, run: hookRunner(opts.Dir)}
	if s.maxSize <= 0 {
		s.maxSize = scanner.DefaultMaxSize
	}
	// Reading a big index is most of the time git takes, so the diff starts at once: the work
	// tree is found without a git process when its layout is a common one, and the diff
	// assumes HEAD exists (before the first commit it fails, and Chunks runs it again against
	// the empty tree).
	top, gitDir, ok := findWorkTree(opts.Dir)
	s.diff = s.startDiff(ctx, "HEAD", wholeFileContext, true)
	if !ok {
		out, err := s.run.Output(ctx, nil, "rev-parse", "--show-toplevel", "--absolute-git-dir")
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if err != nil || len(lines) != 2 {
			s.diff.abort()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			where := s.dir
			if where == "" {
				where = "."
			}
			msg := ""
			if e := (*Error)(nil); errors.As(err, &e) && e.Stderr != "" {
				msg = ": " + e.Stderr
			}
			return nil, fmt.Errorf("staged changes in %s: %w%s", where, ErrNotWorkTree, msg)
		}
		top, gitDir = lines[0], lines[1]
	}
	s.top, s.gitDir = top, gitDir
	if b, err := os.ReadFile(filepath.Join(s.gitDir, "MERGE_HEAD")); err == nil {
		s.merge = strings.Fields(string(b))
	}
	return s, nil
}

// findWorkTree finds the top of the work tree around dir and its git directory as git does in
// the common layouts: GIT_DIR with GIT_WORK_TREE or the current directory (how git runs hooks
// in linked worktrees), else the nearest ".git" directory or "gitdir:" file. It reports false
// for anything else (a path given while GIT_DIR is set, bare repositories, no repository), and
// the caller asks git. It does not read core.worktree: with that rare setting, .patrolignore
// is looked for beside .git rather than in the configured work tree.
func findWorkTree(dir string) (top, gitDir string, ok bool) {
	abs := func(p string) (string, bool) {
		a, err := filepath.Abs(p)
		return a, err == nil
	}
	if env := os.Getenv("GIT_DIR"); env != "" {
		if dir != "" {
			return "", "", false
		}
		wt := os.Getenv("GIT_WORK_TREE")
		if wt == "" {
			wt = "."
		}
		t, ok1 := abs(wt)
		g, ok2 := abs(env)
		return t, g, ok1 && ok2
	}
	if dir == "" {
		dir = "."
	}
	cur, ok := abs(dir)
	if !ok {
		return "", "", false
	}
	for {
		dotGit := filepath.Join(cur, ".git")
		if fi, err := os.Stat(dotGit); err == nil {
			if fi.IsDir() {
				return cur, dotGit, true
			}
			b, err := os.ReadFile(dotGit)
			rest, found := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
			if err != nil || !found {
				return "", "", false
			}
			if !filepath.IsAbs(rest) {
				rest = filepath.Join(cur, rest)
			}
			return cur, filepath.Clean(rest), true
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return "", "", false
		}
		cur = parent
	}
}

// Root returns the top directory of the work tree (where .patrolignore is read).
func (s *StagedSource) Root() string { return s.top }

// Initial reports whether the repository has no commit yet, so that everything staged is
// added. It is known once Chunks has returned.
func (s *StagedSource) Initial() bool { return s.initial }

// Merging reports whether a merge is being concluded (MERGE_HEAD exists).
func (s *StagedSource) Merging() bool { return len(s.merge) > 0 }

// hookRunner runs git in dir with the environment inherited: inside a hook it names the
// repository and the index that git is committing or pushing.
func hookRunner(dir string) Runner {
	r := Runner{Dir: dir, Inherit: true, Config: []string{"core.quotePath=false", "diff.suppressBlankEmpty=false"}}
	if runtime.GOOS == "linux" && os.Getenv("GLIBC_TUNABLES") == "" {
		// Reading a big index is mostly the page faults of its in-memory copy (a third of
		// git's time for 50,000 files); glibc (2.35+) backs malloc with transparent huge
		// pages when asked. Other C libraries, and kernels without THP, ignore it.
		r.Env = []string{"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"}
	}
	return r
}

// diffArgs are the options every patch we parse is produced with.
var diffArgs = []string{"-p", "-M", "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/"}

// startDiff starts `git diff-index --cached` of the index against base.
func (s *StagedSource) startDiff(ctx context.Context, base, context string, raw bool) *gitRun {
	args := append([]string{"diff-index", "--cached", "-U" + context}, diffArgs...)
	if raw {
		args = append(args, "--raw", "-z")
	}
	return startGit(ctx, &s.run, nil, append(args, base)...)
}

// gitRun is a started git process, or the error that kept it from starting.
type gitRun struct {
	*Process
	err error
}

func startGit(ctx context.Context, r *Runner, stdin io.Reader, args ...string) *gitRun {
	p, err := r.Start(ctx, stdin, args...)
	return &gitRun{p, err}
}

// wait reaps the process; the error names the subcommand and carries git's first error lines.
func (g *gitRun) wait() error {
	if g.err != nil {
		return g.err
	}
	return g.Wait()
}

// abort stops the process and reaps it.
func (g *gitRun) abort() {
	if g.err == nil {
		g.Abort()
	}
}

// stagedEntry is one line of `git diff-index --raw`.
type stagedEntry struct {
	status           byte
	srcMode, dstMode string
	srcSHA, dstSHA   string
	path             string // the path in the index
}

// Chunks yields the staged content of each file the commit adds to or changes, named by its path.
func (s *StagedSource) Chunks(ctx context.Context, yield func(scanner.Chunk) error) error {
	if s.diff == nil {
		return errors.New("staged changes: source already read")
	}
	diff := s.diff
	s.diff = nil
	// Diffs against the other parents of a merge run beside the main one.
	var (
		wg        sync.WaitGroup
		mergeSets = make([]map[string]lineSet, len(s.merge))
		mergeErrs = make([]error, len(s.merge))
	)
	for i, p := range s.merge {
		wg.Go(func() {
			g := s.startDiff(ctx, p, "0", false)
			if g.err == nil {
				mergeSets[i], mergeErrs[i] = addedLines(g.Stdout)
			}
			if err := g.wait(); err != nil && mergeErrs[i] == nil {
				mergeErrs[i] = err
			}
		})
	}

	shown := map[string]bool{}
	entries, err := s.readDiff(diff, shown, yield)
	if err != nil && len(entries) == 0 && len(shown) == 0 && ctx.Err() == nil && s.unborn(ctx) {
		s.initial = true
		entries, err = s.readDiff(s.startDiff(ctx, EmptyTree, wholeFileContext, true), shown, yield)
	}
	if err != nil {
		wg.Wait()
		return fmt.Errorf("staged changes: %w", err)
	}

	// Files git did not show as text (binary, or marked -diff in .gitattributes), and any
	// shown in pieces, are read from the object store.
	var want []stagedEntry
	for _, e := range entries {
		if shown[e.path] || !e.changesContent() {
			continue
		}
		if _, ok := s.added[e.path]; !ok {
			// No hunks to say which lines are new: every line is.
			s.added[e.path] = lineSet{all: true}
		}
		want = append(want, e)
	}
	var rerr error
	if len(want) > 0 {
		rerr = s.readBlobs(ctx, want, yield)
	}
	wg.Wait()
	if rerr != nil {
		return rerr
	}
	for i, set := range mergeSets {
		if mergeErrs[i] != nil {
			return fmt.Errorf("staged changes against MERGE_HEAD %s: %w", s.merge[i], mergeErrs[i])
		}
		for path, a := range s.added {
			s.added[path] = a.intersect(set[path])
		}
	}
	return nil
}

// readDiff reads a diff started by startDiff(…, wholeFileContext, true): it yields each file
// shown whole as text, records the added lines in s.added and returns the raw entries.
func (s *StagedSource) readDiff(diff *gitRun, shown map[string]bool, yield func(scanner.Chunk) error) ([]stagedEntry, error) {
	s.added = map[string]lineSet{}
	if diff.err != nil {
		return nil, diff.wait()
	}
	br := bufio.NewReaderSize(diff.Stdout, 64<<10)
	entries, err := readRawEntries(br)
	if err != nil {
		diff.abort()
		return entries, err
	}
	gitlink := map[string]bool{}
	blob := make(map[string]string, len(entries)) // path → the index's blob id
	for _, e := range entries {
		if e.dstMode == "160000" {
			gitlink[e.path] = true
		}
		blob[e.path] = e.dstSHA
	}
	err = parsePatch(br, true, func(path string, content []byte, added lineSet, whole bool) error {
		if gitlink[path] {
			return nil // "Subproject commit <id>": the submodule is scanned on its own
		}
		s.added[path] = added
		if !whole {
			return nil // read from the object store
		}
		shown[path] = true
		loc := []scanner.Location{{Source: SourceStaged, Path: path}}
		return yield(scanner.Chunk{Data: content, Name: path, Locations: loc, Blob: blob[path]})
	})
	if err != nil {
		diff.abort()
		return entries, err
	}
	return entries, diff.wait()
}

// unborn reports whether HEAD names no commit: the repository's first commit is being made.
func (s *StagedSource) unborn(ctx context.Context) bool {
	err := s.run.Run(ctx, "rev-parse", "--verify", "--quiet", "HEAD")
	e := (*Error)(nil)
	return errors.As(err, &e) && e.ExitCode() == 1
}

// changesContent reports whether the entry brings content to scan: an added, modified,
// renamed, copied or type-changed regular file or symlink whose blob changed.
func (e stagedEntry) changesContent() bool {
	switch e.status {
	case 'A', 'M', 'R', 'C', 'T':
	default:
		return false // deleted, unmerged, unknown
	}
	switch e.dstMode {
	case "100644", "100755", "120000":
	default:
		return false // a submodule commit or nothing
	}
	return e.srcSHA != e.dstSHA
}

// readBlobs reads the blobs of entries with one `git cat-file --batch` and yields them.
func (s *StagedSource) readBlobs(ctx context.Context, entries []stagedEntry, yield func(scanner.Chunk) error) error {
	byID := map[string][]scanner.Location{}
	var ids []string
	var stdin bytes.Buffer
	for _, e := range entries {
		if _, ok := byID[e.dstSHA]; !ok {
			ids = append(ids, e.dstSHA)
			stdin.WriteString(e.dstSHA + "\n")
		}
		byID[e.dstSHA] = append(byID[e.dstSHA], scanner.Location{Source: SourceStaged, Path: e.path})
	}
	g := startGit(ctx, &s.run, &stdin, "cat-file", "--batch")
	if g.err != nil {
		return fmt.Errorf("staged changes: %w", g.wait())
	}
	br := bufio.NewReaderSize(g.Stdout, 64<<10)
	for _, id := range ids {
		locs := byID[id]
		name := locs[0].Path
		hdr, err := br.ReadString('\n')
		if err != nil {
			g.abort()
			return fmt.Errorf("staged changes: read blob %s (%s): %w", id, name, err)
		}
		f := strings.Fields(hdr)
		if len(f) != 3 {
			if err := yield(scanner.Chunk{Name: name, Err: fmt.Errorf("staged %s: blob %s: %w", name, id, ErrMissingObject)}); err != nil {
				g.abort()
				return err
			}
			continue
		}
		size, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil {
			g.abort()
			return fmt.Errorf("staged changes: blob %s: bad size %q", id, f[2])
		}
		c := scanner.Chunk{Name: name, Locations: locs, Size: size, Blob: id}
		if size > s.maxSize {
			if _, err := io.CopyN(io.Discard, br, size+1); err != nil {
				g.abort()
				return fmt.Errorf("staged changes: read blob %s (%s): %w", id, name, err)
			}
			c.Skipped = scanner.SkipOversize
		} else {
			c.Data = make([]byte, size+1)
			if _, err := io.ReadFull(br, c.Data); err != nil {
				g.abort()
				return fmt.Errorf("staged changes: read blob %s (%s): %w", id, name, err)
			}
			c.Data = c.Data[:size]
		}
		if err := yield(c); err != nil {
			g.abort()
			return err
		}
	}
	if err := g.wait(); err != nil {
		return fmt.Errorf("staged changes: %w", err)
	}
	return nil
}

// Resolve keeps the findings on lines the commit adds.
func (s *StagedSource) Resolve(_ context.Context, findings []scanner.Finding) ([]scanner.Finding, error) {
	out := findings[:0]
	for _, f := range findings {
		if s.added[f.Location.Path].has(f.Location.Line) {
			out = append(out, f)
		}
	}
	return out, nil
}

// readRawEntries reads the NUL-separated `--raw -z` records that precede the patch, up to the
// empty record that separates them from it.
func readRawEntries(br *bufio.Reader) ([]stagedEntry, error) {
	var out []stagedEntry
	field := func() (string, error) {
		b, err := br.ReadBytes(0)
		if err != nil {
			if errors.Is(err, io.EOF) && len(b) == 0 {
				return "", io.EOF
			}
			return "", fmt.Errorf("raw diff: %w", io.ErrUnexpectedEOF)
		}
		return string(b[:len(b)-1]), nil
	}
	for {
		hdr, err := field()
		if errors.Is(err, io.EOF) || (err == nil && hdr == "") {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		f := strings.Fields(strings.TrimPrefix(hdr, ":"))
		if len(f) != 5 || !strings.HasPrefix(hdr, ":") || f[4] == "" {
			return nil, fmt.Errorf("raw diff: unexpected record %q", hdr)
		}
		e := stagedEntry{status: f[4][0], srcMode: f[0], dstMode: f[1], srcSHA: f[2], dstSHA: f[3]}
		if e.path, err = field(); err != nil {
			return nil, err
		}
		if e.status == 'R' || e.status == 'C' {
			if e.path, err = field(); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
}

// addedLines reads a patch (no raw part) and returns the lines it adds, per new path.
func addedLines(r io.Reader) (map[string]lineSet, error) {
	out := map[string]lineSet{}
	err := parsePatch(bufio.NewReaderSize(r, 64<<10), false, func(path string, _ []byte, added lineSet, _ bool) error {
		out[path] = out[path].union(added)
		return nil
	})
	return out, err
}

// parsePatch reads a unified patch made with diffArgs and calls fn once per file section that
// has a new side: its path, the lines it adds and, when content is set, the new side's text.
// whole says the text is the whole new file (one hunk from line 1).
func parsePatch(br *bufio.Reader, content bool, fn func(path string, text []byte, added lineSet, whole bool) error) error {
	var (
		path             string
		text             []byte
		added            lineSet
		hunks, start     int
		oldLeft, newLeft int
		newLine          int
		lastNew          bool
		scratch          []byte
	)
	flush := func() error {
		defer func() { path, text, added, hunks = "", nil, lineSet{}, 0 }()
		if path == "" || hunks == 0 {
			return nil
		}
		return fn(path, text, added, hunks == 1 && start <= 1)
	}
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			scratch = append(scratch[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				scratch = append(scratch, line...)
			}
			line = scratch
		}
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return flush()
			}
			return err
		}
		if oldLeft > 0 || newLeft > 0 {
			switch line[0] {
			case ' ', '\n': // context ("\n": an empty line under diff.suppressBlankEmpty)
				if content {
					text = append(text, line[1:]...)
					if line[0] == '\n' {
						text = append(text, '\n')
					}
				}
				oldLeft--
				newLeft--
				newLine++
				lastNew = true
			case '+':
				if content {
					text = append(text, line[1:]...)
				}
				added.add(newLine)
				newLeft--
				newLine++
				lastNew = true
			case '-':
				oldLeft--
				lastNew = false
			case '\\':
				if lastNew && content && len(text) > 0 && text[len(text)-1] == '\n' {
					text = text[:len(text)-1]
				}
			default:
				return fmt.Errorf("patch: unexpected line in hunk: %.40q", line)
			}
			continue
		}
		switch {
		case bytes.HasPrefix(line, []byte("diff --git ")):
			if err := flush(); err != nil {
				return err
			}
		case bytes.HasPrefix(line, []byte("+++ ")) && hunks == 0:
			path = patchPath(line[4:])
		case bytes.HasPrefix(line, []byte("@@ ")):
			_, on, ns, nn, ok := parseHunkHeader(line)
			if !ok {
				return fmt.Errorf("patch: bad hunk header %.60q", line)
			}
			if hunks == 0 {
				start = ns
			}
			hunks++
			oldLeft, newLeft, newLine = on, nn, ns
			if nn == 0 {
				newLine = ns + 1
			}
		case len(line) > 0 && line[0] == '\\':
			if lastNew && content && len(text) > 0 && text[len(text)-1] == '\n' {
				text = text[:len(text)-1]
			}
			lastNew = false
		}
	}
}

// patchPath returns the path of a "+++ b/<path>" header: "" for /dev/null. Git C-quotes paths
// with control characters, quotes or backslashes, and ends unquoted paths that hold a space
// with a tab.
func patchPath(b []byte) string {
	s := strings.TrimSuffix(string(b), "\n")
	if strings.HasPrefix(s, `"`) {
		u, ok := unquoteC(s)
		if !ok {
			return ""
		}
		s = u
	} else {
		s = strings.TrimSuffix(s, "\t")
	}
	if s == "/dev/null" {
		return ""
	}
	return strings.TrimPrefix(s, "b/")
}

// unquoteC undoes git's C-style quoting of a path ("a\tb", "\303\251"), byte for byte: unlike
// strconv.Unquote it keeps bytes that are not UTF-8.
func unquoteC(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	s = s[1 : len(s)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i++; i >= len(s) {
			return "", false
		}
		switch c = s[i]; c {
		case 'a':
			out = append(out, '\a')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, '\v')
		case '0', '1', '2', '3':
			if i+2 >= len(s) {
				return "", false
			}
			n := 0
			for _, d := range []byte(s[i : i+3]) {
				if d < '0' || d > '7' {
					return "", false
				}
				n = n*8 + int(d-'0')
			}
			out = append(out, byte(n))
			i += 2
		case '\\', '"':
			out = append(out, c)
		default:
			return "", false
		}
	}
	return string(out), true
}

// parseHunkHeader parses "@@ -os[,on] +ns[,nn] @@…".
func parseHunkHeader(line []byte) (oldStart, oldN, newStart, newN int, ok bool) {
	rest, found := bytes.CutPrefix(line, []byte("@@ -"))
	if !found {
		return
	}
	var r1, r2 []byte
	r1, rest, found = bytes.Cut(rest, []byte(" +"))
	if !found {
		return
	}
	r2, _, found = bytes.Cut(rest, []byte(" @@"))
	if !found {
		return
	}
	var ok1, ok2 bool
	oldStart, oldN, ok1 = parseRange(r1)
	newStart, newN, ok2 = parseRange(r2)
	return oldStart, oldN, newStart, newN, ok1 && ok2
}

func parseRange(b []byte) (start, n int, ok bool) {
	s, c, hasN := bytes.Cut(b, []byte(","))
	start, err := strconv.Atoi(string(s))
	if err != nil || start < 0 {
		return 0, 0, false
	}
	n = 1
	if hasN {
		if n, err = strconv.Atoi(string(c)); err != nil || n < 0 {
			return 0, 0, false
		}
	}
	return start, n, true
}

// lineSet is a set of 1-based line numbers: sorted, disjoint, non-adjacent ranges, or every line.
type lineSet struct {
	all    bool
	ranges []lineRange
}

type lineRange struct{ first, last int }

// add adds n, which must not be below any line already in the set.
func (l *lineSet) add(n int) {
	if k := len(l.ranges); k > 0 && l.ranges[k-1].last+1 >= n {
		l.ranges[k-1].last = max(l.ranges[k-1].last, n)
		return
	}
	l.ranges = append(l.ranges, lineRange{n, n})
}

func (l lineSet) has(n int) bool {
	if l.all {
		return true
	}
	lo, hi := 0, len(l.ranges)
	for lo < hi {
		m := (lo + hi) / 2
		switch r := l.ranges[m]; {
		case n < r.first:
			hi = m
		case n > r.last:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

func (l lineSet) intersect(o lineSet) lineSet {
	switch {
	case l.all:
		return o
	case o.all:
		return l
	}
	var out lineSet
	i, j := 0, 0
	for i < len(l.ranges) && j < len(o.ranges) {
		a, b := l.ranges[i], o.ranges[j]
		if lo, hi := max(a.first, b.first), min(a.last, b.last); lo <= hi {
			out.ranges = append(out.ranges, lineRange{lo, hi})
		}
		if a.last < b.last {
			i++
		} else {
			j++
		}
	}
	return out
}

func (l lineSet) union(o lineSet) lineSet {
	if l.all || o.all {
		return lineSet{all: true}
	}
	all := append(append([]lineRange(nil), l.ranges...), o.ranges...)
	if len(all) == 0 {
		return lineSet{}
	}
	// Insertion sort: patches list a path once, so there are rarely two sets to merge.
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && all[j].first < all[j-1].first; j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	var out lineSet
	for _, r := range all {
		if k := len(out.ranges); k > 0 && out.ranges[k-1].last+1 >= r.first {
			out.ranges[k-1].last = max(out.ranges[k-1].last, r.last)
			continue
		}
		out.ranges = append(out.ranges, r)
	}
	return out
}
