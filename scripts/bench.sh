#!/usr/bin/env bash
# bench.sh: patrol against the object-read floors and gitleaks on the same git histories, in one
# run. Prints wall time, MB/s (of distinct blob versions) and peak RSS of each, and the ratios
# the performance model asks for.
#
#   BENCH_REPO=path  benchmark this repository instead of the built corpora
#   BENCH_RUNS=N     runs per command, interleaved; the fastest wall time is kept (default 3)
#   BENCH_OUT=dir    work directory (default bench-out; corpora are cached under it)
#
# Without BENCH_REPO it builds (once, offline but for the Go module proxy) two corpora:
#   history  successive released versions of a few Go modules, one commit per version, with small
#            edits between them (about 3,150 commits), tokens planted at known commits;
#   delta    three 1 MB JSON files rewritten in most of 1,000 commits: distinct blob versions
#            outweigh the changes a hundredfold.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${BENCH_OUT:-bench-out}
# A go.mod makes the corpora (Go sources) a module of their own, outside ./... of patrol.
mkdir -p bench-out && { [ -f bench-out/go.mod ] || printf 'module benchout\n' > bench-out/go.mod; }
RUNS=${BENCH_RUNS:-3}
CORPUS_VERSION=3
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

go build -o "$OUT/benchscan" ./scripts/benchscan

if go build -o "$OUT/patrol" ./cmd/patrol 2>"$OUT/patrol-build.log"; then
	PATROL_KIND="patrol scan (CLI)"
	patrol_cmd() { PCMD=("$OUT/patrol" scan --format json --output "$2" "$1"); }
else
	echo "bench: cmd/patrol does not build (see $OUT/patrol-build.log); timing scripts/benchscan scan" >&2
	PATROL_KIND="benchscan scan (scanner package)"
	patrol_cmd() { PCMD=(sh -c "'$OUT/benchscan' scan '$1' > '$2'"); }
fi

GITLEAKS=$(command -v gitleaks || true)
if [ -z "$GITLEAKS" ] && [ -x "$(go env GOPATH)/bin/gitleaks" ]; then
	GITLEAKS=$(go env GOPATH)/bin/gitleaks
fi
if [ -z "$GITLEAKS" ]; then
	echo "bench: installing gitleaks v8.30.1 as its releases are built (-tags gore2regex)" >&2
	go install -tags gore2regex github.com/zricethezav/gitleaks/v8@v8.30.1
	GITLEAKS=$(go env GOPATH)/bin/gitleaks
fi

if [ -n "${BENCH_REPO:-}" ]; then
	REPOS=("$(cd "$BENCH_REPO" && pwd)")
else
	CORPUS=$OUT/corpus-v$CORPUS_VERSION
	mkdir -p "$CORPUS"
	REPOS=()
	for shape in history delta; do
		if [ ! -f "$CORPUS/$shape.git.planted" ]; then
			echo "bench: building the $shape corpus in $CORPUS/$shape.git" >&2
			start=$(date +%s)
			"$OUT/benchscan" corpus "$shape" "$CORPUS/$shape.git"
			echo "bench: built in $(($(date +%s) - start))s" >&2
		fi
		REPOS+=("$CORPUS/$shape.git")
	done
fi

# once NAME CMD…: run CMD once; keep per NAME the fastest wall time (W_NAME, with that run's
# CPU time C_NAME) and the largest peak RSS (R_NAME, KiB); RC is the exit code.
once() {
	local name=$1
	shift
	"$OUT/benchscan" time "$OUT/time.txt" -- "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr"
	local w r c cpu
	read -r w r c cpu <"$OUT/time.txt"
	RC=$c
	local bw="W_$name" br="R_$name" bc="C_$name"
	if [ -z "${!bw:-}" ] || awk "BEGIN{exit !($w < ${!bw})}"; then
		printf -v "$bw" '%s' "$w"
		printf -v "$bc" '%s' "$cpu"
	fi
	if ((r > ${!br:-0})); then printf -v "$br" '%s' "$r"; fi
}

ratio() { awk "BEGIN{ if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"; }
mbps() { awk "BEGIN{ if ($2 > 0) printf \"%.1f\", $1 / 1048576 / $2; else print \"-\" }"; }

status=0
for repo in "${REPOS[@]}"; do
	name=$(basename "$repo")
	commits=$(git -C "$repo" rev-list --all | wc -l)
	read -r blobs bytes < <(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
		awk '$1 == "blob" { n++; s += $2 } END { print n + 0, s + 0 }')
	# Warm the page cache so that every contender reads from memory.
	git -C "$repo" cat-file --batch-all-objects --batch-check >/dev/null

	patrol_cmd "$repo" "$OUT/patrol-$name.json"
	unset W_patrol W_catfile W_logp W_gitleaks R_patrol R_catfile R_logp R_gitleaks
	# Interleave the contenders, so that a burst of load on a shared machine hits them alike.
	for ((i = 0; i < RUNS; i++)); do
		once patrol "${PCMD[@]}"
		if ((RC > 1)); then
			echo "bench: patrol failed on $repo (exit $RC):" >&2
			cat "$OUT/patrol.stderr" >&2
			exit 1
		fi
		once catfile sh -c "git -C '$repo' cat-file --batch-all-objects --batch --unordered > '$OUT/floor-catfile.out'"
		once logp sh -c "git -C '$repo' log -p --all > '$OUT/floor-logp.out'"
		rm -f "$OUT/floor-catfile.out" "$OUT/floor-logp.out"
		once gitleaks "$GITLEAKS" git --report-path "$OUT/gitleaks-$name.json" --no-banner "$repo"
	done
	p_wall=$W_patrol p_rss=$R_patrol
	c_wall=$W_catfile g_wall=$W_gitleaks g_rss=$R_gitleaks l_wall=$W_logp

	echo
	echo "== $name: $commits commits, $blobs blobs, $((bytes / 1048576)) MiB of blob versions (best of $RUNS runs)"
	printf '%-34s %9s %9s %10s %12s\n' "" "wall (s)" "CPU (s)" "MB/s" "peak RSS"
	row() { printf '%-34s %9s %9s %10s %8d MiB\n' "$1" "$2" "$3" "$(mbps "$bytes" "$2")" "$(($4 / 1024))"; }
	row "$PATROL_KIND" "$W_patrol" "$C_patrol" "$R_patrol"
	row "floor: git cat-file --batch-all" "$W_catfile" "$C_catfile" "$R_catfile"
	row "floor: git log -p --all" "$W_logp" "$C_logp" "$R_logp"
	row "gitleaks git" "$W_gitleaks" "$C_gitleaks" "$R_gitleaks"
	speedup=$(ratio "$g_wall" "$p_wall")
	vsfloor=$(ratio "$p_wall" "$c_wall")
	vslogp=$(ratio "$p_wall" "$l_wall")
	rss=$(ratio "$p_rss" "$g_rss")
	echo "gitleaks / patrol wall:        ${speedup}x   (target >= 3)"
	if awk "BEGIN{exit !($c_wall < $g_wall)}"; then
		echo "patrol / cat-file floor wall:  ${vsfloor}    (target <= 1.5)"
	else
		echo "patrol / cat-file floor wall:  ${vsfloor}    (no target: the floor is not below gitleaks)"
	fi
	echo "patrol / git log -p wall:      ${vslogp}"
	echo "patrol / gitleaks peak RSS:    ${rss}    (target <= 1)"
	if awk "BEGIN{exit !($speedup < 3 || $rss > 1 || ($c_wall < $g_wall && $vsfloor > 1.5))}"; then
		echo "TARGETS MISSED on $name"
		status=1
	fi
	if [ -f "$repo.planted" ]; then
		"$OUT/benchscan" check "$OUT/patrol-$name.json" "$repo.planted" || status=1
	fi
done
exit $status
