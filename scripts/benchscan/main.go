// Command benchscan is the helper of scripts/bench.sh: it builds the benchmark corpora, times a
// command (wall time and peak RSS, without /usr/bin/time), checks that a report holds the planted
// tokens, and can scan a repository through the scanner package directly.
//
//	benchscan corpus history|delta DIR   build a bare repository (and DIR.planted)
//	benchscan time OUT -- CMD ARGS…      run CMD; write "wall_s peak_rss_kib exit_code cpu_s" to OUT
//	benchscan check REPORT PLANTED       count the planted (path, commit) pairs found in a JSON report
//	benchscan scan REPO                  scan REPO's history with the scanner package; print stats
//	                                     (BENCHSCAN_MODE=go-git: without the git binary)
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/patrolsec/patrol/detectors"
	"github.com/patrolsec/patrol/scanner"
	"github.com/patrolsec/patrol/scanner/git"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchscan:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: benchscan corpus|time|check|scan …")
	}
	switch args[0] {
	case "corpus":
		if len(args) != 3 {
			return errors.New("usage: benchscan corpus history|delta DIR")
		}
		switch args[1] {
		case "history":
			return historyCorpus(args[2])
		case "delta":
			return deltaCorpus(args[2])
		}
		return fmt.Errorf("corpus %q: want history or delta", args[1])
	case "time":
		if len(args) < 4 || args[2] != "--" {
			return errors.New("usage: benchscan time OUT -- CMD ARGS…")
		}
		return timeCmd(args[1], args[3:])
	case "check":
		if len(args) != 3 {
			return errors.New("usage: benchscan check REPORT PLANTED")
		}
		return check(args[1], args[2])
	case "scan":
		if len(args) != 2 {
			return errors.New("usage: benchscan scan REPO")
		}
		return scan(args[1])
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// timeCmd runs a command with stdout and stderr passed through and records its wall time and
// peak RSS (the largest of the process and its waited-for children, as /usr/bin/time reports).
func timeCmd(out string, argv []string) error {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return err
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss // KiB on Linux
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime() // with waited-for children
	return os.WriteFile(out, fmt.Appendf(nil, "%.3f %d %d %.3f\n", wall.Seconds(), rss, cmd.ProcessState.ExitCode(), cpu.Seconds()), 0o644)
}

// check reads a JSON report and counts the planted "path commit" lines that some finding's
// location matches.
func check(report, planted string) error {
	data, err := os.ReadFile(report)
	if err != nil {
		return err
	}
	found := map[string]bool{}
	// The report may be an object or an array, or JSON lines: walk every value.
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if err == io.EOF {
				break
			}
			return fmt.Errorf("%s: %w", report, err)
		}
		walk(v, func(m map[string]any) {
			if p, ok := m["path"].(string); ok {
				if c, ok := m["commit"].(string); ok {
					found[p+" "+c] = true
				}
			}
		})
	}
	want, err := os.ReadFile(planted)
	if err != nil {
		return err
	}
	n, hit := 0, 0
	var miss []string
	for _, l := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		if l == "" {
			continue
		}
		n++
		if found[l] {
			hit++
		} else {
			miss = append(miss, l)
		}
	}
	fmt.Printf("%d/%d planted tokens found", hit, n)
	if len(miss) > 0 {
		fmt.Printf(" (missing: %s)", strings.Join(miss, ", "))
	}
	fmt.Println()
	if hit != n {
		return errors.New("planted tokens missing")
	}
	return nil
}

func walk(v any, fn func(map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		fn(t)
		for _, x := range t {
			walk(x, fn)
		}
	case []any:
		for _, x := range t {
			walk(x, fn)
		}
	}
}

// scan runs the git source and the engine in process, as the CLI would.
func scan(repo string) error {
	ctx := context.Background()
	if p := os.Getenv("BENCHSCAN_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	opts := git.GitOptions{Repo: repo}
	if os.Getenv("BENCHSCAN_MODE") == "go-git" {
		opts.Mode = git.GitGoGit // time the fallback
	}
	src, err := git.OpenGit(ctx, opts)
	if err != nil {
		return err
	}
	e := scanner.NewEngine(detectors.All(), scanner.EngineOptions{Key: []byte("bench")})
	fs, st, err := scanner.Run(ctx, e, src, scanner.Options{})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(fs); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d blobs, %d MB, %d findings, skipped %v, %d errors, %s, %s, self peak RSS %s\n",
		st.Chunks, st.Bytes>>20, st.Findings, st.Skipped, len(st.Errors), st.Elapsed.Round(time.Millisecond), src.Backend(), selfPeakRSS())
	return nil
}

// selfPeakRSS reads VmHWM, this process's own peak RSS (children not included).
func selfPeakRSS() string {
	data, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

// --- corpora -------------------------------------------------------------------------------

// fastImport streams commits into a new bare repository through `git fast-import`.
type fastImport struct {
	dir   string
	cmd   *exec.Cmd
	w     *bufio.Writer
	in    io.WriteCloser
	mark  int
	clock int64
	marks string
}

func newFastImport(dir string) (*fastImport, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if out, err := exec.Command("git", "init", "-q", "--bare", "-b", "main", dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("git init: %v: %s", err, out)
	}
	f := &fastImport{dir: dir, clock: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), marks: dir + ".marks"}
	f.cmd = exec.Command("git", "fast-import", "--quiet", "--depth=50", "--export-marks="+f.marks)
	f.cmd.Dir = dir
	f.cmd.Env = append(os.Environ(), "GIT_DIR="+dir)
	f.cmd.Stderr = os.Stderr
	if f.in, err = f.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := f.cmd.Start(); err != nil {
		return nil, err
	}
	f.w = bufio.NewWriterSize(f.in, 1<<20)
	return f, nil
}

// blob writes a blob and returns its mark.
func (f *fastImport) blob(data []byte) int {
	f.mark++
	fmt.Fprintf(f.w, "blob\nmark :%d\ndata %d\n", f.mark, len(data))
	f.w.Write(data)
	f.w.WriteByte('\n')
	return f.mark
}

type change struct {
	path   string
	mark   int    // blob mark; 0 with data set means inline, -1 means delete
	data   []byte // inline content
	delete bool
}

// commit writes a commit on branch (parent: the branch's previous commit) and returns its mark.
func (f *fastImport) commit(branch, msg string, changes []change) int {
	f.mark++
	f.clock += 600
	who := fmt.Sprintf("Bench Author <bench@example.com> %d +0000", f.clock)
	fmt.Fprintf(f.w, "commit refs/heads/%s\nmark :%d\nauthor %s\ncommitter %s\ndata %d\n%s\n",
		branch, f.mark, who, who, len(msg), msg)
	for _, c := range changes {
		switch {
		case c.delete:
			fmt.Fprintf(f.w, "D %s\n", c.path)
		case c.mark > 0:
			fmt.Fprintf(f.w, "M 100644 :%d %s\n", c.mark, c.path)
		default:
			fmt.Fprintf(f.w, "M 100644 inline %s\ndata %d\n", c.path, len(c.data))
			f.w.Write(c.data)
			f.w.WriteByte('\n')
		}
	}
	f.w.WriteByte('\n')
	return f.mark
}

func (f *fastImport) tag(name string, mark int) {
	fmt.Fprintf(f.w, "reset refs/tags/%s\nfrom :%d\n\n", name, mark)
}

// finish ends the import, repacks, and returns mark → commit id. fast-import deltas each blob
// against the one written before it, which suits files written version after version (the delta
// corpus) but not a tree of many files; recompute (-f) then packs as a server or `git gc
// --aggressive` would.
func (f *fastImport) finish(recompute bool) (map[int]string, error) {
	if err := f.w.Flush(); err != nil {
		return nil, err
	}
	f.in.Close()
	if err := f.cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git fast-import: %w", err)
	}
	args := []string{"repack", "-adq"}
	if recompute {
		args = append(args, "-f", "--window=10", "--depth=50")
	}
	gc := exec.Command("git", args...)
	gc.Env = append(os.Environ(), "GIT_DIR="+f.dir)
	gc.Stderr = os.Stderr
	if err := gc.Run(); err != nil {
		return nil, fmt.Errorf("git repack: %w", err)
	}
	data, err := os.ReadFile(f.marks)
	if err != nil {
		return nil, err
	}
	os.Remove(f.marks)
	marks := map[int]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		m, id, ok := strings.Cut(l, " ")
		if !ok || !strings.HasPrefix(m, ":") {
			continue
		}
		n, _ := strconv.Atoi(m[1:])
		marks[n] = id
	}
	return marks, nil
}

type planted struct {
	path string
	mark int
}

func writePlanted(dir string, ps []planted, marks map[int]string) error {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s %s\n", p.path, marks[p.mark])
	}
	return os.WriteFile(dir+".planted", []byte(b.String()), 0o644)
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randBase62(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = base62[r.IntN(len(base62))]
	}
	return string(b)
}

// plantToken builds a synthetic, checksum-valid token (never a literal in the source).
func plantToken(r *rand.Rand, i int) string {
	if i%2 == 0 {
		body := randBase62(r, 30)
		return "ghp_" + body + detectors.CRC32Base62([]byte(body))
	}
	return detectors.ADOPAT(randBase62(r, 52), 2025, 7)
}

type module struct {
	path     string
	versions []string
	dirs     map[string]string
}

// historyCorpus commits successive released versions of a few Go modules, one commit per
// version (interleaved across modules, each under its module path), with small edits between
// versions (a line inserted into a source file), some of which plant a token.
func historyCorpus(dir string) error {
	mods := []*module{
		{path: "golang.org/x/tools"}, {path: "golang.org/x/net"}, {path: "golang.org/x/sys"},
		{path: "golang.org/x/text"}, {path: "github.com/prometheus/client_golang"},
	}
	const perModule, editsPerVersion = 30, 20
	var all []string
	for _, m := range mods {
		ls := exec.Command("go", "list", "-m", "-versions", m.path)
		ls.Dir = os.TempDir() // outside any module
		out, err := ls.Output()
		if err != nil {
			return fmt.Errorf("go list -m -versions %s: %w", m.path, err)
		}
		vs := strings.Fields(string(out))[1:]
		vs = slices.DeleteFunc(vs, func(v string) bool { return strings.Contains(v, "-") })
		if len(vs) > perModule {
			vs = vs[len(vs)-perModule:]
		}
		m.versions = vs
		for _, v := range vs {
			all = append(all, m.path+"@"+v)
		}
	}
	fmt.Fprintf(os.Stderr, "downloading %d module versions…\n", len(all))
	dl := exec.Command("go", append([]string{"mod", "download", "-json"}, all...)...)
	dl.Dir = os.TempDir()
	dl.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GO111MODULE=on")
	out, err := dl.Output()
	if err != nil {
		return fmt.Errorf("go mod download: %w", err)
	}
	dirs := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var v struct{ Path, Version, Dir, Error string }
		if err := dec.Decode(&v); err != nil {
			if err == io.EOF {
				break
			}
			return err
		}
		if v.Error != "" {
			return fmt.Errorf("download %s@%s: %s", v.Path, v.Version, v.Error)
		}
		dirs[v.Path+"@"+v.Version] = v.Dir
	}

	fi, err := newFastImport(dir)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	tree := map[string][]byte{} // path → current content (text files only, for edits)
	hashes := map[string]uint64{}
	var editable []string
	var plants []planted
	edit := 0
	for i := 0; ; i++ {
		any := false
		for _, m := range mods {
			if i >= len(m.versions) {
				continue
			}
			any = true
			v := m.versions[i]
			root := dirs[m.path+"@"+v]
			seen := map[string]bool{}
			var changes []change
			err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !d.Type().IsRegular() {
					return err
				}
				rel, _ := filepath.Rel(root, p)
				path := m.path + "/" + filepath.ToSlash(rel)
				data, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				seen[path] = true
				h := fnv64(data)
				if old, ok := hashes[path]; ok && old == h {
					return nil
				}
				if _, ok := hashes[path]; !ok && strings.HasSuffix(path, ".go") && len(data) < 100<<10 {
					editable = append(editable, path)
				}
				hashes[path] = h
				tree[path] = data
				changes = append(changes, change{path: path, data: data})
				return nil
			})
			if err != nil {
				return err
			}
			prefix := m.path + "/"
			for path := range hashes {
				if strings.HasPrefix(path, prefix) && !seen[path] {
					delete(hashes, path)
					delete(tree, path)
					changes = append(changes, change{path: path, delete: true})
				}
			}
			editable = slices.DeleteFunc(editable, func(p string) bool { _, ok := hashes[p]; return !ok })
			mark := fi.commit("main", fmt.Sprintf("%s: update to %s", m.path, v), changes)
			fi.tag(strings.NewReplacer("/", "-", ".", "-").Replace(m.path)+"-"+v, mark)
			// Small edits: insert a line into one or two source files.
			for range editsPerVersion {
				edit++
				var changes []change
				var plantedPath string
				for k := range 1 + r.IntN(2) {
					path := editable[r.IntN(len(editable))]
					data := tree[path]
					line := fmt.Sprintf("// edit %d: %s\n", edit, randBase62(r, 20))
					if k == 0 && edit%400 == 7 {
						line = fmt.Sprintf("var benchToken%d = %q\n", edit, plantToken(r, edit/400))
						plantedPath = path
					}
					at := bytes.LastIndexByte(data[:r.IntN(len(data)+1)], '\n') + 1
					nd := slices.Concat(data[:at], []byte(line), data[at:])
					tree[path] = nd
					hashes[path] = fnv64(nd)
					changes = append(changes, change{path: path, data: nd})
				}
				mark := fi.commit("main", fmt.Sprintf("edit %d", edit), changes)
				if plantedPath != "" {
					plants = append(plants, planted{plantedPath, mark})
				}
			}
		}
		if !any {
			break
		}
	}
	marks, err := fi.finish(true)
	if err != nil {
		return err
	}
	return writePlanted(dir, plants, marks)
}

func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// deltaCorpus makes the shape where blob-level scanning costs most: a few 1 MB JSON files,
// each rewritten (a few values changed) in most commits, so that distinct blob versions outweigh
// the changes a hundredfold.
func deltaCorpus(dir string) error {
	const (
		files   = 3
		records = 10000
		commits = 1000
	)
	r := rand.New(rand.NewPCG(3, 4))
	type rec struct {
		value   float64
		updated int64
		token   string
	}
	state := make([][]rec, files)
	for f := range state {
		state[f] = make([]rec, records)
		for i := range state[f] {
			state[f][i] = rec{value: r.Float64(), updated: 1640995200 + int64(i)}
		}
	}
	render := func(f int) []byte {
		var b bytes.Buffer
		b.WriteString("[\n")
		for i, x := range state[f] {
			fmt.Fprintf(&b, `  {"id": %d, "name": "item-%05d", "status": "active", "value": %.6f, "updated": %d`, i, i, x.value, x.updated)
			if x.token != "" {
				fmt.Fprintf(&b, `, "token": %q`, x.token)
			}
			b.WriteString("}")
			if i < len(state[f])-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("]\n")
		return b.Bytes()
	}
	// Decide the schedule, then write each file's versions consecutively so that fast-import
	// deltas each against the previous version of the same file, as git's packing would.
	touched := make([][]bool, commits)
	for c := range touched {
		touched[c] = make([]bool, files)
		if c == 0 {
			for f := range files {
				touched[c][f] = true
			}
			continue
		}
		for range 2 {
			touched[c][r.IntN(files)] = true
		}
	}
	type plant struct{ commit, file, rec, until int }
	plan := []plant{{300, 1, 777, 350}, {800, 2, 4000, commits}, {120, 0, 42, 121}}
	for _, p := range plan {
		touched[p.commit][p.file] = true
		if p.until < commits {
			touched[p.until][p.file] = true
		}
	}
	fi, err := newFastImport(dir)
	if err != nil {
		return err
	}
	blobMarks := make([][]int, commits)
	for c := range blobMarks {
		blobMarks[c] = make([]int, files)
	}
	for f := range files {
		for c := range commits {
			if !touched[c][f] {
				continue
			}
			if c > 0 {
				for range 5 {
					i := r.IntN(records)
					state[f][i].value = r.Float64()
					state[f][i].updated += int64(c)
				}
			}
			for k, p := range plan {
				if p.file == f && p.commit == c {
					state[f][p.rec].token = plantToken(r, k)
				}
				if p.file == f && p.until == c {
					state[f][p.rec].token = ""
				}
			}
			blobMarks[c][f] = fi.blob(render(f))
		}
	}
	var plants []planted
	for c := range commits {
		var changes []change
		for f := range files {
			if touched[c][f] {
				changes = append(changes, change{path: fmt.Sprintf("data/table-%c.json", 'a'+f), mark: blobMarks[c][f]})
			}
		}
		mark := fi.commit("main", fmt.Sprintf("data update %d", c), changes)
		for _, p := range plan {
			if p.commit == c {
				plants = append(plants, planted{fmt.Sprintf("data/table-%c.json", 'a'+p.file), mark})
			}
		}
	}
	marks, err := fi.finish(false)
	if err != nil {
		return err
	}
	return writePlanted(dir, plants, marks)
}
