#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An unmodified QEMU (10.0, Debian's) on a vblk device through vDPA: `vdpa
# dev add` puts the device on the vDPA bus, vhost_vdpa gives it to QEMU as
# /dev/vhost-vdpa-N, and QEMU boots the guest kernel with
# `-device vhost-vdpa-device-pci` (guest memory from a shared memfd, as
# vhost_vdpa's virtual-address mode needs).  The data path never leaves
# the kernel: the guest's notify is a KVM ioeventfd that vhost_vdpa turns
# into kick_vq, vblk's workers are threads of QEMU, interrupts go back
# through the call eventfd and KVM's irqfd.  Two boots:
#
#   1. the guest's O_DIRECT pattern, ext4 made, filled and checked, the
#      throttle set and lifted while it reads, then writes until the host
#      kills QEMU with SIGKILL;
#   2. a second QEMU attaches to the same /dev/vhost-vdpa-N; what was synced
#      before the kill is intact and the file system checks clean.
#
# The guest side is e2e-guest.sh (boots v1 and 3).  Prints KTAP.  Needs
# /dev/kvm, vblk.ko loaded, kmod/vblk_vdpa.ko, iproute2's vdpa, QEMU 10
# (VBLK_QEMU, else the one scripts/qemu10.sh unpacked next to the test
# kernel's build), user/vblkctl, e2fsprogs, jq, and the guest kernel
# (VBLK_BZIMAGE, or VBLK_KDIR/arch/x86/boot/bzImage).  VBLK_GUEST_TIMEOUT
# bounds each boot (seconds).
GUEST_TIMEOUT_DEFAULT=600
. "$(dirname "$0")/guest_lib.sh"
export PATH=$PATH:/usr/sbin:/sbin
. "$root/selftests/lib/vblk_e2e.sh"
. "$root/selftests/lib/vblk_vdpa.sh"
qemu=${VBLK_QEMU:-$(dirname "${VBLK_KDIR:-/nonexistent}")/qemu10/bin/qemu-system-x86_64}
A=vdpa-qemu-$$
imgA=$work/disk.img
vpid=""
NTESTS=12
t_start=$(date +%s)

cleanup() {
	[ -n "$vpid" ] && kill -9 "$vpid" 2>/dev/null && wait "$vpid"
	vdpa_cleanup "$A"
}
trap cleanup EXIT

missing=""
[ -c /dev/kvm ] || missing="$missing /dev/kvm;"
[ -f "$bz" ] || missing="$missing a guest kernel ($bz);"
# Not "-device help": it loads every QEMU module, and an unpacked QEMU 10
# then finds the system QEMU's modules and aborts.
"$qemu" -device vhost-vdpa-device-pci,help 2>/dev/null |
	grep -q '^vhost-vdpa-device-pci options:' ||
	missing="$missing QEMU with vhost-vdpa-device-pci ($qemu; scripts/qemu10.sh);"
vdpa_begin $NTESTS "$missing" jq debugfs mke2fs e2fsck

# start_qemu BOOT LOG: boot the guest in the background ($vpid), on the
# vDPA device.  Guest memory is a shared memfd: vhost_vdpa maps only
# shared, file-backed memory for a device that uses virtual addresses.
start_qemu() {
	"$qemu" -M pc,accel=kvm -cpu host -m 512 -smp 1 \
		-nodefaults -no-user-config -display none -no-reboot -serial stdio \
		-object memory-backend-memfd,id=mem,size=512M,share=on \
		-machine memory-backend=mem \
		-kernel "$bz" -initrd "$work/guest.cpio.gz" \
		-append "console=ttyS0 panic=-1 loglevel=3 kmemleak=off mitigations=off vblk_e2e=$1" \
		-device vhost-vdpa-device-pci,vhostdev="$vh" \
		</dev/null >"$2" 2>&1 &
	vpid=$!
	boot_t0=$(date +%s)
	deadline=$((boot_t0 + tmo))
}

# workers: threads named like vblk's queue workers (vblk-PID).
workers() { ps -eLo comm= | grep -c '^vblk-'; }

if ! e2e_guest_image; then
	for i in $(seq $NTESTS); do ktap_test_fail "cannot build the guest's initramfs"; done
	ktap_finished
fi

# ---- 1. the device on the vDPA bus, for vhost_vdpa ---------------------------

truncate -s $((64 * MIB)) "$imgA"
"$ctl" dev add "$A" backing "$imgA" serial vblk-e2e-rw >"$work/ctl.log" 2>&1 &&
vdpa_load && vdpa dev add name "$A" mgmtdev vblk >>"$work/ctl.log" 2>&1 &&
vdpa_driver "$A" vhost_vdpa && vh=$(vdpa_vhostdev "$A") && [ -c "$vh" ] &&
[ "$(attached "$A")" = true ]
if ! ktap_check $? "vdpa dev add + vhost_vdpa: ${vh:-no /dev/vhost-vdpa-N} for the vblk device"; then
	sed 's/^/#   /' "$work/ctl.log"
	for i in $(seq 2 $NTESTS); do ktap_test_fail "no vhost-vdpa device"; done
	ktap_finished
fi

# ---- boot 1: the workload, then SIGKILL mid-write ------------------------------

log1=$work/boot1.log
snap a0 "$A"
start_qemu v1 "$log1"
throttle_host "$log1" "$A" "$imgA"
kill_ok=0
if wait_for "$log1" writing; then
	snap k1 "$A"
	sleep 3
	snap k2 "$A"
	nw=$(workers)
	kill -9 "$vpid"
	kt=$(date +%s)
	wait "$vpid"
	vrc=$?
	vpid=""
	# QEMU's release of /dev/vhost-vdpa-N resets the device.
	for i in $(seq 20); do
		[ "$(devfield "$A" status)" = 0 ] && break
		sleep 0.5
	done
	st=$(devfield "$A" status)
	snap k3 "$A"
	sleep 1
	snap k4 "$A"
	note "boot 1: killed after $((kt - boot_t0)) s, QEMU status $vrc; workers before $nw, after $(workers);" \
	     "bytes_written +$((k2_bytes_written - k1_bytes_written)) in the 3 s before, +$((k4_bytes_written - k3_bytes_written)) in 1 s after; status $st"
	[ $((k2_bytes_written - k1_bytes_written)) -gt 0 ] && [ "$vrc" -eq 137 ] &&
	[ "$nw" -ge 1 ] && [ "$(workers)" -eq 0 ] && [ "$st" = 0 ] &&
	[ "$k4_bytes_written" -eq "$k3_bytes_written" ] && [ -c "$vh" ] &&
	[ "$(attached "$A")" = true ] && kill_ok=1
else
	finish_vmm
fi

# 2. QEMU booted the guest, which found the disk and got through boot 1.
gsaid "$log1" | grep -q '^boot 1 finished' &&
gsaid "$log1" | grep -q "^disk vd[a-z]* sectors=131072 ro=0 serial=vblk-e2e-rw "
ktap_check $? "boot 1: QEMU 10 with vhost-vdpa-device-pci boots the guest; /dev/vda of 131072 sectors, serial; guest script passes" ||
	show "$log1"
gsaid "$log1" | grep -E '^(disk|fsck|pattern|rate|polls)' | sed 's/^/#   /'

# 3. The pattern.
check_pattern "$log1" "$imgA"

# 4-6. Throttle.
throttle_checks "$log1"

# 7. Counters up to the kill against what the guest did (the pattern, the
# synced files, the 32 MiB unlimited read).
fbytes=$((16 * 65536 + 300 * 1024 + 33 * 4096))
note "boot 1: written $((k2_bytes_written - a0_bytes_written)) B, read $((k2_bytes_read - a0_bytes_read)) B," \
     "flushes $((k2_flushes_completed - a0_flushes_completed)), io_errors $((k2_io_errors - a0_io_errors))"
[ $((k2_bytes_written - a0_bytes_written)) -ge $((4 * MIB + fbytes)) ] &&
[ $((k2_bytes_read - a0_bytes_read)) -ge $((36 * MIB)) ] &&
[ $((k2_flushes_completed - a0_flushes_completed)) -gt 0 ] &&
[ $((k2_io_errors - a0_io_errors)) -eq 0 ]
ktap_check $? "counters: bytes_written >= pattern + synced files, bytes_read >= the guest's reads, flushes, no errors"

# 8. The kill.
[ $kill_ok = 1 ]
ktap_check $? "SIGKILL of QEMU while the guest writes: QEMU and its vblk workers gone, device reset, no more I/O, still on the vDPA bus"

# ---- boot 2: a second QEMU on the same vhost-vdpa device ----------------------

log2=$work/boot2.log
start_qemu 3 "$log2"
wait_for "$log2" 'boot 3 finished'
finish_vmm

# 9. It attached and the guest ran.
guest_done "$log2"
ktap_check $? "a second QEMU attaches to $vh after the kill and boots" || show "$log2"

# 10. Synced data survived; the file system checks clean, in the guest and
# on the host (also the ext4 of boot 1, now that the journal is replayed).
gs=$(gsum "$log1" s)
want=$(printf '%s\n%s\n' "$(gsum "$log1" 1)" "$gs" | sort)
g3=$(gsum "$log2" 3)
h3=$(hsum "$imgA" f1 f2 f3 d/f4 g1 d/g2)
gsaid "$log2" | grep -E '^(fsck|in-flight)' | sed 's/^/#   /'
[ -n "$gs" ] && [ "$(echo "$want" | wc -l)" -eq 6 ] && [ "$g3" = "$want" ] &&
[ "$h3" = "$want" ] && gsaid "$log2" | grep -q '^fsck after boot 3: rc=0' &&
dd if="$imgA" bs=1M skip=48 count=4 status=none | cmp -s - "$work/pattern.bin"
if ! ktap_check $? "after the kill: synced files have their sums (guest and host), fsck clean in the guest, pattern intact"; then
	note "want: $want"; note "guest: $g3"; note "host: $h3"
fi
check_ext4 "$log1" "$imgA"

# 12. Per-queue counters: the device's bytes all went through the queue.
note "vq_stats: $(tr '\n' ';' <"$VDPA_BUS/devices/$A/vq_stats")"
snap z "$A"
[ "$(vq_sum "$A" bytes)" -eq $((z_bytes_read + z_bytes_written)) ] &&
[ "$(vq_stat "$A" 0 kicks)" -gt 0 ] && [ "$(vq_stat "$A" 0 interrupts)" -gt 0 ] &&
[ "$(vq_stat "$A" 0 requests)" -gt 0 ] && vdpa dev del "$A" &&
[ "$(attached "$A")" = false ] && "$ctl" dev del "$A" >/dev/null
ktap_check $? "per-queue counters add up to the device's bytes; vdpa dev del, then vblkctl dev del"

note "total $(($(date +%s) - t_start)) s"
ktap_finished
