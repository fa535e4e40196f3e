package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/store"
)

func (x *suite) testCursors(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, c := x.store(t)
	const other = "/srv/repos/legacy"
	if got, err := s.Cursor(ctx, repo); err != nil || got.Refs != nil || !got.ScannedAt.IsZero() {
		t.Errorf("Cursor(never scanned) = %+v, %v; want the zero Cursor", got, err)
	}
	if got, err := s.Cursors(ctx); err != nil || len(got) != 0 {
		t.Errorf("Cursors(empty store) = %+v, %v; want none", got, err)
	}

	first := store.Cursor{Repository: repo, ScannedAt: T0.Add(time.Hour), Refs: map[string]string{
		"refs/heads/main": blobID(1), "refs/tags/v1.0": strings.Repeat("ab", 32), // SHA-256 repositories too
	}}
	if err := s.SaveCursor(ctx, first); err != nil {
		t.Fatal(err)
	}
	c.Set(T0.Add(30 * time.Minute))
	local := store.Cursor{Repository: other, Refs: map[string]string{"HEAD": blobID(9)}} // ScannedAt from the clock
	if err := s.SaveCursor(ctx, local); err != nil {
		t.Fatal(err)
	}
	local.ScannedAt = T0.Add(30 * time.Minute)
	if got, err := s.Cursor(ctx, repo); err != nil || !cmp.Equal(got, first) {
		t.Errorf("Cursor = %v; (-want +got):\n%s", err, cmp.Diff(first, got))
	}
	// Oldest ScannedAt first.
	if got, err := s.Cursors(ctx); err != nil || !cmp.Equal(got, []store.Cursor{local, first}) {
		t.Errorf("Cursors = %v; (-want +got):\n%s", err, cmp.Diff([]store.Cursor{local, first}, got))
	}

	// Saving replaces, refs included: a deleted branch is gone from the cursor.
	next := store.Cursor{Repository: repo, ScannedAt: T0.Add(2 * time.Hour), Refs: map[string]string{"refs/heads/main": blobID(2)}}
	if err := s.SaveCursor(ctx, next); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Cursor(ctx, repo); err != nil || !cmp.Equal(got, next) {
		t.Errorf("Cursor after replace = %v; (-want +got):\n%s", err, cmp.Diff(next, got))
	}
	// An empty repository (no refs yet) is a cursor with empty Refs, not "never scanned".
	empty := store.Cursor{Repository: "https://github.com/contoso/empty", ScannedAt: T0}
	if err := s.SaveCursor(ctx, empty); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Cursor(ctx, empty.Repository); err != nil || got.Refs == nil || len(got.Refs) != 0 || !got.ScannedAt.Equal(T0) {
		t.Errorf("Cursor(empty refs) = %+v, %v; want empty, non-nil Refs", got, err)
	}
}

func (x *suite) testCursorInvalid(t *testing.T) {
	t.Parallel()
	s, _ := x.store(t)
	tests := []struct {
		name string
		c    store.Cursor
	}{
		{"no repository", store.Cursor{Refs: map[string]string{"refs/heads/main": blobID(1)}}},
		{"credentials in URL", store.Cursor{Repository: "https://oauth2:abc@gitlab.com/contoso/app"}},
		{"token as user", store.Cursor{Repository: "https://ghp_x@github.com/contoso/app"}},
		{"raw token as commit", store.Cursor{Repository: repo, Refs: map[string]string{"refs/heads/main": "ghp_" + strings.Repeat("z", 36)}}},
		{"short commit", store.Cursor{Repository: repo, Refs: map[string]string{"refs/heads/main": "0123abc"}}},
		{"upper-case commit", store.Cursor{Repository: repo, Refs: map[string]string{"refs/heads/main": strings.ToUpper(blobID(0xabc))}}},
		{"empty ref name", store.Cursor{Repository: repo, Refs: map[string]string{"": blobID(1)}}},
		{"newline in ref name", store.Cursor{Repository: repo, Refs: map[string]string{"refs/heads/a\nb": blobID(1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := s.SaveCursor(t.Context(), tt.c); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("SaveCursor = %v, want ErrInvalid", err)
			}
		})
	}
	// An ssh URL names its user, which is no secret.
	const ssh = "ssh://git@github.com/contoso/app.git"
	if err := s.SaveCursor(t.Context(), store.Cursor{Repository: ssh}); err != nil {
		t.Errorf("SaveCursor(ssh URL) = %v", err)
	}
	t.Cleanup(func() {
		if cs, err := s.Cursors(context.Background()); err != nil || len(cs) != 1 || cs[0].Repository != ssh {
			t.Errorf("Cursors after invalid saves = %+v, %v; want only %s", cs, err, ssh)
		}
	})
}

func (x *suite) testScannedBlobs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	const other = "/srv/repos/legacy"
	if got, err := s.Scanned(ctx, repo, []string{blobID(1)}); err != nil || len(got) != 0 {
		t.Errorf("Scanned(nothing marked) = %v, %v; want none", got, err)
	}
	// More ids than one query's parameters, marked twice over (idempotent).
	var marked, asked []string
	want := map[string]bool{}
	for n := range 1200 {
		marked = append(marked, blobID(n))
		if n%3 == 0 {
			asked = append(asked, blobID(n))
			want[blobID(n)] = true
		}
	}
	asked = append(asked, blobID(5000), strings.Repeat("cd", 32))
	for range 2 {
		if err := s.MarkScanned(ctx, repo, marked); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.MarkScanned(ctx, repo, nil); err != nil {
		t.Errorf("MarkScanned(none) = %v", err)
	}
	got, err := s.Scanned(ctx, repo, asked)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Scanned (-want +got):\n%s", d)
	}
	// Per repository.
	if got, err := s.Scanned(ctx, other, asked); err != nil || len(got) != 0 {
		t.Errorf("Scanned(other repository) = %d, %v; want none", len(got), err)
	}
	sha256 := strings.Repeat("ef", 32)
	if err := s.MarkScanned(ctx, other, []string{sha256, sha256}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Scanned(ctx, other, []string{sha256, blobID(0)}); err != nil || !cmp.Equal(got, map[string]bool{sha256: true}) {
		t.Errorf("Scanned(other, sha256) = %v, %v", got, err)
	}
	if got, err := s.Scanned(ctx, repo, nil); err != nil || len(got) != 0 {
		t.Errorf("Scanned(no ids) = %v, %v; want none", got, err)
	}
}

func (x *suite) testScannedBlobsInvalid(t *testing.T) {
	t.Parallel()
	s, _ := x.store(t)
	tests := []struct {
		name  string
		repo  string
		blobs []string
	}{
		{"no repository", "", []string{blobID(1)}},
		{"credentials in URL", "https://u:p@github.com/contoso/app", []string{blobID(1)}},
		{"raw token as blob", repo, []string{blobID(1), "ghp_" + strings.Repeat("q", 36)}},
		{"empty blob", repo, []string{""}},
		{"upper-case blob", repo, []string{strings.ToUpper(blobID(0xabc))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := s.MarkScanned(t.Context(), tt.repo, tt.blobs); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("MarkScanned = %v, want ErrInvalid", err)
			}
			if _, err := s.Scanned(t.Context(), tt.repo, tt.blobs); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Scanned = %v, want ErrInvalid", err)
			}
		})
	}
	t.Cleanup(func() {
		// The valid id before the invalid one was not recorded either.
		if got, err := s.Scanned(context.Background(), repo, []string{blobID(1)}); err != nil || len(got) != 0 {
			t.Errorf("Scanned after invalid marks = %v, %v; want none", got, err)
		}
	})
}

func (x *suite) testDeliveries(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := x.store(t)
	steps := []struct {
		source, id string
		want       bool
	}{
		{"github", "72d3162e-cc78-11e3-81ab-4c9367dc0958", true},
		{"github", "72d3162e-cc78-11e3-81ab-4c9367dc0958", false}, // redelivery
		{"gitlab", "72d3162e-cc78-11e3-81ab-4c9367dc0958", true},  // another source's id space
		{"azuredevops", "1", true},
		{"github", "72d3162e-cc78-11e3-81ab-4c9367dc0959", true},
		{"azuredevops", "1", false},
	}
	for _, st := range steps {
		got, err := s.RecordDelivery(ctx, st.source, st.id, T0)
		if err != nil || got != st.want {
			t.Errorf("RecordDelivery(%s, %s) = %v, %v; want %v", st.source, st.id, got, err, st.want)
		}
	}
	for _, bad := range []struct{ source, id string }{{"", "1"}, {"github", ""}, {"github", strings.Repeat("x", 257)}, {strings.Repeat("s", 65), "1"}} {
		if _, err := s.RecordDelivery(ctx, bad.source, bad.id, T0); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("RecordDelivery(%q, %d-byte id) = %v, want ErrInvalid", bad.source, len(bad.id), err)
		}
	}
}
