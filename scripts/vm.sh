#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot the vblk test host (QEMU, microvm, TCG by default) on the test kernel
# and run a command in it, inside a chroot of this machine's filesystem
# (shared read-only over virtio-9p).  The command's exit code is ours.
#
#   scripts/vm.sh [--timeout SECS] [--out DIR] --cmd 'COMMAND'
#
# COMMAND runs under bash with cwd = the checkout, as root, with
# VBLK_ROOT, VBLK_KSRC, VBLK_KDIR and VBLK_OUT (a read-write directory shared
# with this machine) in the environment.  VBLK_ACCEL=kvm boots with KVM on
# hosts where that works; VBLK_VM_MEM sets the memory (MiB).
# VBLK_HOST_QEMU picks the test host's QEMU: 10 (default: Debian's
# bookworm-backports build, unpacked by scripts/qemu10.sh; under its TCG,
# nested guests with several vCPUs work) or "system" (the QEMU on PATH).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

timeout=900 out="" cmd=""
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--cmd) cmd=$2; shift 2 ;;
	*) die "usage: scripts/vm.sh [--timeout SECS] [--out DIR] --cmd 'COMMAND'" ;;
	esac
done
[ -n "$cmd" ] || die "usage: scripts/vm.sh [--timeout SECS] [--out DIR] --cmd 'COMMAND'"

kdir=$(vblk_kbuild_dir)
bz=$kdir/arch/x86/boot/bzImage
[ -f "$bz" ] || die "no test kernel at $bz (run: make kernel)"
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/vblk-vm.XXXXXX")
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/rc" "$out/console.log"

# The initramfs only bootstraps into the host's userland; build it once
# per content of its inputs.  (Not by modification time: checkouts of other
# branches share the cache, and an older init written later would stay.)
sum=$(cat "$VBLK_ROOT/scripts/initramfs/init" /bin/busybox | sha256sum | cut -c1-16)
initrd=$VBLK_CACHE/initramfs-$sum.cpio.gz
if [ ! -f "$initrd" ]; then
	mkdir -p "$VBLK_CACHE"
	d=$(mktemp -d)
	mkdir -p "$d"/{bin,sbin,proc,sys,dev,host,tmp,out}
	cp /bin/busybox "$d/bin/busybox"
	install -m 755 "$VBLK_ROOT/scripts/initramfs/init" "$d/init"
	(cd "$d" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd.tmp.$$"
	mv "$initrd.tmp.$$" "$initrd"
	rm -rf "$d"
fi

host_qemu=${VBLK_HOST_QEMU:-10}
case $host_qemu in
10) qemu=$("$VBLK_ROOT/scripts/qemu10.sh") || die "QEMU 10 is not available (VBLK_HOST_QEMU=system uses the system's QEMU)" ;;
system) qemu=qemu-system-x86_64 ;;
*) die "VBLK_HOST_QEMU: 10 or system, not '$host_qemu'" ;;
esac

cat >"$out/job.sh" <<JOB
export VBLK_ROOT='$VBLK_ROOT' VBLK_KSRC='$(vblk_ksrc_dir)' VBLK_KDIR='$kdir' VBLK_OUT='$out'
export VBLK_HOST_QEMU='$host_qemu'
[ -f '$(vblk_guest_kbuild_dir)/arch/x86/boot/bzImage' ] &&
	export VBLK_BZIMAGE='$(vblk_guest_kbuild_dir)/arch/x86/boot/bzImage'
export LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
cd "\$VBLK_ROOT" || exit 97
$cmd
JOB

accel=${VBLK_ACCEL:-tcg}
cpu=max
[ "$accel" = kvm ] && cpu=host
mem=${VBLK_VM_MEM:-4096}
# Under TCG the guest's TSC runs at the host's rate; on a loaded host the
# guest's own calibration can fail and the boot stalls, so tell it the rate.
tsc_khz=$(awk -F: '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
cmdline="${tsc_khz:+tsc_early_khz=$tsc_khz }console=ttyS0 panic=-1 oops=panic panic_on_warn=0 kunit.enable=1 vblk.out=$out vblk.keep=$VBLK_ROOT,$VBLK_CACHE"

set +e
timeout --foreground -k 10 "$timeout" "$qemu" \
	-M microvm,accel="$accel",rtc=on -cpu "$cpu" -m "$mem" -smp 2 \
	-nographic -no-reboot -nodefaults -serial stdio \
	-kernel "$bz" -initrd "$initrd" -append "$cmdline" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-device,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=out,path="$out",security_model=none \
	-device virtio-9p-device,fsdev=out,mount_tag=out \
	</dev/null 2>&1 | tee "$out/console.log"
qrc=${PIPESTATUS[0]}
set -e

if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "Error: test host timed out after ${timeout}s" >&2
	exit 124
fi
# The test host's own panic starts a console line (after an optional
# timestamp); a nested guest's panic echoed by a test is indented or
# prefixed ("# ...") and is that test's failure, not the host's.
if grep -qE '^(\[ *[0-9.]+\] )?(---\[ end )?Kernel panic' "$out/console.log"; then
	echo "Error: test host kernel panicked" >&2
	exit 125
fi
[ -f "$out/rc" ] || { echo "Error: the job did not finish (no exit code)" >&2; exit 126; }
exit "$(cat "$out/rc")"
