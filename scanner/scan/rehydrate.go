package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/secret"
)

// Errors returned by Rehydrate.
var (
	// ErrGone: the content that held the token is not there any more (a blob gc'd or never
	// fetched, a deleted file, a clone that was removed).
	ErrGone = errors.New("content is gone")
	// ErrNoMatch: the content is there, but holds no token with the fingerprint at the span
	// (the file changed, or the fingerprint key is not the one the scan used).
	ErrNoMatch = errors.New("no token with that fingerprint there")
)

// Where says where a token lives, as a finding's location records it.
type Where struct {
	// Source is scanner.SourceGit, git.SourceStaged or scanner.SourceDir; stdin cannot be
	// read again.
	Source string
	// Repository is the path of a local repository or the URL of a cloned one (git and
	// staged), or the directory a dir scan read (Result.Root).
	Repository string
	// CloneDir is where URLs were cloned (empty: the default, as for Request.CloneDir).
	CloneDir string
	// Blob is the git blob id; when empty, Commit and Path name the blob.
	Blob, Commit, Path string
	// Offset and Length are the span of the match (scanner.Location).
	Offset int64
	Length int
	// Encoding is scanner.Finding.Encoding: for UTF-16 content (scanner.UTF16) the whole
	// content is scanned again, transcoded, as the span's neighbourhood alone may not say it
	// is UTF-16.
	Encoding string
	// Kind is scanner.Location.Kind: file content (""), or a commit or tag message, read again
	// from the commit or tag object Commit names (Offset is then in its message).
	Kind string
}

// rehydrateMargin is how far around the span Rehydrate scans (then out to line ends): more
// than any detector looks around a token, so that it judges the token in the same context.
const rehydrateMargin = 4096

// Rehydrate reads the content where w says a token lives again (git: the blob, or the message
// of a commit or tag object, with `git cat-file` in the repository or its clone; dir: the file
// under the root), scans the
// lines around w's span with e, and returns the token whose fingerprint is fingerprint. e must
// use the fingerprint key of the scan that found it. Errors name what is missing and match
// ErrGone or ErrNoMatch; they never hold the token.
func Rehydrate(ctx context.Context, e *scanner.Engine, w Where, fingerprint string) (secret.Token, error) {
	var zero secret.Token
	if e == nil {
		return zero, errors.New("rehydrate: no engine")
	}
	var (
		data  []byte
		where string
		err   error
	)
	switch {
	case w.Kind == scanner.KindCommitMessage || w.Kind == scanner.KindTagMessage:
		if w.Source != scanner.SourceGit {
			return zero, fmt.Errorf("rehydrate %s: a %s in a %s scan", w.Repository, w.Kind, w.Source)
		}
		data, where, err = readMessage(ctx, w)
	case w.Kind != "":
		return zero, fmt.Errorf("rehydrate %s: reading a token again from a %q is not supported", w.Repository, w.Kind)
	case w.Source == scanner.SourceGit || w.Source == git.SourceStaged || w.Source == scanner.SourceDir:
		data, where, err = readContent(ctx, w)
	default:
		return zero, fmt.Errorf("rehydrate: a token from %q cannot be read again", w.Source)
	}
	if err != nil {
		return zero, err
	}
	if w.Offset < 0 || w.Length <= 0 || w.Offset+int64(w.Length) > int64(len(data)) {
		return zero, fmt.Errorf("rehydrate %s: span %d+%d is past its end (%d bytes): it changed: %w", where, w.Offset, w.Length, len(data), ErrNoMatch)
	}
	start, end := int(w.Offset), int(w.Offset)+w.Length
	start, end = max(0, start-rehydrateMargin), min(len(data), end+rehydrateMargin)
	if i := bytes.LastIndexByte(data[:start], '\n'); i >= 0 {
		start = i + 1
	} else {
		start = 0
	}
	if i := bytes.IndexByte(data[end:], '\n'); i >= 0 {
		end += i
	} else {
		end = len(data)
	}
	if strings.HasPrefix(w.Encoding, "utf-16") {
		start, end = 0, len(data)
	}
	// The fingerprint is keyed on the detector and the token: any match of it is the token.
	var (
		tok   secret.Token
		found bool
	)
	e.Scan(data[start:end], []scanner.Location{{}}, func(f scanner.Finding) {
		if !found && f.Fingerprint == fingerprint {
			tok, found = f.Secret, true
		}
	})
	if !found {
		return zero, fmt.Errorf("rehydrate %s: no token with fingerprint %s around offset %d: %w", where, fingerprint, w.Offset, ErrNoMatch)
	}
	return tok, nil
}

// readContent reads the content w's span is in: the blob or file, or, when w.Path names a
// member of an archive ("conf.zip!conf/.env"), that member of the archive blob or file.
func readContent(ctx context.Context, w Where) ([]byte, string, error) {
	read := func(w Where) ([]byte, string, error) {
		if w.Source == scanner.SourceDir {
			return readFile(w)
		}
		return readBlob(ctx, w)
	}
	data, where, err := read(w)
	if !strings.Contains(w.Path, scanner.ArchiveSep) {
		return data, where, err
	}
	// Each "!" may end the archive's path: the first split whose archive holds the member.
	var errs []error
	for i := 0; i < len(w.Path); i++ {
		if !strings.HasPrefix(w.Path[i:], scanner.ArchiveSep) {
			continue
		}
		outer, member := w.Path[:i], w.Path[i+len(scanner.ArchiveSep):]
		adata, awhere := data, where
		if err != nil { // the archive is read by its path: the whole path named nothing
			o := w
			o.Path = outer
			var rerr error
			if adata, awhere, rerr = read(o); rerr != nil {
				continue
			}
		}
		if !scanner.IsArchive(adata) {
			continue
		}
		m, merr := scanner.ArchiveMember(ctx, adata, member, scanner.DefaultArchiveLimits(scanner.DefaultMaxArchiveDepth, 0))
		if merr == nil {
			return m, awhere + " member " + member, nil
		}
		errs = append(errs, merr)
	}
	if err != nil {
		return nil, "", err
	}
	if len(errs) > 0 {
		return nil, "", fmt.Errorf("rehydrate %s: %w: %w", where, ErrNoMatch, errors.Join(errs...))
	}
	return data, where, nil
}

// repoDir returns the directory of w's repository: the path, or the clone of the URL.
func repoDir(w Where) (string, error) {
	if !git.IsURL(w.Repository) {
		return w.Repository, nil
	}
	p, err := git.CachePath(w.CloneDir, w.Repository)
	if err != nil {
		return "", fmt.Errorf("rehydrate %s: %w", w.Repository, err)
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("rehydrate %s: no clone in %s: %w", w.Repository, p, ErrGone)
	}
	return p, nil
}

// readMessage reads the message of the commit or tag object of w (git.MessageOf).
func readMessage(ctx context.Context, w Where) ([]byte, string, error) {
	typ := "commit"
	if w.Kind == scanner.KindTagMessage {
		typ = "tag"
	}
	where := fmt.Sprintf("%s message of %s in %s", typ, w.Commit, w.Repository)
	if !isHex(w.Commit) {
		return nil, "", fmt.Errorf("rehydrate %s: %q is not an object id", where, w.Commit)
	}
	dir, err := repoDir(w)
	if err != nil {
		return nil, "", err
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, "", fmt.Errorf("rehydrate %s: %w", where, errors.Join(ErrGone, err))
	}
	r := git.Runner{Dir: dir}
	raw, err := r.Output(ctx, nil, "cat-file", typ, w.Commit)
	if err != nil {
		if ge := (*git.Error)(nil); errors.As(err, &ge) && ge.ExitCode() == 128 {
			return nil, "", fmt.Errorf("rehydrate %s: %w: %w", where, ErrGone, err)
		}
		return nil, "", fmt.Errorf("rehydrate %s: %w", where, err)
	}
	msg, ok := git.MessageOf(raw)
	if !ok {
		return nil, "", fmt.Errorf("rehydrate %s: the object has no message: %w", where, ErrNoMatch)
	}
	return msg, where, nil
}

// readBlob reads the blob of w from its repository or clone.
func readBlob(ctx context.Context, w Where) ([]byte, string, error) {
	dir, err := repoDir(w)
	if err != nil {
		return nil, "", err
	}
	obj := w.Blob
	switch {
	case obj != "" && !isHex(obj):
		return nil, "", fmt.Errorf("rehydrate %s: blob %q is not an object id", w.Repository, obj)
	case obj == "" && (!isHex(w.Commit) || w.Path == ""):
		return nil, "", fmt.Errorf("rehydrate %s: no blob id, nor a commit and path", w.Repository)
	case obj == "":
		obj = w.Commit + ":" + w.Path
	}
	where := fmt.Sprintf("blob %s (%s) in %s", obj, w.Path, w.Repository)
	if _, err := os.Stat(dir); err != nil {
		return nil, "", fmt.Errorf("rehydrate %s: %w", where, errors.Join(ErrGone, err))
	}
	r := git.Runner{Dir: dir}
	data, err := r.Output(ctx, nil, "cat-file", "blob", obj)
	if err != nil {
		if ge := (*git.Error)(nil); errors.As(err, &ge) && ge.ExitCode() == 128 {
			return nil, "", fmt.Errorf("rehydrate %s: %w: %w", where, ErrGone, err)
		}
		return nil, "", fmt.Errorf("rehydrate %s: %w", where, err)
	}
	return data, where, nil
}

// readFile reads the file of w under its root.
func readFile(w Where) ([]byte, string, error) {
	if !filepath.IsLocal(filepath.FromSlash(w.Path)) {
		return nil, "", fmt.Errorf("rehydrate: path %q is not inside %s", w.Path, w.Repository)
	}
	p := filepath.Join(w.Repository, filepath.FromSlash(w.Path))
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("rehydrate file %s: %w", p, ErrGone)
	}
	if err != nil {
		return nil, "", fmt.Errorf("rehydrate file %s: %w", p, err)
	}
	return data, "file " + p, nil
}

func isHex(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	return strings.Trim(strings.ToLower(s), "0123456789abcdef") == ""
}
