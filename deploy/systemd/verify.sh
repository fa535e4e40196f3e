#!/bin/sh
# verify.sh PATROL: systemd-analyze verify of the units, with /usr/local/bin/patrol replaced by
# the binary PATROL (verify checks that ExecStart exists). Skipped, and said so, where
# systemd-analyze is not installed.
set -eu
patrol=$(realpath "${1:?usage: verify.sh PATROL}")
command -v systemd-analyze >/dev/null 2>&1 || { echo "verify.sh: systemd-analyze not installed: units not verified"; exit 0; }
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for u in "$here"/*.service "$here"/*.timer; do
	sed "s#/usr/local/bin/patrol#$patrol#g" "$u" >"$tmp/$(basename "$u")"
done
out=$(cd "$tmp" && systemd-analyze verify --man=no ./*.service ./*.timer 2>&1) || { echo "$out"; exit 1; }
[ -z "$out" ] || { echo "$out"; exit 1; }
echo "systemd-analyze verify: $(cd "$tmp" && ls | tr '\n' ' ')clean"
