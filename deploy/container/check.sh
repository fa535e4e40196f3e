#!/bin/sh
# check.sh: build patrol's image offline and check it (make image-check).
#
# The base is assembled from this host's git by rootfs.sh and imported (no registry), patrol is
# the host's `make build` output (PATROL_BIN=context), the image is built with the repository's
# Containerfile, its config is checked (USER 65532, ENTRYPOINT patrol), and its filesystem is
# exported: TestImage (deploy/image_test.go) runs the image's patrol and git from it, chrooted
# as uid 65532, for `patrol version` and a scan of a test repository. (`podman run` is refused
# by this sandbox's rlimits, hence the export.)
#
# Environment: ENGINE (podman or docker; default: whichever works), IMAGE (default
# localhost/patrol:check), KEEP=DIR keeps the exported root in DIR.
set -eu
cd "$(dirname "$0")/../.."

engine=${ENGINE:-}
if [ -z "$engine" ]; then
	if command -v podman >/dev/null 2>&1; then engine=podman
	elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then engine=docker
	elif command -v apt-get >/dev/null 2>&1; then
		echo "check.sh: installing podman with apt-get" >&2
		apt-get install -y -q podman >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q podman >/dev/null; }
		engine=podman
	else echo "check.sh: neither podman nor a running docker" >&2; exit 2; fi
fi
[ "$engine" = podman ] && [ "$(id -u)" = 0 ] && engine="podman --storage-driver vfs"
image=${IMAGE:-localhost/patrol:check}
base=localhost/patrol-base:check
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sh deploy/container/rootfs.sh "$work/base"
tar -C "$work/base" -cf "$work/base.tar" .
$engine import -q "$work/base.tar" "$base" >/dev/null
$engine build -q --build-arg BASE="$base" --build-arg PATROL_BIN=context -t "$image" -f Containerfile . >/dev/null

cfg=$($engine image inspect "$image" --format '{{.Config.User}} {{json .Config.Entrypoint}}')
[ "$cfg" = '65532:65532 ["patrol"]' ] || { echo "check.sh: image config is $cfg, want 65532:65532 [\"patrol\"]" >&2; exit 1; }
size=$($engine image inspect "$image" --format '{{.Size}}')
echo "image $image: $((size / 1048576)) MiB, user 65532, entrypoint patrol"

root=${KEEP:-$work/root}
rm -rf "$root" && mkdir -p "$root"
c=$($engine create "$image" version)
$engine export "$c" | tar -C "$root" -xf -
$engine rm "$c" >/dev/null
# vfs copies every layer: do not let repeated checks fill the disk.
$engine rmi -f "$image" "$base" >/dev/null
[ ! -e "$root/bin/sh" ] || { echo "check.sh: the image has a shell at /bin/sh" >&2; exit 1; }
mkdir -p "$root/dev" && [ -e "$root/dev/null" ] || mknod -m 666 "$root/dev/null" c 1 3
(cd deploy && PATROL_IMAGE_ROOT=$root ${GO:-go} test -count=1 -run '^TestImage$' ./...)
