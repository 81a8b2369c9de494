#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build what the benchmark runs, each cached: the non-debug benchmark
# kernel ($VBLK_CACHE/build-bench-VERSION: selftests/config plus
# scripts/bench/config.bench, its own stamp), vblk.ko for it (built from a
# copy of kmod/ so the checkout's test-kernel module build is untouched),
# the guest initramfs, vblkctl and vblk-vmm.  Prints shell assignments
# (BENCH_KDIR, BENCH_KO, BENCH_INITRD) for the caller to eval.
#
#   scripts/bench/build.sh
# Run it under the machine lock (the kernel build is heavy).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$VBLK_ROOT"

ver=$(vblk_ksrc_version)
[ -n "$ver" ] || die "$VBLK_KSRC_PKG is not installed (run scripts/deps.sh)"
export VBLK_KBUILD_DIR=$VBLK_CACHE/build-bench-$ver
export VBLK_KFRAGS="$VBLK_ROOT/selftests/config $VBLK_ROOT/scripts/bench/config.bench"
[ -f "$VBLK_KBUILD_DIR/.vblk-stamp" ] ||
	say "building the benchmark kernel (once; about 10 minutes)"
nice -n 10 scripts/build-kernel.sh >&2
kdir=$VBLK_KBUILD_DIR

# vblk.ko for the benchmark kernel, keyed by the module's sources.
sum=$( (cd "$VBLK_ROOT" && find kmod -type f \( -name '*.[ch]' -o -name Kbuild \) \
	-print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
ko=$kdir/vblk-modules/$sum/vblk.ko
if [ ! -f "$ko" ]; then
	say "building vblk.ko for the benchmark kernel"
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	cp -r "$VBLK_ROOT/kmod" "$t/kmod"
	echo 'obj-m += kmod/' >"$t/Kbuild"
	make -s -C "$kdir" M="$t" modules >&2
	mkdir -p "$(dirname "$ko")"
	cp "$t/kmod/vblk.ko" "$ko"
fi

# The guest initramfs, keyed by its inputs.
sum=$(cat scripts/bench/guest-init scripts/bench/bench.fio scripts/bench/mkguest.sh \
	/bin/busybox "$(command -v fio)" | sha256sum | cut -c1-16)
initrd=$VBLK_CACHE/bench/guest-$sum.cpio
if [ ! -f "$initrd" ]; then
	mkdir -p "$VBLK_CACHE/bench"
	rm -f "$VBLK_CACHE"/bench/guest-*.cpio
	scripts/bench/mkguest.sh "$initrd"
fi

make -s user >&2
printf 'BENCH_KDIR=%q\nBENCH_KO=%q\nBENCH_INITRD=%q\n' "$kdir" "$ko" "$initrd"
