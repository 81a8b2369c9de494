#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The `make run` demo, inside the test host: load vblk.ko, create a
# throttled disk on a backing file with vblkctl, boot a Linux guest on it
# with the reference VMM, run a short workload in the guest, and show what
# vblk saw.  Lines meant for the user start with "demo: ".
set -euo pipefail
say() { echo "demo: $*"; }
indent() { sed 's/^/demo:     /'; }
root=$VBLK_ROOT
ctl=$root/user/vblkctl
vmm=$root/user/vblk-vmm
bz=${VBLK_BZIMAGE:-$VBLK_KDIR/arch/x86/boot/bzImage}
rate=$((4 * 1024 * 1024))
work=$(mktemp -d)

say "test host: Linux $(uname -r), $(nproc) vCPUs, /dev/kvm $([ -c /dev/kvm ] && echo present || echo MISSING)"
insmod "$root/kmod/vblk.ko"
say "vblk.ko loaded: $(grep '^vblk ' /proc/modules | cut -d' ' -f1-3)"

img=$work/disk.img
truncate -s 64M "$img"
say "\$ vblkctl dev add demo0 backing disk.img serial VBLK-DEMO-1 bps 4Mi"
"$ctl" dev add demo0 backing "$img" serial VBLK-DEMO-1 bps 4Mi | indent
say "\$ vblkctl dev show demo0"
"$ctl" dev show demo0 | indent

say "booting a guest on /dev/vblk/demo0 with vblk-vmm (nested KVM; about a minute under TCG)"
"$root/selftests/guest/mkinitramfs.sh" "$work/guest.cpio.gz" "$root/scripts/demo/guest.sh" >"$work/mk.log" 2>&1 ||
	{ cat "$work/mk.log"; exit 1; }
set +e
timeout -k 10 900 "$vmm" --kernel "$bz" --initrd "$work/guest.cpio.gz" --mem 512 \
	--cmdline "console=ttyS0 panic=-1 loglevel=1" --disk demo0 --reboot-exits \
	</dev/null >"$work/guest.log" 2>&1
rc=$?
set -e
sed -i 's/\r$//' "$work/guest.log"	# the serial console ends lines with CRLF
grep '^demo:' "$work/guest.log" || true
if ! grep -q '^vblk-guest: done, rc=0' "$work/guest.log"; then
	say "the guest workload FAILED (vblk-vmm exit $rc); its console:"
	tail -n 30 "$work/guest.log" | indent
	exit 1
fi
md5=$(sed -n 's/^vblk-guest: md5 //p' "$work/guest.log")
host=$(dd if="$img" bs=1M skip=8 count=4 status=none | md5sum | cut -c1-32)
say "host reads the backing file at 8 MiB: md5 $host ($([ "$host" = "$md5" ] && echo "same bytes as the guest wrote" || echo MISMATCH))"
[ "$host" = "$md5" ]

say "\$ vblkctl stats demo0"
"$ctl" stats demo0 | indent
achieved=$(sed -n 's/.*sequential O_DIRECT read: .* = \([0-9.]*\) MiB\/s/\1/p' "$work/guest.log")
say "throttle: limit $((rate / 1048576)).00 MiB/s; the guest measured ${achieved:-?} MiB/s over 40 MiB (the first second of it may use tokens saved while the guest computed checksums)"

"$ctl" dev del demo0
rmmod vblk
rm -rf "$work"
say "done: device deleted, vblk.ko unloaded"
