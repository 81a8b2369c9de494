#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the initramfs of a vblk-vmm guest: busybox, /init (this directory's
# init) and vblk-guest-exit, plus an optional test script run as /test.sh;
# the guest exits with that script's status (see init).
#
#   selftests/guest/mkinitramfs.sh OUT.cpio.gz [TEST_SCRIPT [FILE...]]
#
# FILEs are copied to /bin of the image (static binaries the test needs;
# for vblkctl or vblk-vmm: make -C user STATIC=1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 OUT.cpio.gz [TEST_SCRIPT [FILE...]]" >&2; exit 1; }
out=$1
shift
busybox=${BUSYBOX:-/bin/busybox}
# static FILE HINT: the guest has no shared libraries
static() {
	file "$1" 2>/dev/null | grep -q 'statically linked' ||
		ldd "$1" 2>&1 | grep -q 'not a dynamic' ||
		{ echo "$0: $1 is not static ($2)" >&2; exit 1; }
}
static "$busybox" "apt-get install busybox-static"

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d"/{bin,sbin,proc,sys,dev,tmp,mnt}
cp "$busybox" "$d/bin/busybox"
install -m 755 "$here/init" "$d/init"
# Built by make selftests; compiled here when missing or older than its
# source (a static link is slow in the test host).
if [ "$here/vblk-guest-exit" -nt "$here/vblk-guest-exit.c" ]; then
	install -m 755 "$here/vblk-guest-exit" "$d/bin/vblk-guest-exit"
else
	${CC:-cc} -O2 -Wall -Wextra -Werror -static -o "$d/bin/vblk-guest-exit" \
		"$here/vblk-guest-exit.c"
fi
if [ $# -ge 1 ]; then
	install -m 755 "$1" "$d/test.sh"
	shift
fi
for f in "$@"; do
	static "$f" "build it with -static, e.g. make -C user STATIC=1"
	install -m 755 "$f" "$d/bin/"
done
(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
