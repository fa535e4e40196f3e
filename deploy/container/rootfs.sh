#!/bin/sh
# rootfs.sh DIR: assemble the base of patrol's image into DIR from this Debian system's own
# packages: git (the binary, its https remote helper and its templates), every shared library
# they load (found with ldd), the CA bundle, and passwd/group entries for uid 65532 (nonroot).
# No shell, no package manager: git runs no shell for what patrol asks of it (clone, fetch,
# rev-list, cat-file, for-each-ref over https); see deploy/README.md for what that leaves out.
#
# The Containerfile's default base runs this inside debian:12-slim (with git and
# ca-certificates installed); `make image-check` runs it on the host to build the same base
# offline. Needs: git, ca-certificates, ldd (libc-bin), tar.
set -eu
dest=${1:?usage: rootfs.sh DIR}
mkdir -p "$dest"

# Binaries, resolved through symlinks, at the paths git expects (its exec path is compiled in).
execpath=$(git --exec-path)
bins="/usr/bin/git $execpath/git $execpath/git-remote-http"
for f in $bins; do
	[ -x "$f" ] || { echo "rootfs.sh: $f missing (install git)" >&2; exit 1; }
	mkdir -p "$dest$(dirname "$f")"
	cp -L "$f" "$dest$f"
done
ln -sf git-remote-http "$dest$execpath/git-remote-https"

# Shared libraries and the loader, at the paths ldd reports (the loader searches them).
libs=$(for f in $bins; do ldd "$f"; done | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
[ -n "$libs" ] || { echo "rootfs.sh: ldd found no libraries" >&2; exit 1; }
for l in $libs; do
	mkdir -p "$dest$(dirname "$l")"
	cp -L "$l" "$dest$l"
done

# git init copies these into every mirror; without them it warns.
if [ -d /usr/share/git-core/templates ]; then
	mkdir -p "$dest/usr/share/git-core"
	cp -R /usr/share/git-core/templates "$dest/usr/share/git-core/"
fi

# CA bundle: Go and git's libcurl (gnutls) both read this path.
ca=/etc/ssl/certs/ca-certificates.crt
[ -s "$ca" ] || { echo "rootfs.sh: $ca missing (install ca-certificates)" >&2; exit 1; }
mkdir -p "$dest/etc/ssl/certs"
cp -L "$ca" "$dest$ca"

# The non-root user; /tmp for git's and patrol's temporary files (an emptyDir in Kubernetes).
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$dest/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$dest/etc/group"
mkdir -p "$dest/home/nonroot" "$dest/tmp"
chown 65532:65532 "$dest/home/nonroot" 2>/dev/null || true
chmod 1777 "$dest/tmp"
