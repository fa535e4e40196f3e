package hook

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/patrolsec/patrol/scanner/git"
)

// Update is one ref a push changes, as git writes it on a pre-push hook's stdin:
// "<local ref> <local sha> <remote ref> <remote sha>".
type Update struct {
	LocalRef, LocalSHA, RemoteRef, RemoteSHA string
}

// Deletes reports whether the update deletes the remote ref (the local id is all zeros):
// nothing is sent.
func (u Update) Deletes() bool { return isZeroID(u.LocalSHA) }

// Creates reports whether the remote ref does not exist yet (the remote id is all zeros).
func (u Update) Creates() bool { return isZeroID(u.RemoteSHA) }

func isZeroID(s string) bool { return strings.Trim(s, "0") == "" }

// isObjectID reports whether s is a full SHA-1 or SHA-256 object id in hex.
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// maxUpdateLine bounds a line of pre-push input (ref names are short; this is generous).
const maxUpdateLine = 64 << 10

// ParseUpdates reads the updates git passes to a pre-push hook. Blank lines are skipped; any
// other line that is not four fields with two full hex object ids is ErrBadUpdate.
func ParseUpdates(r io.Reader) ([]Update, error) {
	var out []Update
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxUpdateLine)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 || !isObjectID(f[1]) || !isObjectID(f[3]) {
			return nil, fmt.Errorf("pre-push input line %d: %w: %.80q", n, ErrBadUpdate, line)
		}
		out = append(out, Update{LocalRef: f[0], LocalSHA: f[1], RemoteRef: f[2], RemoteSHA: f[3]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("pre-push input: %w", err)
	}
	return out, nil
}

// Range returns the commits a push sends that the remote does not have: the local tips of the
// updates, and the commits to leave out with their history. For an update of an existing
// remote ref that is its old tip; for a new ref (or an old tip this repository has never
// fetched) it is every remote-tracking ref, since the remote's other branches are not known
// here. Deletions send nothing. It runs at most two git processes in dir.
func Range(ctx context.Context, dir string, updates []Update) (tips, exclude []string, err error) {
	seen := map[*[]string]map[string]bool{&tips: {}, &exclude: {}}
	add := func(list *[]string, id string) {
		if !seen[list][id] {
			seen[list][id] = true
			*list = append(*list, id)
		}
	}
	var old []string
	unknown := false // a new ref, or an old tip not here
	for _, u := range updates {
		switch {
		case u.Deletes():
			continue
		case u.Creates():
			unknown = true
		default:
			old = append(old, u.RemoteSHA)
		}
		add(&tips, u.LocalSHA)
	}
	if len(tips) == 0 {
		return nil, nil, nil
	}
	if len(old) > 0 {
		have, err := haveObjects(ctx, dir, old)
		if err != nil {
			return nil, nil, err
		}
		for _, id := range old {
			if have[id] {
				add(&exclude, id)
			} else {
				unknown = true
			}
		}
	}
	if unknown {
		out, err := gitOutput(ctx, dir, nil, "for-each-ref", "--format=%(objectname)", "refs/remotes/")
		if err != nil {
			return nil, nil, fmt.Errorf("remote-tracking refs: %w", err)
		}
		for _, id := range strings.Fields(string(out)) {
			add(&exclude, id)
		}
	}
	return tips, exclude, nil
}

// haveObjects reports which of ids the repository has, with one `git cat-file --batch-check`.
func haveObjects(ctx context.Context, dir string, ids []string) (map[string]bool, error) {
	out, err := gitOutput(ctx, dir, strings.NewReader(strings.Join(ids, "\n")+"\n"), "cat-file", "--batch-check")
	if err != nil {
		return nil, fmt.Errorf("remote tips: %w", err)
	}
	have := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) == 3 {
			have[f[0]] = true
		}
	}
	return have, nil
}

// gitOutput runs git in dir with the inherited environment (inside a hook it names the
// repository) and returns its stdout.
func gitOutput(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	r := git.Runner{Dir: dir, Inherit: true}
	return r.Output(ctx, stdin, args...)
}
