package service_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/patrolsec/patrol/scanner/git"
	"github.com/patrolsec/patrol/service"
	"github.com/patrolsec/patrol/service/targets"
	"github.com/patrolsec/patrol/store"
)

// TestServeIncrementalScans runs the scheduled scan of one git target (a file:// URL of a
// bare repository, mirrored under clone_dir) through the history changes a cursor must
// handle. Each step checks what the scan read — the blobs and bytes it scanned, from the
// service's own log line and patrol_scanned_bytes_total — and that the stored cursor is the
// upstream's refs afterwards, stamped with the scan's time.
func TestServeIncrementalScans(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, t.TempDir(), "app.git")
	lister, err := targets.NewGit(up.fileURL())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { // a minute per reading, so that every scan has its own time
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Minute)
		return clock
	}
	r := newRig(t, rigOptions{targets: []service.Target{{Lister: lister}}, now: now})
	ctx := t.Context()
	if err := r.svc.Sweep(ctx); err != nil { // enumerates only: the queue is not started
		t.Fatal(err)
	}
	key := up.fileURL()

	// content is a file body no other file shares, so that each one is its own blob.
	content := func(name string) string { return name + " " + rand.Text() + "\n" }
	size := func(paths ...string) int64 {
		var n int64
		for _, p := range paths {
			_, s := up.blob(p)
			n += s
		}
		return n
	}

	// recorded checks that the store records the blobs at paths (in the work tree's HEAD) as
	// scanned in this repository: what a rewritten history is not scanned for again.
	recorded := func(t *testing.T, paths ...string) {
		t.Helper()
		var ids []string
		for _, p := range paths {
			id, _ := up.blob(p)
			ids = append(ids, id)
		}
		got, err := r.st.Scanned(ctx, key, ids)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			if !got[id] {
				t.Errorf("blob of %s (%s) not recorded as scanned", paths[i], id)
			}
		}
	}

	var lastScanned time.Time
	scan := func(t *testing.T, wantBlobs int, wantBytes int64) {
		t.Helper()
		before := r.metric(`patrol_scanned_bytes_total{}`)
		okBefore := r.metric(`patrol_scans_total{outcome="ok",trigger="schedule"}`)
		if err := r.svc.Scan(ctx, service.ScanArgs{Repository: key, Trigger: service.TriggerSchedule}); err != nil {
			t.Fatalf("Scan = %v", err)
		}
		blobs, bytes := r.log.scanned(key)
		if len(blobs) == 0 {
			t.Fatal("the scan logged no \"scanned\" line")
		}
		if got := blobs[len(blobs)-1]; got != int64(wantBlobs) {
			t.Errorf("scan read %d blobs, want %d", got, wantBlobs)
		}
		if got := bytes[len(bytes)-1]; got != wantBytes {
			t.Errorf("scan read %d bytes, want %d", got, wantBytes)
		}
		if got := r.metric(`patrol_scanned_bytes_total{}`) - before; got != float64(wantBytes) {
			t.Errorf("patrol_scanned_bytes_total grew by %v, want %d", got, wantBytes)
		}
		if got := r.metric(`patrol_scans_total{outcome="ok",trigger="schedule"}`) - okBefore; got != 1 {
			t.Errorf("patrol_scans_total{schedule,ok} grew by %v, want 1", got)
		}
		c := r.cursor(key)
		if diff := cmp.Diff(up.refs(), c.Refs); diff != "" {
			t.Errorf("cursor after the scan (-upstream +stored):\n%s", diff)
		}
		if !c.ScannedAt.After(lastScanned) {
			t.Errorf("cursor ScannedAt = %v, not after the previous scan's %v", c.ScannedAt, lastScanned)
		}
		lastScanned = c.ScannedAt
	}

	// The steps share one repository and run in order.
	t.Run("first scan reads the whole history", func(t *testing.T) {
		up.commit("a", map[string]string{"a.txt": content("a"), "b.txt": content("b")})
		up.commit("b", map[string]string{"c.txt": content("c")})
		up.git("checkout", "-q", "-b", "feature")
		up.commit("feature", map[string]string{"d.txt": content("d")})
		up.push("main", "feature")
		scan(t, 4, size("a.txt", "b.txt", "c.txt", "d.txt"))
		mirror, err := git.CachePath(r.cloneDir, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(mirror); err != nil {
			t.Errorf("no mirror under clone_dir: %v", err)
		}
	})
	t.Run("unchanged repository scans nothing", func(t *testing.T) {
		scan(t, 0, 0)
	})
	t.Run("a push scans only the pushed blobs", func(t *testing.T) {
		up.git("checkout", "-q", "main")
		up.commit("e", map[string]string{"e.txt": content("e"), "f.txt": content("f")})
		up.push("main")
		scan(t, 2, size("e.txt", "f.txt"))
		recorded(t, "a.txt", "b.txt", "c.txt", "e.txt", "f.txt")
	})
	t.Run("a force push scans only the new commits' new blobs", func(t *testing.T) {
		// feature is rewritten: its commit amended to add g.txt; d.txt's blob is the one
		// scanned before.
		up.git("checkout", "-q", "feature")
		up.commit("feature, amended", map[string]string{"g.txt": content("g")})
		up.git("reset", "-q", "--soft", "HEAD~2")
		up.git("commit", "-q", "-m", "feature, rewritten")
		up.push("--force", "feature")
		scan(t, 1, size("g.txt"))
		recorded(t, "d.txt", "g.txt")
	})
	t.Run("a deleted branch scans nothing and leaves the cursor", func(t *testing.T) {
		up.git("checkout", "-q", "main")
		up.push(":feature")
		scan(t, 0, 0)
		if _, ok := r.cursor(key).Refs["refs/heads/feature"]; ok {
			t.Error("the deleted branch is still in the cursor")
		}
	})
	t.Run("history that brings back scanned blobs scans nothing", func(t *testing.T) {
		// A new branch whose commit holds only blobs scanned on the deleted branch: no old
		// tip reaches them, the store's record of scanned blobs does.
		up.git("checkout", "-q", "-b", "again", "main")
		up.git("checkout", "-q", "feature", "--", "d.txt", "g.txt")
		up.commit("bring back", nil)
		up.push("again")
		scan(t, 0, 0)
	})
	t.Run("a new tag on a scanned commit scans nothing", func(t *testing.T) {
		up.git("tag", "v1", "main")
		up.push("v1")
		scan(t, 0, 0)
	})
}

// TestServeInterruptedScanKeepsCursor: a scan stopped while its clone is in flight (the
// service shutting down) records nothing — no finding, no cursor, no half-made mirror — and
// is counted as canceled; the next scan reads the whole history and finds the token.
func TestServeInterruptedScanKeepsCursor(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	up := newUpstream(t, root, "acme/app.git")
	up.commit("ci", map[string]string{"ci.env": "GITHUB_TOKEN=" + ghToken(t) + "\n"})
	up.push("main")
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := gitServer(t, root, "", func(r *http.Request) {
		if r.Method == http.MethodPost {
			once.Do(func() { close(held); <-release })
		}
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	key := srv.URL + "/acme/app.git"
	lister, err := targets.NewGit(key)
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, rigOptions{targets: []service.Target{{Lister: lister}}})
	if err := r.svc.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- r.svc.Scan(ctx, service.ScanArgs{Repository: key, Trigger: service.TriggerSchedule}) }()
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the scan never fetched")
	}
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("interrupted Scan = nil error, want the cancellation")
	}
	close(release)
	if c := r.cursor(key); c.Refs != nil {
		t.Errorf("cursor after an interrupted scan = %v, want none", c.Refs)
	}
	if fs, err := r.st.Findings(t.Context(), store.Query{}); err != nil || len(fs) != 0 {
		t.Errorf("findings after an interrupted scan = %d (%v), want none", len(fs), err)
	}
	if got := dirEntries(t, r.cloneDir); len(got) != 0 {
		t.Errorf("clone_dir after an interrupted clone = %v, want empty", got)
	}
	if n := r.metric(`patrol_scans_total{outcome="canceled",trigger="schedule"}`); n != 1 {
		t.Errorf("patrol_scans_total{schedule,canceled} = %v, want 1", n)
	}

	if err := r.svc.Scan(t.Context(), service.ScanArgs{Repository: key, Trigger: service.TriggerSchedule}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(up.refs(), r.cursor(key).Refs); diff != "" {
		t.Errorf("cursor after the next scan (-upstream +stored):\n%s", diff)
	}
	if f := onlyFinding(t, r.st); f.DetectorID != "github-classic-pat" {
		t.Errorf("finding = %s, want the pushed GitHub token", f.DetectorID)
	}
}
