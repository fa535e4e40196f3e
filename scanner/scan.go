package scanner

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Skip reasons, as counted in Stats.
const (
	SkipBinary   = "binary"
	SkipOversize = "oversize"
	// SkipSeen: the caller said the content was scanned before (an incremental git scan).
	SkipSeen = "seen"
)

// DefaultMaxSize is the default size above which a file or blob is skipped (and counted).
const DefaultMaxSize = 10 << 20

// Chunk is one piece of content a source hands to the engine.
type Chunk struct {
	// Data is the content. Sources must not modify it after yielding.
	Data []byte
	// Locations are where the content lives; a finding is reported at each (Line and Column
	// are filled in by the engine).
	Locations []Location
	// Blob is the content id (git blob hash); Run copies it into each finding's
	// Location.Blob. A Resolver may append "#" and data of its own, which its Resolve strips.
	Blob string
	// Name identifies the chunk in warnings and errors (a path, "blob <hash> (path)").
	Name string
	// Skipped, when set (SkipBinary, SkipOversize), says the source did not read the content;
	// Size is its size.
	Skipped string
	Size    int64
	// Err is a problem reading this chunk; the scan goes on and reports it.
	Err error
}

// Source yields the chunks of one scan target.
type Source interface {
	// Chunks calls yield for each chunk, stopping when yield returns an error or ctx is done.
	// An error it returns is fatal to the scan; per-chunk problems go in Chunk.Err.
	Chunks(ctx context.Context, yield func(Chunk) error) error
}

// Resolver is implemented by sources that learn where content lives only after it is scanned
// (git history: which commit and path introduced a blob). Resolve maps each finding, which
// carries its Blob, to one finding per location.
type Resolver interface {
	Resolve(ctx context.Context, findings []Finding) ([]Finding, error)
}

// Skip is one skipped chunk, for the summary.
type Skip struct {
	Name   string
	Reason string
	Size   int64
}

// Stats summarise a scan.
type Stats struct {
	// Chunks and Bytes count the content scanned (files, blobs); Messages the commit and tag
	// messages (chunks located at a Location.Kind of a message), which they leave out.
	Chunks   int64
	Messages int64
	Bytes    int64
	Skipped  map[string]int64
	Skips    []Skip // the first MaxListedSkips skipped chunks
	Findings int
	// Archives counts the archives looked inside, Members the members of theirs scanned
	// (their bytes are in Bytes).
	Archives int64
	Members  int64
	Errors   []error
	Elapsed  time.Duration
}

// MaxListedSkips bounds Stats.Skips.
const MaxListedSkips = 100

// Options configure Run.
type Options struct {
	// Workers is the number of scanning goroutines; zero means GOMAXPROCS.
	Workers int
	// MaxSize skips chunks larger than this many bytes; zero means DefaultMaxSize.
	MaxSize int64
	// Progress, when set, is called about twice a second with the running totals.
	Progress func(chunks, bytes int64)
	// MaxArchiveDepth is how many levels of archives to look inside (ArchiveLimits.MaxDepth);
	// zero means DefaultMaxArchiveDepth, a negative value turns archives off.
	MaxArchiveDepth int
}

// Run scans every chunk of src with e over a worker pool and returns the findings, sorted by
// location, and the stats. The findings found before an error are returned with it.
func Run(ctx context.Context, e *Engine, src Source, opts Options) ([]Finding, Stats, error) {
	start := time.Now()
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	var (
		mu       sync.Mutex
		findings []Finding
		st       = Stats{Skipped: map[string]int64{}}
		chunks   atomic.Int64
		messages atomic.Int64
		nbytes   atomic.Int64
		archives atomic.Int64
		members  atomic.Int64
	)
	depth := opts.MaxArchiveDepth
	if depth == 0 {
		depth = DefaultMaxArchiveDepth
	}
	lim := DefaultArchiveLimits(depth, maxSize)
	skip := func(c Chunk, reason string) {
		mu.Lock()
		defer mu.Unlock()
		st.Skipped[reason]++
		if len(st.Skips) < MaxListedSkips {
			st.Skips = append(st.Skips, Skip{Name: c.Name, Reason: reason, Size: c.Size})
		}
	}
	ch := make(chan Chunk, workers*4)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []Finding
			for c := range ch {
				emit := func(f Finding) {
					if c.Blob != "" {
						f.Location.Blob = c.Blob
					}
					local = append(local, f)
				}
				switch {
				case c.Err != nil:
					mu.Lock()
					st.Errors = append(st.Errors, c.Err)
					mu.Unlock()
					continue
				case c.Skipped != "":
					skip(c, c.Skipped)
					continue
				case int64(len(c.Data)) > maxSize:
					c.Size = int64(len(c.Data))
					skip(c, SkipOversize)
					continue
				case depth > 0 && IsArchive(c.Data):
					if ok, err := scanArchive(ctx, e, c, lim, skip, func(n int64) { members.Add(1); nbytes.Add(n) }, emit); ok {
						chunks.Add(1)
						archives.Add(1)
						if err != nil {
							mu.Lock()
							st.Errors = append(st.Errors, fmt.Errorf("%s: %w", c.Name, err))
							mu.Unlock()
						}
						continue
					}
					if IsBinary(c.Data) && UTF16(c.Data) == "" {
						c.Size = int64(len(c.Data))
						skip(c, SkipBinary)
						continue
					}
				case IsBinary(c.Data) && UTF16(c.Data) == "":
					c.Size = int64(len(c.Data))
					skip(c, SkipBinary)
					continue
				}
				if len(c.Locations) > 0 && c.Locations[0].Kind != "" {
					messages.Add(1)
				} else {
					chunks.Add(1)
					nbytes.Add(int64(len(c.Data)))
				}
				e.Scan(c.Data, c.Locations, emit)
			}
			mu.Lock()
			findings = append(findings, local...)
			mu.Unlock()
		}()
	}
	stopProgress := make(chan struct{})
	var progressDone sync.WaitGroup
	if opts.Progress != nil {
		progressDone.Add(1)
		go func() {
			defer progressDone.Done()
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-t.C:
					opts.Progress(chunks.Load(), nbytes.Load())
				case <-stopProgress:
					return
				}
			}
		}()
	}
	srcErr := src.Chunks(ctx, func(c Chunk) error {
		select {
		case ch <- c:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(ch)
	wg.Wait()
	close(stopProgress)
	progressDone.Wait()

	var err error
	if srcErr != nil {
		err = srcErr
	}
	if r, ok := src.(Resolver); ok && !errors.Is(err, context.Canceled) {
		resolved, rerr := r.Resolve(ctx, findings)
		if rerr != nil {
			err = errors.Join(err, fmt.Errorf("attribute findings: %w", rerr))
		} else {
			findings = firstIntroductions(joinMembers(resolved))
		}
	}
	findings = joinMembers(findings)
	SortFindings(findings)
	st.Chunks, st.Messages, st.Bytes = chunks.Load(), messages.Load(), nbytes.Load()
	st.Archives, st.Members = archives.Load(), members.Load()
	st.Findings = len(findings)
	st.Elapsed = time.Since(start)
	return findings, st, err
}

// SortFindings orders findings by repository, path, line, column, detector and commit, so
// reports are deterministic.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Location, fs[j].Location
		switch {
		case a.Repository != b.Repository:
			return a.Repository < b.Repository
		case a.Path != b.Path:
			return a.Path < b.Path
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Column != b.Column:
			return a.Column < b.Column
		case fs[i].DetectorID != fs[j].DetectorID:
			return fs[i].DetectorID < fs[j].DetectorID
		}
		return a.Commit < b.Commit
	})
}

// firstIntroductions keeps, for each secret at each path of a repository, the finding of the
// commit that introduced it there. A token that stays in a file while other lines change is in
// every later version of that blob; reporting each version would bury the one commit that
// matters (the one to rotate from and to notify about) under copies.
func firstIntroductions(fs []Finding) []Finding {
	type key struct{ fp, repo, path, kind string }
	best := map[key]int{}
	var out []Finding
	for _, f := range fs {
		k := key{f.Fingerprint, f.Location.Repository, f.Location.Path, f.Location.Kind}
		i, ok := best[k]
		if !ok {
			best[k] = len(out)
			out = append(out, f)
			continue
		}
		if earlier(f.Location, out[i].Location) {
			out[i] = f
		}
	}
	return out
}

// earlier orders git locations by commit date, then by commit id for determinism.
func earlier(a, b Location) bool {
	switch {
	case a.Date != nil && b.Date != nil && !a.Date.Equal(*b.Date):
		return a.Date.Before(*b.Date)
	case a.Date != nil && b.Date == nil:
		return true
	case a.Date == nil && b.Date != nil:
		return false
	}
	return a.Commit < b.Commit
}
