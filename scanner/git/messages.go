package git

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/patrolsec/patrol/scanner"
)

// Commit and tag messages are content too: a token pasted into one stays in the history as
// surely as one in a file. Each distinct message is scanned once per scan (git does not share
// equal messages between objects, so they are hashed here), at the first commit of the history
// order that carries it. A finding in a message has Location.Kind KindCommitMessage or
// KindTagMessage, an empty Path and Blob, Commit set to the commit id (for a tag: the id of the
// tag object, not the commit it tags), and Offset/Length in the message text: the object's
// bytes after the blank line that ends its headers (MessageOf).

// MessageOf returns the message of a raw commit or tag object (as `git cat-file commit|tag`
// prints it): what follows the first empty line. ok is false when the object has no message
// part.
func MessageOf(raw []byte) (msg []byte, ok bool) {
	if bytes.HasPrefix(raw, []byte("\n")) {
		return raw[1:], true
	}
	i := bytes.Index(raw, []byte("\n\n"))
	if i < 0 {
		return nil, false
	}
	return raw[i+2:], true
}

// rawObject is one commit or tag object as read from the object store.
type rawObject struct {
	id   oid
	data []byte
}

// messageTarget is one object whose message the scan reads.
type messageTarget struct {
	id   oid
	kind string // scanner.KindCommitMessage or scanner.KindTagMessage
}

// messageTargets lists the commits of the index (in history order) and the annotated tags of
// the selection whose message is new to this scan: a tag on a scanned commit, or, in an
// incremental scan, a tag ref the cursor did not have (or had at another commit).
func (s *GitSource) messageTargets(idx *gitIndex) []messageTarget {
	var out []messageTarget
	scanned := make(map[oid]bool, len(idx.commits))
	for _, c := range idx.commits {
		if !scanned[c] {
			scanned[c] = true
			out = append(out, messageTarget{id: c, kind: scanner.KindCommitMessage})
		}
	}
	seen := map[oid]bool{}
	for _, r := range s.sel.refList {
		if r.tag == "" {
			continue
		}
		if _, ok := s.sel.tips[r.name]; !ok {
			continue
		}
		c, _ := parseOID(r.commit)
		newRef := len(s.opts.Cursor) > 0 && s.opts.Cursor[r.name] != r.commit
		if !scanned[c] && !newRef {
			continue
		}
		t, ok := parseOID(r.tag)
		if !ok || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, messageTarget{id: t, kind: scanner.KindTagMessage})
	}
	return out
}

// commitMessage is one commit's author and message as the history read them (execGit's
// history); text is valid during the call only.
type commitMessage struct {
	id     oid
	author gitCommit
	// encoding is the commit's encoding header; git re-encoded text to UTF-8 when it names
	// another (reencoded).
	encoding string
	text     []byte
}

// reencoded reports whether git re-encoded the message: its bytes are not the object's.
func (c commitMessage) reencoded() bool {
	e := strings.ToLower(c.encoding)
	return e != "" && e != "utf-8" && e != "utf8"
}

// messageScan yields the messages of one scan, each distinct text once.
type messageScan struct {
	repo string
	b    gitBackend // reads the objects of re-encoded commit messages
	seen map[[sha256.Size]byte]bool
}

func newMessageScan(repo string, b gitBackend) *messageScan {
	return &messageScan{repo: repo, b: b, seen: map[[sha256.Size]byte]bool{}}
}

// yield yields msg, the message of object id (a commit or tag: kind), unless it is blank or
// was yielded before. msg must stay unchanged: the chunk holds it.
func (m *messageScan) yield(id oid, kind string, who gitCommit, msg []byte, yield func(scanner.Chunk) error) error {
	if len(bytes.TrimSpace(msg)) == 0 {
		return nil
	}
	h := sha256.Sum256(msg)
	if m.seen[h] {
		return nil
	}
	m.seen[h] = true
	loc := scanner.Location{Source: scanner.SourceGit, Repository: m.repo, Commit: id.String(), Kind: kind,
		AuthorName: who.name, AuthorEmail: who.email}
	if !who.date.IsZero() {
		d := who.date
		loc.Date = &d
	}
	what := "commit message of "
	if kind == scanner.KindTagMessage {
		what = "tag message of "
	}
	return yield(scanner.Chunk{Data: msg, Name: what + id.String(), Locations: []scanner.Location{loc}})
}

// commit yields a commit message the history delivered (its text is copied), or, when git
// re-encoded it, the message read from the commit object.
func (m *messageScan) commit(ctx context.Context, c commitMessage, yield func(scanner.Chunk) error) error {
	if c.reencoded() {
		return m.b.objects(ctx, []oid{c.id}, func(o rawObject) error { return m.object(o, scanner.KindCommitMessage, yield) })
	}
	if len(bytes.TrimSpace(c.text)) == 0 {
		return nil
	}
	return m.yield(c.id, scanner.KindCommitMessage, c.author, bytes.Clone(c.text), yield)
}

// object yields the message of a raw commit or tag object.
func (m *messageScan) object(o rawObject, kind string, yield func(scanner.Chunk) error) error {
	msg, ok := MessageOf(o.data)
	if !ok {
		return nil
	}
	header := "author "
	if kind == scanner.KindTagMessage {
		header = "tagger "
	}
	return m.yield(o.id, kind, parsePerson(o.data, header), msg, yield)
}

// messages yields the message of every commit of idx (unless the history delivered them:
// idx.messagesRead) and of every selected annotated tag, through m.
func (s *GitSource) messages(ctx context.Context, idx *gitIndex, m *messageScan, yield func(scanner.Chunk) error) error {
	if idx == nil || s.sel == nil {
		return nil
	}
	targets := s.messageTargets(idx)
	if idx.messagesRead {
		tags := targets[:0]
		for _, t := range targets {
			if t.kind == scanner.KindTagMessage {
				tags = append(tags, t)
			}
		}
		targets = tags
	}
	if len(targets) == 0 {
		return nil
	}
	kinds := make(map[oid]string, len(targets))
	ids := make([]oid, len(targets))
	for i, t := range targets {
		ids[i], kinds[t.id] = t.id, t.kind
	}
	return s.b.objects(ctx, ids, func(o rawObject) error { return m.object(o, kinds[o.id], yield) })
}

// objects reads the raw commit and tag objects ids, in order: those in pack files in process
// (packObjects), the others (loose) with one `git cat-file --batch`.
func (g *execGit) objects(ctx context.Context, ids []oid, fn func(rawObject) error) error {
	return g.packObjects(ctx, ids, g.catObjects, fn)
}

// packObjects reads the raw commit and tag objects ids, in order: those in the pack files in
// process (the packs must be open: openPacksOnce), the others with slow.
func (g *packSet) packObjects(ctx context.Context, ids []oid, slow func(context.Context, []oid, func(rawObject) error) error, fn func(rawObject) error) error {
	if len(g.packs) == 0 {
		return slow(ctx, ids, fn)
	}
	r := newPackReader(g.packs, 0)
	read := func(id oid) ([]byte, bool) {
		p, off, ok := r.locate(id)
		if !ok {
			return nil, false
		}
		typ, data, err := r.object(p, off)
		if err != nil || (typ != objCommit && typ != objTag) {
			return nil, false // the slow path says what is wrong with it
		}
		return bytes.Clone(data), true
	}
	var loose []oid
	for _, id := range ids {
		if _, _, ok := r.locate(id); !ok {
			loose = append(loose, id)
		}
	}
	fromSlow := map[oid][]byte{}
	if len(loose) > 0 {
		err := slow(ctx, loose, func(o rawObject) error {
			fromSlow[o.id] = o.data
			return nil
		})
		if err != nil {
			return err
		}
	}
	for n, id := range ids {
		if n&255 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		data, ok := fromSlow[id]
		if !ok {
			if data, ok = read(id); !ok {
				if err := slow(ctx, []oid{id}, fn); err != nil {
					return err
				}
				continue
			}
		}
		if err := fn(rawObject{id: id, data: data}); err != nil {
			return err
		}
	}
	return nil
}

// catObjects reads the raw objects ids, in order, with one `git cat-file --batch`.
func (g *execGit) catObjects(ctx context.Context, ids []oid, fn func(rawObject) error) error {
	var in bytes.Buffer
	for _, c := range ids {
		in.WriteString(c.String() + "\n")
	}
	p, err := g.startCatFile(ctx, &in, "--batch")
	if err != nil {
		return err
	}
	rerr := func() error {
		for _, id := range ids {
			hdr, err := p.out.ReadSlice('\n')
			if err != nil {
				return fmt.Errorf("read messages of %s: %w", g.repo, err)
			}
			f := bytes.Fields(hdr)
			if len(f) != 3 {
				return fmt.Errorf("read messages of %s: object %s: %w", g.repo, id, ErrMissingObject)
			}
			size, err := strconv.Atoi(string(f[2]))
			if err != nil || size < 0 {
				return fmt.Errorf("read messages of %s: object %s: bad size %q", g.repo, id, f[2])
			}
			data := make([]byte, size+1) // and the newline cat-file adds
			if _, err := io.ReadFull(p.out, data); err != nil {
				return fmt.Errorf("read messages of %s: object %s: %w", g.repo, id, err)
			}
			if err := fn(rawObject{id: id, data: data[:size]}); err != nil {
				return err
			}
		}
		return nil
	}()
	return g.finishCatFile(p, rerr)
}

// objects reads the raw commit and tag objects ids, in order: from the packs in process
// (packObjects), else with go-git.
func (g *goGit) objects(ctx context.Context, ids []oid, fn func(rawObject) error) error {
	g.openPacksOnce()
	return g.packObjects(ctx, ids, g.storedObjects, fn)
}

// storedObjects reads the raw objects ids, in order, with go-git.
func (g *goGit) storedObjects(ctx context.Context, ids []oid, fn func(rawObject) error) error {
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		o, err := g.r.Storer.EncodedObject(plumbing.AnyObject, plumbing.Hash(id))
		if err != nil {
			return fmt.Errorf("read messages of %s: object %s: %w", g.repo, id, missingOr(err))
		}
		r, err := o.Reader()
		if err != nil {
			return fmt.Errorf("read messages of %s: object %s: %w", g.repo, id, err)
		}
		data, err := io.ReadAll(r)
		_ = r.Close()
		if err != nil {
			return fmt.Errorf("read messages of %s: object %s: %w", g.repo, id, err)
		}
		if err := fn(rawObject{id: id, data: data}); err != nil {
			return err
		}
	}
	return nil
}
