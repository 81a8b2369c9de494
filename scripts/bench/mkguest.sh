#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the benchmark guest's initramfs: busybox, guest-init as /init, fio
# with every shared library it loads, and the fio jobs.  Uncompressed: the
# libraries are ~85 MB, and gunzip in a nested guest under TCG would take
# longer than copying.
#
#   scripts/bench/mkguest.sh OUT.cpio
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUT.cpio" >&2; exit 1; }
fio=$(command -v fio) || { echo "$0: fio is not installed" >&2; exit 1; }
busybox=/bin/busybox
! ldd "$busybox" >/dev/null 2>&1 ||
	{ echo "$0: $busybox is not static (apt-get install busybox-static)" >&2; exit 1; }

d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d"/{bin,sbin,proc,sys,dev,tmp,etc,usr/bin}
cp "$busybox" "$d/bin/busybox"
install -m 755 "$here/guest-init" "$d/init"
install -m 644 "$here/bench.fio" "$d/etc/bench.fio"
cp "$fio" "$d/usr/bin/fio"
# The libraries at the paths the dynamic loader looks for them.
ldd "$fio" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
while read -r lib; do
	mkdir -p "$d$(dirname "$lib")"
	cp -L "$lib" "$d$lib"
done
(cd "$d" && find . | cpio -o -H newc --quiet) >"$1.tmp"
mv "$1.tmp" "$1"
