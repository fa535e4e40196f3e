#!/usr/bin/env bash
# bench-serve.sh: the steady resident memory of `patrol serve` watching 100 repositories.
#
# Builds patrol as releases are, makes (once, cached under bench-out/serve/) BENCH_REPOS (100)
# bare repositories with some history (40 commits over three branches, five tags), writes a
# patrol.yaml with one git: target (file:// URL) for each, a fresh store and clone cache, and
# starts `patrol serve` on it: the real process, not --once. It waits until every repository
# has been scanned (patrol_repositories on /metrics equals the count and the successful scans
# in patrol_scans_total reach it), then lets the service run SETTLE seconds (20) on its
# schedule (BENCH_SCHEDULE, "@every 10s": the repositories are rescanned, unchanged, while it
# is measured), and reads VmRSS from /proc/PID/status SAMPLES times (10), a second apart. It
# prints the median and largest VmRSS, VmHWM (the peak, set by the first full scans), and the
# process's CPU time; SIGTERM then stops it, which must exit 0.
#
# Usage: scripts/bench-serve.sh      env: BENCH_REPOS, BENCH_SCHEDULE, SETTLE, SAMPLES, and
#                                    PATROL=path to time that binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."

REPOS=${BENCH_REPOS:-100}
SCHEDULE=${BENCH_SCHEDULE:-@every 10s}
SETTLE=${SETTLE:-20}
SAMPLES=${SAMPLES:-10}
OUT=bench-out/serve
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
FLEET=$OUT/fleet-$REPOS-v1
RUN=$OUT/run
# Nothing of the user's: git config, patrol's key, cache and data directories stay under OUT.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export XDG_CONFIG_HOME=$OUT/xdg/config XDG_CACHE_HOME=$OUT/xdg/cache XDG_DATA_HOME=$OUT/xdg/data

PATROL=${PATROL:-}
if [ -z "$PATROL" ]; then
	CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$OUT/patrol" ./cmd/patrol
	PATROL=$OUT/patrol
fi

if [ ! -f "$FLEET/.done" ]; then
	echo "bench-serve: building $REPOS repositories in $FLEET" >&2
	rm -rf "$FLEET"
	tmpl=$FLEET/template
	git init -q -b main "$tmpl"
	for i in $(seq 0 39); do
		case $i in
		15) git -C "$tmpl" checkout -q -b release ;;
		25) git -C "$tmpl" checkout -q -b feature main ;;
		35) git -C "$tmpl" checkout -q main ;;
		esac
		mkdir -p "$tmpl/src"
		for j in 0 1 2; do
			f=$(printf 'file-%02d.txt' $(((i * 3 + j) % 30)))
			for k in $(seq 1 40); do echo "line $k of change $i: $RANDOM$RANDOM$RANDOM"; done >"$tmpl/src/$f"
		done
		git -C "$tmpl" add .
		git -C "$tmpl" commit -qm "change $i"
		if [ $((i % 8)) -eq 7 ]; then git -C "$tmpl" tag "v0.$((i / 8)).0"; fi
	done
	for n in $(seq -f '%03g' 0 $((REPOS - 1))); do
		git clone -q --bare --no-local "$tmpl" "$FLEET/repo-$n.git"
	done
	touch "$FLEET/.done"
fi

rm -rf "$RUN"
mkdir -p "$RUN"
{
	echo "fingerprint_key_file: $RUN/fingerprint.key"
	echo "store: {driver: sqlite, dsn: $RUN/patrol.db}"
	echo "serve:"
	echo "  listen: 127.0.0.1:0"
	echo "  clone_dir: $RUN/repos"
	echo "  schedule: \"$SCHEDULE\""
	echo "targets:"
	for n in $(seq -f '%03g' 0 $((REPOS - 1))); do
		echo "  - git: {url: \"file://$FLEET/repo-$n.git\"}"
	done
} >"$RUN/patrol.yaml"

start=$(date +%s.%N)
"$PATROL" serve -c "$RUN/patrol.yaml" --log-format json 2>"$RUN/serve.log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null || true' EXIT

# The address, from the line serve prints on start.
addr=
for _ in $(seq 1 100); do
	addr=$(grep -o 'listening on http://[0-9.:]*' "$RUN/serve.log" | head -1 | sed 's|.*http://||') || true
	[ -n "$addr" ] && break
	kill -0 $PID 2>/dev/null || { cat "$RUN/serve.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$addr" ] || { echo "bench-serve: serve did not say where it listens" >&2; exit 1; }

# metric NAME [LABEL_FILTER]: the sum of a metric's samples whose labels match the filter.
metric() {
	curl -fsS "http://$addr/metrics" | awk -v name="$1" -v filter="${2:-}" '
		index($0, name) == 1 && (substr($0, length(name) + 1, 1) == "{" || substr($0, length(name) + 1, 1) == " ") &&
		(filter == "" || index($0, filter) > 0) { s += $NF }
		END { printf "%d\n", s }'
}

while :; do
	kill -0 $PID 2>/dev/null || { echo "bench-serve: serve exited" >&2; tail -20 "$RUN/serve.log" >&2; exit 1; }
	if [ "$(metric patrol_scans_total 'outcome="error"')" -gt 0 ]; then
		echo "bench-serve: a scan failed" >&2
		grep '"level":"ERROR"' "$RUN/serve.log" | head -5 >&2
		exit 1
	fi
	repos=$(metric patrol_repositories)
	ok=$(metric patrol_scans_total 'outcome="ok"')
	[ "$repos" -eq "$REPOS" ] && [ "$ok" -ge "$REPOS" ] && break
	sleep 0.2
done
# cpu: seconds of user+sys of serve itself and of its waited-for children (git), from
# /proc/PID/stat.
ticks=$(getconf CLK_TCK)
cpu() { awk -v t="$ticks" '{printf "%.2f %.2f\n", ($14 + $15) / t, ($16 + $17) / t}' /proc/$PID/stat; }
scanned=$(date +%s.%N)
read -r self children < <(cpu)
printf 'bench-serve: %d repositories scanned %.1f s after start; CPU so far: serve %.2f s, its git children %.2f s\n' \
	"$REPOS" "$(echo "$scanned - $start" | bc)" "$self" "$children"

sleep "$SETTLE"
ok0=$(metric patrol_scans_total 'outcome="ok"')
read -r self0 children0 < <(cpu)
t0=$(date +%s.%N)
rss=()
for _ in $(seq 1 "$SAMPLES"); do
	rss+=("$(awk '/^VmRSS:/ {print $2}' /proc/$PID/status)")
	sleep 1
done
t1=$(date +%s.%N)
read -r self1 children1 < <(cpu)
hwm=$(awk '/^VmHWM:/ {print $2}' /proc/$PID/status)
ok=$(metric patrol_scans_total 'outcome="ok"')
sorted=$(printf '%s\n' "${rss[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
largest=$(echo "$sorted" | tail -1)
printf 'bench-serve: steady VmRSS, %d samples after %d s more on schedule "%s": median %.1f MiB, max %.1f MiB; VmHWM %.1f MiB\n' \
	"$SAMPLES" "$SETTLE" "$SCHEDULE" "$(echo "$median / 1024" | bc -l)" "$(echo "$largest / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)"
printf 'bench-serve: while sampled (%.1f s, %d unchanged scans): CPU serve %.2f s, git children %.2f s\n' \
	"$(echo "$t1 - $t0" | bc)" "$((ok - ok0))" "$(echo "$self1 - $self0" | bc)" "$(echo "$children1 - $children0" | bc)"

trap - EXIT
kill -TERM $PID
if wait $PID; then
	echo "bench-serve: serve stopped on SIGTERM, exit 0"
else
	rc=$?
	echo "bench-serve: serve exited $rc on SIGTERM" >&2
	exit 1
fi
