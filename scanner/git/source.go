package git

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patrolsec/patrol/internal/httpx"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/secret"
)

// Errors returned by OpenGit and GitSource.
var (
	// ErrNotRepository is returned by OpenGit when the path exists but holds no git repository.
	ErrNotRepository = errors.New("not a git repository")
	// ErrOptionLike is returned by OpenGit for a repository, ref or revision that starts with
	// "-": git would read it as a command-line option (--upload-pack=… runs a program).
	ErrOptionLike = errors.New("looks like a command-line option")
	// ErrShallow is reported (in Stats.Errors, through Chunk.Err) when the repository is
	// shallow: the history before the shallow boundary is not there to scan.
	ErrShallow = errors.New("shallow repository: history incomplete")
	// ErrMissingObject is reported (in Stats.Errors, through Chunk.Err) for a blob that the
	// history references but the object store lacks: the repository is corrupt.
	ErrMissingObject = errors.New("missing object")
	// ErrNoSuchRef is returned by OpenGit when a GitOptions.Branches entry names no ref.
	ErrNoSuchRef = errors.New("no such ref")
	// ErrClone is returned by OpenGit when a remote cannot be cloned or fetched.
	ErrClone = errors.New("clone failed")
	// ErrPlainHTTP is returned by OpenGit, before any connection, when a token
	// (GitOptions.Token or GitTokenEnv) would go over plain http to a host that is not
	// loopback.
	ErrPlainHTTP = errors.New("a token is only sent over https (or http to a loopback address)")
)

// GitTokenEnv names the environment variable whose value is sent as the HTTP basic password
// (user "x-access-token") when cloning or fetching a remote over HTTP(S).
const GitTokenEnv = "PATROL_GIT_TOKEN"

// GitMode chooses how GitSource reads the object store.
type GitMode int

const (
	// GitAuto uses the git binary when it is on PATH, go-git otherwise.
	GitAuto GitMode = iota
	// GitBinary requires the git binary.
	GitBinary
	// GitGoGit uses go-git only (no subprocess).
	GitGoGit
)

// GitOptions configure OpenGit.
type GitOptions struct {
	// Repo is a local path (a work tree or a bare repository) or a remote URL (https://,
	// ssh://, git://, file://, or scp-style user@host:path).
	Repo string
	// CloneDir is where remotes are cloned (bare, all refs), one directory per URL, reused
	// and fetched on later scans. Empty means <user cache dir>/patrol/repos.
	CloneDir string
	// Since limits the scan to commits not reachable from a revision (an incremental scan
	// from the last scanned tip) or, when it is not a revision, committed at or after a date
	// (YYYY-MM-DD, YYYY-MM-DD HH:MM:SS, RFC 3339 or a Unix time as @N).
	Since string
	// Branches limits the scan to these refs (full names, or short names of branches, tags
	// and remote-tracking refs). Empty means every ref.
	Branches []string
	// Exclude lists revisions whose history is not scanned, as after `git log --not`: a
	// pre-push hook scans its tips (in Branches, as commit ids) without what the remote has.
	// Full hex commit ids are used as given; other revisions are resolved and must exist.
	Exclude []string
	// Cursor is where the last scan of this repository stood: its Tips (ref → commit id).
	// The scan then reads only commits that none of those commits reaches: an unchanged
	// repository scans nothing, a push only what it added, a force push its new commits, and
	// a deleted branch or a new tag on a scanned commit nothing. Old tips that are gone (a
	// rewritten branch after gc) are ignored; when none is left, every commit is scanned.
	Cursor map[string]string
	// SkipBlobs, when set, is asked once, with the id of every blob the selected commits
	// introduce, which of them not to read: blobs already scanned in this repository (by an
	// earlier scan of history that has since been rewritten). They are counted as skipped
	// (scanner.SkipSeen).
	SkipBlobs func(ctx context.Context, ids []string) (map[string]bool, error)
	// MaxBlobSize: bigger blobs are not read, and are counted as skipped (SkipOversize).
	// Zero means DefaultMaxSize.
	MaxBlobSize int64
	// Logger receives warnings (shallow history, missing objects); nil discards.
	Logger *slog.Logger
	// Token authenticates the clone or fetch of an https URL (as x-access-token basic auth,
	// sent only to that URL's host, in process: never on a command line or in the mirror's
	// config); empty means GitTokenEnv.
	Token secret.Token
	// Mode chooses between the git binary and go-git; the zero value is GitAuto.
	Mode GitMode
}

// GitSource is the history of one repository: it yields every distinct blob reachable from the
// selected refs once (Source), and maps findings in a blob to each path and commit that first
// introduced it (Resolver). The history comes from `git log` (or go-git without the binary);
// blobs in pack files are read in process (git_pack.go), where a delta is scanned only around
// what it changes. Use it for one scan; it is not safe for concurrent scans.
type GitSource struct {
	repo    string // as reported in scanner.Location.Repository (no credentials)
	dir     string // the git directory
	opts    GitOptions
	log     *slog.Logger
	maxSize int64
	shallow bool
	b       gitBackend
	idx     *gitIndex
	// pairs lists the blobs scanned around their delta's edits only, each with the base blob
	// whose findings it inherits.
	pairs []deltaPair
	// sel is the selection of the last Chunks (or Tips); failed lists the blobs that could
	// not be read.
	sel    *gitSelection
	failed map[oid]bool
}

// gitBackend reads one repository: the history (which blob first appeared at which path in
// which commit), the blobs, and commit metadata.
type gitBackend interface {
	// history indexes the selected commits, in the order that decides "first". A backend that
	// reads the commits' messages on the way calls msg (when set) with each, in that order,
	// and sets the index's messagesRead; the others leave them to objects.
	history(ctx context.Context, sel gitSelection, msg func(commitMessage) error) (*gitIndex, error)
	// blobs reads every blob of idx once and calls fn for each (see blobMsg).
	blobs(ctx context.Context, idx *gitIndex, maxSize int64, fn func(blobMsg) error) error
	// objects reads the raw commit and tag objects ids, in order, and calls fn with each.
	objects(ctx context.Context, ids []oid, fn func(rawObject) error) error
	// commits returns author metadata of the given commits.
	commits(ctx context.Context, shas []oid) (map[oid]gitCommit, error)
	// shallow reports whether the repository is shallow.
	shallow(ctx context.Context) (bool, error)
	// refs lists every ref under refs/ with the commit it leads to.
	refs(ctx context.Context) ([]refTip, error)
	// head returns the commit of a detached HEAD.
	head(ctx context.Context) (string, bool)
	// resolveCommit resolves a revision to a commit id.
	resolveCommit(ctx context.Context, rev string) (string, bool)
	// present returns the ids, among ids, of the commits the repository has.
	present(ctx context.Context, ids []string) (map[string]bool, error)
	name() string
}

// refTip is a ref and the commit it leads to (peeled through tags; empty for a ref to a tree
// or a blob), and the annotated tag object it points to (empty for other refs).
type refTip struct{ name, commit, tag string }

// gitSelection is what to scan: the tips (ref → commit) and their distinct commits, and the
// exclusions of Since, Exclude and Cursor.
type gitSelection struct {
	all      bool              // every ref (and a detached HEAD), no ref chosen
	tips     map[string]string // ref (or commit id given as a branch) → commit
	refs     []string          // the distinct commits of tips, sorted
	notRev   string            // exclude commits reachable from this commit (hex)
	notRevs  []string          // and from these (hex, GitOptions.Exclude)
	notOlder time.Time         // exclude commits committed before this time
	refList  []refTip          // every ref, as read for the selection
}

type gitCommit struct {
	name, email string
	date        time.Time
}

// OpenGit opens (or clones, or fetches) the repository of opts.Repo and checks the options.
// Errors name the repository and what is wrong with it; they never contain credentials.
func OpenGit(ctx context.Context, opts GitOptions) (*GitSource, error) {
	s := &GitSource{opts: opts, log: opts.Logger, maxSize: opts.MaxBlobSize}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxSize <= 0 {
		s.maxSize = scanner.DefaultMaxSize
	}
	if opts.Repo == "" {
		return nil, errors.New("open repository: no path or URL")
	}
	if strings.HasPrefix(opts.Repo, "-") {
		return nil, fmt.Errorf("open repository %q: %w", httpx.RedactURL(opts.Repo), ErrOptionLike)
	}
	for _, b := range opts.Branches {
		if b == "" || strings.HasPrefix(b, "-") {
			return nil, fmt.Errorf("branch %q: %w", b, ErrOptionLike)
		}
	}
	if strings.HasPrefix(opts.Since, "-") {
		return nil, fmt.Errorf("since %q: %w", opts.Since, ErrOptionLike)
	}
	for _, x := range opts.Exclude {
		if x == "" || strings.HasPrefix(x, "-") {
			return nil, fmt.Errorf("exclude %q: %w", x, ErrOptionLike)
		}
	}
	gitPath, lookErr := exec.LookPath("git")
	useBinary := false
	switch opts.Mode {
	case GitBinary:
		if lookErr != nil {
			return nil, fmt.Errorf("open repository %s: git binary: %w", httpx.RedactURL(opts.Repo), lookErr)
		}
		useBinary = true
	case GitAuto:
		useBinary = lookErr == nil
	}

	if IsURL(opts.Repo) {
		clean, err := cloneURL(opts.Repo)
		if err != nil {
			return nil, err
		}
		opts.Repo = clean
		s.opts.Repo = clean
		s.repo = httpx.RedactURL(clean)
		dir, err := cloneOrFetch(ctx, opts, s.log)
		if err != nil {
			return nil, err
		}
		s.dir = dir
	} else {
		abs, err := filepath.Abs(opts.Repo)
		if err != nil {
			return nil, fmt.Errorf("open repository %s: %w", opts.Repo, err)
		}
		fi, err := os.Stat(abs)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("open repository %s: no such directory: %w", abs, fs.ErrNotExist)
			}
			return nil, fmt.Errorf("open repository %s: %w", abs, err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("open repository %s: not a directory: %w", abs, ErrNotRepository)
		}
		s.repo, s.dir = abs, abs
	}

	var err error
	if useBinary {
		s.b, err = openExecGit(ctx, gitPath, s.dir, s.repo)
	} else {
		s.b, err = openGoGit(s.dir, s.repo)
	}
	if err != nil {
		return nil, err
	}
	if s.shallow, err = s.b.shallow(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Repository returns the repository as written in findings: the absolute path or the URL
// without credentials.
func (s *GitSource) Repository() string { return s.repo }

// Backend names the object reader in use: "git" (the binary) or "go-git".
func (s *GitSource) Backend() string { return s.b.name() }

// Shallow reports whether the repository is shallow (its history is incomplete).
func (s *GitSource) Shallow() bool { return s.shallow }

// selection turns the options into a gitSelection, resolving refs, Since, Exclude and Cursor.
func (s *GitSource) selection(ctx context.Context) (gitSelection, error) {
	sel := gitSelection{tips: map[string]string{}}
	refs, err := s.b.refs(ctx)
	if err != nil {
		return sel, err
	}
	sel.refList = refs
	if len(s.opts.Branches) == 0 {
		sel.all = true
		for _, r := range refs {
			if r.commit != "" {
				sel.tips[r.name] = r.commit
			}
		}
		if c, ok := s.b.head(ctx); ok {
			sel.tips["HEAD"] = c
		}
	} else {
		for _, b := range s.opts.Branches {
			r, ok := matchRef(refs, b)
			switch {
			case ok && r.commit == "":
				return sel, fmt.Errorf("branch %q in %s: %s leads to no commit: %w", b, s.repo, r.name, ErrNoSuchRef)
			case !ok && isObjectID(b):
				r.name = b // a commit id: a tip of its own
				r.commit, ok = s.b.resolveCommit(ctx, b)
			}
			if !ok {
				return sel, fmt.Errorf("branch %q in %s: %w", b, s.repo, ErrNoSuchRef)
			}
			sel.tips[r.name] = r.commit
		}
	}
	for _, c := range sel.tips {
		sel.refs = append(sel.refs, c)
	}
	slices.Sort(sel.refs)
	sel.refs = slices.Compact(sel.refs)
	if s.opts.Since != "" {
		if c, ok := s.b.resolveCommit(ctx, s.opts.Since); ok {
			sel.notRev = c
		} else if t, ok := parseSinceDate(s.opts.Since); ok {
			sel.notOlder = t
		} else {
			return sel, fmt.Errorf("since %q in %s: not a revision, nor a date (YYYY-MM-DD, RFC 3339, @unix)", s.opts.Since, s.repo)
		}
	}
	for _, x := range s.opts.Exclude {
		if isObjectID(x) {
			sel.notRevs = append(sel.notRevs, strings.ToLower(x))
			continue
		}
		c, ok := s.b.resolveCommit(ctx, x)
		if !ok {
			return sel, fmt.Errorf("exclude %q in %s: %w", x, s.repo, ErrNoSuchRef)
		}
		sel.notRevs = append(sel.notRevs, c)
	}
	if len(s.opts.Cursor) > 0 {
		var old []string
		for ref, c := range s.opts.Cursor {
			if !isObjectID(c) {
				return sel, fmt.Errorf("cursor of %s: ref %q: %q is not an object id", s.repo, ref, c)
			}
			old = append(old, strings.ToLower(c))
		}
		slices.Sort(old)
		old = slices.Compact(old)
		have, err := s.b.present(ctx, old)
		if err != nil {
			return sel, err
		}
		for _, c := range old {
			if have[c] {
				sel.notRevs = append(sel.notRevs, c)
			}
		}
		if gone := len(old) - len(have); gone > 0 {
			s.log.Info("old tips are gone from the repository: scanning from the others", "repo", s.repo, "gone", gone, "left", len(have))
		}
	}
	return sel, nil
}

// Tips returns the refs the scan selected (every ref under refs/, and HEAD when it is
// detached; or the refs of GitOptions.Branches) with the commit each leads to, as the last
// Chunks read them: the cursor to give the next incremental scan. Before Chunks, it reads
// them now.
func (s *GitSource) Tips(ctx context.Context) (map[string]string, error) {
	if s.sel == nil {
		sel, err := s.selection(ctx)
		if err != nil {
			return nil, err
		}
		s.sel = &sel
	}
	return maps.Clone(s.sel.tips), nil
}

// Blobs returns the ids of the blobs the last Chunks covered (read and scanned, or skipped as
// binary or oversize), sorted: those GitOptions.SkipBlobs skipped and those that could not be
// read are left out. A service records them as scanned.
func (s *GitSource) Blobs() []string {
	if s.idx == nil {
		return nil
	}
	out := make([]string, 0, len(s.idx.blobs))
	for _, b := range s.idx.blobs {
		if !s.failed[b] {
			out = append(out, b.String())
		}
	}
	return out
}

// isObjectID reports whether s is a full SHA-1 or SHA-256 object id in hex.
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// matchRef finds name among full ref names: exactly, or as a branch, tag or remote-tracking ref.
func matchRef(refs []refTip, name string) (refTip, bool) {
	for _, prefix := range []string{"", "refs/heads/", "refs/tags/", "refs/remotes/"} {
		for _, r := range refs {
			if r.name == prefix+name {
				return r, true
			}
		}
	}
	return refTip{}, false
}

func parseSinceDate(s string) (time.Time, bool) {
	if strings.HasPrefix(s, "@") {
		var n int64
		if _, err := fmt.Sscanf(s[1:], "%d", &n); err == nil {
			return time.Unix(n, 0).UTC(), true
		}
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Chunks reads the history and every distinct blob it references, once each, and yields the
// blobs (Chunk.Blob is the hex id, Chunk.Name "blob <id>"). A blob stored in a pack as a delta
// over another blob of the scan is yielded as the text around the delta's edits only, joined
// (Resolve maps lines back and carries the base's findings over), so Stats.Bytes counts the
// bytes scanned, not the size of every version. When every ref is scanned with no exclusion,
// packed blobs are read while `git log` runs, including blobs no ref reaches (their findings are
// dropped). Blobs over MaxBlobSize are yielded as skipped; a shallow history and unreadable
// objects are yielded as Chunk.Err, and the scan goes on. Then the message of every scanned
// commit and of every selected annotated tag is yielded, each distinct text once (messages.go).
func (s *GitSource) Chunks(ctx context.Context, yield func(scanner.Chunk) error) error {
	if s.shallow {
		err := fmt.Errorf("%s: %w", s.repo, ErrShallow)
		s.log.Warn("shallow repository: scanning the history that is there", "repo", s.repo)
		if err := yield(scanner.Chunk{Name: s.repo, Err: err}); err != nil {
			return err
		}
	}
	sel, err := s.selection(ctx)
	if err != nil {
		return err
	}
	s.sel = &sel
	s.idx, s.pairs, s.failed = nil, nil, map[oid]bool{}
	// One placeholder location per blob: Resolve replaces it with every (path, commit).
	locs := []scanner.Location{{Source: scanner.SourceGit, Repository: s.repo}}
	fn := func(m blobMsg) error {
		h := m.sha.String()
		c := scanner.Chunk{Blob: h, Name: "blob " + h, Size: m.size, Locations: locs}
		switch {
		case m.err != nil:
			where := ""
			if s.idx != nil {
				if e := s.idx.first(m.sha); e != nil {
					where = fmt.Sprintf(" (%s in commit %s)", s.idx.paths[e.path], s.idx.commits[e.commit])
				}
			}
			c.Err = fmt.Errorf("%s: blob %s%s: %w", s.repo, h, where, m.err)
			s.failed[m.sha] = true
			s.log.Warn("unreadable blob", "repo", s.repo, "err", c.Err)
		case m.binary:
			c.Skipped = scanner.SkipBinary
		case m.data == nil:
			c.Skipped = scanner.SkipOversize
		case m.key != "":
			c.Data, c.Blob = m.data, m.key
			if m.hasBase {
				s.pairs = append(s.pairs, deltaPair{child: m.sha, base: m.base})
			}
		default:
			c.Data = m.data
		}
		return yield(c)
	}
	// With the git binary, the messages are read (by a cat-file of their own) while the blobs
	// are; the two yield in turn.
	var (
		mu       sync.Mutex
		msgErr   = make(chan error, 1)
		msgStart atomic.Bool
	)
	g, concurrent := s.b.(*execGit)
	if concurrent {
		g.openPacksOnce() // before the goroutines that read them
	}
	lockedYield := func(c scanner.Chunk) error {
		mu.Lock()
		defer mu.Unlock()
		return yield(c)
	}
	mctx, cancelMessages := context.WithCancel(ctx)
	defer cancelMessages()
	msgs := newMessageScan(s.repo, s.b)
	commitMessage := func(c commitMessage) error { return msgs.commit(mctx, c, lockedYield) }
	startMessages := func(idx *gitIndex) {
		msgStart.Store(true)
		go func() { msgErr <- s.messages(mctx, idx, msgs, lockedYield) }()
	}
	blobFn := func(m blobMsg) error {
		mu.Lock()
		defer mu.Unlock()
		return fn(m)
	}
	finish := func(idx *gitIndex, err error) error {
		if err != nil {
			cancelMessages()
		}
		if msgStart.Load() {
			return errors.Join(err, <-msgErr)
		}
		if err != nil {
			return err
		}
		return s.messages(ctx, idx, msgs, yield)
	}
	if concurrent && sel.all && sel.notRev == "" && len(sel.notRevs) == 0 && sel.notOlder.IsZero() && s.opts.SkipBlobs == nil {
		var idx *gitIndex
		err := g.scanAll(ctx, sel, s.maxSize, commitMessage, startMessages, func(x *gitIndex) { s.idx, idx = x, x }, blobFn)
		return finish(idx, err)
	}
	idx, err := s.b.history(ctx, sel, commitMessage)
	if err != nil {
		return err
	}
	idx.finish()
	s.idx = idx
	if s.opts.SkipBlobs != nil && len(idx.blobs) > 0 {
		if err := s.skipSeen(ctx, locs, yield); err != nil {
			return err
		}
	}
	if concurrent {
		startMessages(idx)
		return finish(idx, s.b.blobs(ctx, idx, s.maxSize, blobFn))
	}
	return finish(idx, s.b.blobs(ctx, idx, s.maxSize, fn))
}

// skipSeen asks GitOptions.SkipBlobs which blobs of the index to leave out, takes them out
// (so that a delta over one of them is scanned whole) and yields each as skipped.
func (s *GitSource) skipSeen(ctx context.Context, locs []scanner.Location, yield func(scanner.Chunk) error) error {
	ids := make([]string, len(s.idx.blobs))
	for i, b := range s.idx.blobs {
		ids[i] = b.String()
	}
	skip, err := s.opts.SkipBlobs(ctx, ids)
	if err != nil {
		return fmt.Errorf("blobs already scanned in %s: %w", s.repo, err)
	}
	if len(skip) == 0 {
		return nil
	}
	keep := s.idx.blobs[:0]
	for i, b := range s.idx.blobs {
		if !skip[ids[i]] {
			keep = append(keep, b)
			continue
		}
		if err := yield(scanner.Chunk{Blob: ids[i], Name: "blob " + ids[i], Skipped: scanner.SkipSeen, Locations: locs}); err != nil {
			return err
		}
	}
	s.idx.blobs = keep
	return nil
}

// Resolve expands each finding into one finding per path at which its blob was introduced,
// attributed to the first commit that introduced it there. Findings in blobs that no scanned
// commit introduced are dropped.
func (s *GitSource) Resolve(ctx context.Context, findings []scanner.Finding) ([]scanner.Finding, error) {
	if s.idx == nil {
		return nil, nil
	}
	defer s.close()
	// Findings in messages are located already (messages.go); the rest are in blobs.
	var msgs []scanner.Finding
	blobs := findings[:0:0]
	for _, f := range findings {
		if f.Location.Kind != "" {
			msgs = append(msgs, f)
		} else {
			blobs = append(blobs, f)
		}
	}
	findings = unwindow(blobs)
	if len(s.pairs) > 0 {
		var err error
		if findings, err = s.propagate(ctx, findings); err != nil {
			return nil, err
		}
	}
	want := map[oid]bool{}
	var commits []oid
	for _, f := range findings {
		b, ok := parseOID(f.Location.Blob)
		if !ok {
			continue
		}
		for _, e := range s.idx.lookup(b) {
			c := s.idx.commits[e.commit]
			if !want[c] {
				want[c] = true
				commits = append(commits, c)
			}
		}
	}
	meta, err := s.b.commits(ctx, commits)
	if err != nil {
		return nil, err
	}
	out := make([]scanner.Finding, 0, len(findings)+len(msgs))
	out = append(out, msgs...)
	for _, f := range findings {
		b, ok := parseOID(f.Location.Blob)
		if !ok {
			continue
		}
		for _, e := range s.idx.lookup(b) {
			c := s.idx.commits[e.commit]
			m := meta[c]
			g := f
			g.Location.Source = scanner.SourceGit
			g.Location.Repository = s.repo
			g.Location.Commit = c.String()
			g.Location.Path = s.idx.paths[e.path]
			g.Location.AuthorName = m.name
			g.Location.AuthorEmail = m.email
			if !m.date.IsZero() {
				d := m.date.UTC()
				g.Location.Date = &d
			}
			out = append(out, g)
		}
	}
	return out, nil
}

// close releases the pack files.
func (s *GitSource) close() {
	if ps, ok := s.b.(interface{ closePacks() }); ok {
		ps.closePacks()
	}
}
