#!/usr/bin/env bash
# bench-hook.sh: how long a pre-commit check takes, start to exit, on a big repository.
#
# Builds (once, cached under bench-out/hook/) a repository of BENCH_FILES files (50,000) and
# BENCH_COMMITS commits (10,000) with git fast-import, stages a 1,000-line change holding one
# synthetic token, and times the whole process RUNS times (30) for
#   patrol scan --staged                   (this tree, built as releases are)
#   gitleaks git --pre-commit --staged     (v8.30.1, -tags gore2regex, as its releases)
#   git diff-index --cached -p             (the floor: the diff both must have git make)
#   .git/hooks/pre-commit                  (the installed hook: sh, then patrol hook pre-commit)
# printing p50 and p90 of each and the ratio. hyperfine is used when installed, else a loop.
#
# Usage: scripts/bench-hook.sh [RUNS]     env: BENCH_FILES, BENCH_COMMITS, GITLEAKS
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-${RUNS:-30}}
FILES=${BENCH_FILES:-50000}
COMMITS=${BENCH_COMMITS:-10000}
OUT=bench-out/hook
# A go.mod makes the corpora (Go sources) a module of their own, outside ./... of patrol.
mkdir -p bench-out && { [ -f bench-out/go.mod ] || printf 'module benchout\n' > bench-out/go.mod; }
REPO=$OUT/repo-$FILES-$COMMITS-v1
GITLEAKS=${GITLEAKS:-$(go env GOPATH)/bin/gitleaks}
mkdir -p "$OUT"
# patrol's default fingerprint key goes under bench-out, not the user's config directory.
export XDG_CONFIG_HOME=$PWD/$OUT/xdg
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com

# The generator writes a fast-import stream, or (with "token SEED") one synthetic token: no
# token-shaped string is stored anywhere. It lives under an _ directory so that ./... skips it.
mkdir -p "$OUT/_gen"
cat > "$OUT/_gen/main.go" <<'EOF'
// Command gen writes the bench repository as a git fast-import stream, or a synthetic token.
package main

import (
	"bufio"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"strconv"
)

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func main() {
	if os.Args[1] == "token" { // a checksum-valid GitHub classic PAT shape
		seed, _ := strconv.ParseUint(os.Args[2], 10, 64)
		r := rand.New(rand.NewPCG(seed, 1))
		b := make([]byte, 30)
		for i := range b {
			b[i] = alnum[r.IntN(62)]
		}
		c, sum := crc32.ChecksumIEEE(b), []byte("000000")
		for i := 5; c > 0 && i >= 0; i-- {
			sum[i], c = alnum[c%62], c/62
		}
		fmt.Print("ghp_" + string(b) + string(sum))
		return
	}
	files, _ := strconv.Atoi(os.Args[1])
	commits, _ := strconv.Atoi(os.Args[2])
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	r := rand.New(rand.NewPCG(1, 2))
	path := func(i int) string { return fmt.Sprintf("src/pkg%02d/sub%02d/file%05d.go", i%50, (i/50)%20, i) }
	blob := func(i, rev int) {
		var b []byte
		b = fmt.Appendf(b, "package pkg%02d\n\n// File %d, revision %d.\n", i%50, i, rev)
		for l := 0; l < 20; l++ {
			b = fmt.Appendf(b, "func f%d_%d(x int) int { return x*%d + %d }\n", i, l, l+rev, r.IntN(1000))
		}
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", path(i), len(b), b)
	}
	rev := make([]int, files)
	for c := 0; c < commits; c++ {
		msg := fmt.Sprintf("commit %d", c)
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter bench <bench@example.com> %d +0000\ndata %d\n%s\n", 1600000000+c*60, len(msg), msg)
		if c == 0 {
			for i := 0; i < files; i++ {
				blob(i, 0)
			}
			continue
		}
		for k := 0; k < 5; k++ {
			i := r.IntN(files)
			rev[i]++
			blob(i, rev[i])
		}
	}
}
EOF
# The generator lives in bench-out's own module (bench-out/go.mod keeps the corpora out of ./...).
go -C bench-out build -o "$PWD/$OUT/gen" "./${OUT#bench-out/}/_gen"
go build -trimpath -ldflags '-s -w' -o "$OUT/patrol" ./cmd/patrol
PATROL=$PWD/$OUT/patrol
if [ ! -x "$GITLEAKS" ]; then
  echo "== installing gitleaks v8.30.1 (-tags gore2regex)"
  go install -tags gore2regex github.com/zricethezav/gitleaks/v8@v8.30.1
  GITLEAKS=$(go env GOPATH)/bin/gitleaks
fi

if [ ! -f "$REPO/.git/bench-ready" ]; then
  echo "== building $REPO: $FILES files, $COMMITS commits (fast-import, once)"
  rm -rf "$REPO"
  git init -q -b main "$REPO"
  "$OUT/gen" "$FILES" "$COMMITS" | git -C "$REPO" fast-import --quiet
  git -C "$REPO" reset -q --hard
  touch "$REPO/.git/bench-ready"
fi

# Stage the change: 1,000 lines appended to one file, a token on line 500 of them.
git -C "$REPO" reset -q --hard
TARGET=src/pkg07/sub03/file03157.go
TOKEN=$("$OUT/gen" token 7)
BASE=$(wc -l < "$REPO/$TARGET")
awk -v tok="$TOKEN" 'BEGIN { for (i = 1; i <= 1000; i++) if (i == 500) printf "var token = \"%s\"\n", tok; else printf "func added%d() int { return %d }\n", i, i }' >> "$REPO/$TARGET"
git -C "$REPO" add "$TARGET"
WANT_LINE=$((BASE + 500))
printf '%064d\n' 0 | tr 0 a > "$OUT/key"

(cd "$REPO" && "$PATROL" hook install --force >/dev/null)

cd "$REPO"
echo "== repository: $(git ls-files | wc -l) files, $(git rev-list --count HEAD) commits, index $(du -h .git/index | cut -f1); staged: $(git diff --cached --shortstat)"

# Both tools must find the token, or the timing means nothing.
set +e
FOUND=$("$PATROL" scan --staged --fingerprint-key-file "$PWD/../key" -f jsonl --summary=false)
PATROL_RC=$?
"$GITLEAKS" git --pre-commit --staged --no-banner -l error >/dev/null 2>&1
GITLEAKS_RC=$?
set -e
case "$FOUND" in
  *'"detector":"github-classic-pat"'*"\"path\":\"$TARGET\",\"line\":$WANT_LINE,"*) echo "== patrol finds the token at $TARGET:$WANT_LINE (exit $PATROL_RC)" ;;
  *) echo "patrol did not report the token at $TARGET:$WANT_LINE (exit $PATROL_RC): $FOUND" >&2; exit 1 ;;
esac
[ "$PATROL_RC" = 1 ] || { echo "patrol exit $PATROL_RC, want 1" >&2; exit 1; }
[ "$GITLEAKS_RC" = 1 ] || { echo "gitleaks exit $GITLEAKS_RC, want 1 (leak found)" >&2; exit 1; }
echo "== gitleaks finds it too (exit $GITLEAKS_RC)"

CMDS=(
  "$PATROL scan --staged --fingerprint-key-file $PWD/../key"
  "$GITLEAKS git --pre-commit --staged --no-banner"
  "git diff-index --cached -p -M HEAD"
  "$PWD/.git/hooks/pre-commit"
)
NAMES=("patrol scan --staged" "gitleaks git --pre-commit --staged" "git diff-index --cached -p (floor)" "installed hook (sh + patrol hook pre-commit)")

# times prints RUNS wall times in ms for command $1, one per line.
times() {
  if command -v hyperfine >/dev/null; then
    local json; json=$(mktemp)
    hyperfine -N -i -w 3 -r "$RUNS" --export-json "$json" "$1" >/dev/null 2>&1
    awk '/"times"/ {f=1; next} f && /\]/ {exit} f {gsub(/[ ,]/, ""); printf "%.3f\n", $0 * 1000}' "$json"
    rm -f "$json"
  else
    local i t0 t1
    for i in 1 2 3; do $1 >/dev/null 2>&1 || true; done
    for ((i = 0; i < RUNS; i++)); do
      t0=$(date +%s%N); $1 >/dev/null 2>&1 || true; t1=$(date +%s%N)
      awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f\n", d / 1e6 }'
    done
  fi
}
pct() { sort -n | awk -v p="$1" '{ a[NR] = $1 } END { i = int(NR * p / 100 + 0.999); if (i < 1) i = 1; printf "%.1f", a[i] }'; }

echo "== $RUNS runs each ($(command -v hyperfine >/dev/null && echo hyperfine -N || echo 'date +%s%N loop')), whole process, ms"
declare -a P50 P90
for i in "${!CMDS[@]}"; do
  T=$(times "${CMDS[$i]}")
  P50[$i]=$(pct 50 <<<"$T")
  P90[$i]=$(pct 90 <<<"$T")
  printf '  %-46s p50 %7s   p90 %7s\n' "${NAMES[$i]}" "${P50[$i]}" "${P90[$i]}"
done
awk -v p="${P50[0]}" -v g="${P50[1]}" 'BEGIN { printf "  gitleaks / patrol (p50): %.1fx\n", g / p }'
awk -v p="${P50[0]}" 'BEGIN { if (p > 30) { printf "  patrol p50 %.1f ms is over the 30 ms budget\n", p; exit 1 } }'
