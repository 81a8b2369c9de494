#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End-to-end test of vblk with a real guest: vblkctl creates the disks,
# vblk-vmm boots the test kernel on them (nested KVM), the guest's own
# virtio_blk driver does the I/O and the host checks the backing files, the
# counters and the throttle.  Three boots on the same read-write disk:
#
#   1. geometry, read-only flag and serial of both disks; an O_DIRECT
#      pattern; ext4 made, filled and checked; the read-only disk refuses
#      writes; the throttle set and removed while the guest reads; on a
#      third disk, blkdiscard and fstrim free the backing file's blocks, a
#      live resize is seen by the guest and resize2fs grows ext4 online,
#      and the guest switches the cache mode both ways.
#   2. after a reboot the files are still there; then the VMM is killed
#      with SIGKILL while the guest writes.
#   3. a second VMM attaches; what was synced before the kill is intact and
#      the file system checks clean.
#
# The guest side is e2e-guest.sh.  Prints KTAP (the kernel's
# ktap_helpers.sh); needs /dev/kvm, vblk.ko
# loaded, user/vblk-vmm, user/vblkctl, e2fsprogs and jq, and the guest
# kernel (VBLK_BZIMAGE, or VBLK_KDIR/arch/x86/boot/bzImage).
# VBLK_GUEST_TIMEOUT bounds each boot (seconds).
# No "set -u": a counter missing after a failure reads as 0 and the test
# reports "not ok" instead of stopping.
GUEST_TIMEOUT_DEFAULT=600
. "$(dirname "$0")/guest_lib.sh"
export PATH=$PATH:/usr/sbin:/sbin
. "$root/selftests/lib/vblk_e2e.sh"
A=e2e-rw-$$
R=e2e-ro-$$
FT=e2e-ft-$$
imgA=$work/rw.img
imgR=$work/ro.img
imgF=$work/ft.img
vpid=""
NTESTS=20
t_start=$(date +%s)

cleanup() {
	[ -n "$vpid" ] && kill -9 "$vpid" 2>/dev/null
	"$ctl" dev del "$A" force >/dev/null 2>&1
	"$ctl" dev del "$R" force >/dev/null 2>&1
	"$ctl" dev del "$FT" force >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

ktap_print_header
ktap_set_plan $NTESTS

if [ ! -c /dev/kvm ] || [ ! -x "$vmm" ] || [ ! -x "$ctl" ] || [ ! -f "$bz" ] ||
   ! grep -q '^vblk ' /proc/modules || ! command -v jq >/dev/null ||
   ! command -v debugfs >/dev/null || ! command -v mke2fs >/dev/null ||
   ! command -v resize2fs >/dev/null; then
	for i in $(seq $NTESTS); do
		ktap_test_skip "needs /dev/kvm, vblk.ko, $vmm, $ctl, $bz, jq, e2fsprogs"
	done
	ktap_finished
fi

# ---- helpers: counters, device state, the VMM ----------------------------

# detached NAME: wait up to 10 s for "vmm-attached": false.
detached() {
	local i
	for i in $(seq 20); do
		[ "$(devfield "$1" vmm-attached)" = false ] && return 0
		sleep 0.5
	done
	return 1
}

# start_vmm BOOT LOG DISK...: boot the guest in the background ($vpid).
# The guest runs the test host's debug kernel; it is only the workload, so
# its slowest debugging (kmemleak) and the mitigations are off.
start_vmm() {
	local boot=$1 log=$2 d args=()
	shift 2
	for d in "$@"; do args+=(--disk "$d"); done
	"$vmm" --kernel "$bz" --initrd "$work/guest.cpio.gz" --mem 512 --cpus 1 \
		--reboot-exits "${args[@]}" \
		--cmdline "console=ttyS0 panic=-1 loglevel=3 kmemleak=off mitigations=off vblk_e2e=$boot" \
		</dev/null >"$log" 2>&1 &
	vpid=$!
	boot_t0=$(date +%s)
	deadline=$((boot_t0 + tmo))
}

# mailbox SEQ [DRAIN_KIB TIMED_KIB]: the line the guest's mbox SEQ waits for.
mailbox() {
	printf 'vblk-mbox %d %d %d\n' "$1" "${2:-0}" "${3:-0}" |
		dd of="$imgA" bs=512 seek=$((63 * 2048)) conv=notrunc,sync status=none
}

# blocks IMG: allocated 512-byte blocks of the file.
blocks() { stat -c %b "$1"; }

# ---- the guest image -----------------------------------------------------

if ! e2e_guest_image; then
	for i in $(seq $NTESTS); do ktap_test_fail "cannot build the guest's initramfs"; done
	ktap_finished
fi

# ---- 1. the devices ------------------------------------------------------

truncate -s $((64 * MIB)) "$imgA"
mkdir "$work/rofs"
head -c 200000 /dev/urandom >"$work/rofs/hello.bin"
ro_file_sum=$(sha256sum <"$work/rofs/hello.bin" | cut -d' ' -f1)
truncate -s $((16 * MIB)) "$imgR"
truncate -s $((64 * MIB)) "$imgF"
mke2fs -q -F -t ext4 -d "$work/rofs" -E nodiscard "$imgR" >"$work/mkfs.log" 2>&1 ||
	sed 's/^/# /' "$work/mkfs.log"
ro_img_before=$(sha256sum <"$imgR" | cut -d' ' -f1)

"$ctl" dev add "$A" backing "$imgA" serial vblk-e2e-rw >"$work/ctl.log" 2>&1 &&
"$ctl" dev add "$R" backing "$imgR" ro serial vblk-e2e-ro >>"$work/ctl.log" 2>&1 &&
"$ctl" dev add "$FT" backing "$imgF" serial vblk-e2e-ft >>"$work/ctl.log" 2>&1
rc=$?
if [ $rc -eq 0 ] &&
   [ "$(devfield "$A" capacity)" = $((64 * MIB)) ] &&
   [ "$(devfield "$A" read-only)" = false ] &&
   [ "$(devfield "$A" serial)" = vblk-e2e-rw ] &&
   [ "$(devfield "$R" read-only)" = true ] &&
   [ "$(devfield "$R" serial)" = vblk-e2e-ro ] &&
   [ "$(devfield "$A" vmm-attached)" = false ]; then
	ktap_test_pass "vblkctl dev add: 64 MiB read-write and 16 MiB read-only disks, as dev show reports"
else
	sed 's/^/# /' "$work/ctl.log"
	"$ctl" dev show 2>&1 | sed 's/^/# /'
	ktap_test_fail "vblkctl dev add / dev show"
fi

# ---- boot 1 --------------------------------------------------------------

log1=$work/boot1.log
snap a0 "$A"
snap r0 "$R"
snap f0 "$FT"
start_vmm 1 "$log1" "$A" "$R" "$FT"

# The throttle phases: the guest asks for a limit, then for none.
throttle_host "$log1" "$A" "$imgA"

# The features disk: the guest waits at each step while the host looks.
ft_b=()
ft_cache=()
ft_ok=0
if [ $thr_ok = 1 ] &&
   wait_for "$log1" 'ft written' && ft_b[0]=$(blocks "$imgF") && mailbox 3 &&
   wait_for "$log1" 'ft discarded' && ft_b[1]=$(blocks "$imgF") && mailbox 4 &&
   wait_for "$log1" 'ft filled' && ft_b[2]=$(blocks "$imgF") && mailbox 5 &&
   wait_for "$log1" 'ft trimmed' && ft_b[3]=$(blocks "$imgF") && mailbox 6 &&
   wait_for "$log1" 'ft want resize' &&
   "$ctl" dev set "$FT" size 96Mi && mailbox 7 &&
   wait_for "$log1" 'ft cache write_through' &&
   ft_cache[0]=$(devfield "$FT" cache) && mailbox 8 &&
   wait_for "$log1" 'ft cache write_back' &&
   ft_cache[1]=$(devfield "$FT" cache) && mailbox 9; then
	ft_ok=1
fi
note "features disk: st_blocks ${ft_b[*]} (written, discarded, filled, trimmed); cache ${ft_cache[*]}"
wait_for "$log1" 'boot 1 finished'
finish_vmm
snap a1 "$A"
snap r1 "$R"
snap f1 "$FT"
detached "$A" && attached=false || attached=true

guest_done "$log1"
ktap_check $? "boot 1: vblk-vmm boots a guest on the two disks, guest script passes"
guest_done "$log1" || show "$log1"
gsaid "$log1" | grep -E '^(disk|fsck|ro |pattern|rate|polls)' | sed 's/^/#   /'

# 3. Geometry, read-only flag and serial as the guest sees them.
gsaid "$log1" | grep -q "^disk vd[a-z]* sectors=131072 ro=0 serial=vblk-e2e-rw " &&
gsaid "$log1" | grep -q "^disk vd[a-z]* sectors=32768 ro=1 serial=vblk-e2e-ro "
ktap_check $? "guest: disk sizes (131072 and 32768 sectors), ro flags (0, 1) and serials"

# 4. The pattern: read back in the guest, and at 48 MiB in the backing file.
check_pattern "$log1" "$imgA"

# 5. ext4 made in the guest: clean in the guest and on the host; the files
# read from the image have the guest's sums.
check_ext4 "$log1" "$imgA"

# 6-8. Throttle: rates and the counters of the window between the two
# limit changes (only the guest's reads ran then).
throttle_checks "$log1"

# 9. Counters of the whole boot against what the guest did.
wbytes=$((a1_bytes_written - a0_bytes_written))
rbytes=$((a1_bytes_read - a0_bytes_read))
fbytes=$((16 * 65536 + 300 * 1024 + 33 * 4096))
cache=$(gsaid "$log1" | sed -n 's/^disk .* serial=vblk-e2e-rw cache=\(.*\)$/\1/p')
note "boot 1 on $A: written $wbytes B in $((a1_writes_completed - a0_writes_completed)) requests," \
     "read $rbytes B in $((a1_reads_completed - a0_reads_completed)), flushes $((a1_flushes_completed - a0_flushes_completed))," \
     "io_errors $((a1_io_errors - a0_io_errors)), write cache '$cache'; attached after exit: $attached"
[ "$wbytes" -ge $((4 * MIB + fbytes)) ] &&
[ "$rbytes" -ge $((4 * MIB + 32 * MIB)) ] &&
[ $((a1_writes_completed - a0_writes_completed)) -gt 0 ] &&
[ $((a1_io_errors - a0_io_errors)) -eq 0 ] &&
{ [ "$cache" != write_back ] || [ $((a1_flushes_completed - a0_flushes_completed)) -gt 0 ]; } &&
[ "$attached" = false ]
ktap_check $? "counters: bytes_written >= O_DIRECT pattern + synced files, bytes_read >= O_DIRECT reads, flushes, no errors; detached after exit"

# 10. Read-only disk: file reads right, writes refused, backing untouched.
ro_img_after=$(sha256sum <"$imgR" | cut -d' ' -f1)
note "read-only disk: written $((r1_bytes_written - r0_bytes_written)) B, read $((r1_bytes_read - r0_bytes_read)) B, io_errors $((r1_io_errors - r0_io_errors))"
gsaid "$log1" | grep -q "^ro file $ro_file_sum " &&
gsaid "$log1" | grep -q '^ro O_DIRECT write refused' &&
gsaid "$log1" | grep -q '^ro buffered write refused' &&
[ "$ro_img_before" = "$ro_img_after" ] &&
[ $((r1_bytes_written - r0_bytes_written)) -eq 0 ] &&
[ $((r1_writes_completed - r0_writes_completed)) -eq 0 ] &&
[ $((r1_bytes_read - r0_bytes_read)) -gt 0 ]
ktap_check $? "read-only disk: guest reads its file, writes fail, backing file unchanged, no write counted"

# 11-15. The features disk.
gsaid "$log1" | grep -E '^ft ' | sed 's/^/#   /'
gsaid "$log1" | grep -qE '^ft limits discard=[1-9][0-9]* zeroes=[1-9][0-9]* cache=write_back ' &&
[ "$ft_ok" = 1 ] && [ $((ft_b[0] - ft_b[1])) -ge $((16384 - 8)) ] &&
[ $((f1_discards_completed - f0_discards_completed)) -gt 0 ]
ktap_check $? "blkdiscard of 8 MiB: the backing file frees its blocks (${ft_b[0]:-?} -> ${ft_b[1]:-?})"
[ "$ft_ok" = 1 ] && [ $((ft_b[2] - ft_b[3])) -ge $((12 * 2048)) ] &&
gsaid "$log1" | grep -qE '^ft trimmed: .*trimmed'
ktap_check $? "fstrim after deleting a 16 MiB file frees the backing's blocks (${ft_b[2]:-?} -> ${ft_b[3]:-?})"
rs=$(gsaid "$log1" | sed -n 's/^ft resized sectors=\([0-9]*\)->\([0-9]*\) fs_kib=\([0-9]*\)->\([0-9]*\)$/\1 \2 \3 \4/p')
read -r rs0 rs1 rk0 rk1 <<<"$rs"
[ "${rs0:-}" = 131072 ] && [ "${rs1:-}" = 196608 ] && [ "${rk1:-0}" -gt $((${rk0:-0} + 16384)) ] &&
gsaid "$log1" | grep -q '^ft fsck after resize: rc=0' &&
[ "$(devfield "$FT" capacity)" = $((96 * MIB)) ]
ktap_check $? "live resize to 96 MiB: the guest sees it and resize2fs grows ext4 online (${rs:-none})"
[ "${ft_cache[0]:-}" = writethrough ] && [ "${ft_cache[1]:-}" = writeback ] &&
gsaid "$log1" | grep -q '^ft cache write_through queue=write_through$' &&
gsaid "$log1" | grep -q '^ft cache write_back queue=write_back$'
ktap_check $? "the guest switches the cache mode (cache_type, queue/write_cache) and vblk follows (${ft_cache[*]})"
[ "$ft_ok" = 1 ] && [ $((f1_io_errors - f0_io_errors)) -eq 0 ] &&
[ $((f1_writes_completed - f0_writes_completed)) -gt 0 ] &&
[ $((f1_bytes_discarded - f0_bytes_discarded)) -ge $((8 * MIB)) ]
ktap_check $? "features disk counters: discards, writes, no I/O errors"

# ---- boot 2: reboot on the same disk, then SIGKILL mid-write --------------

log2=$work/boot2.log
start_vmm 2 "$log2" "$A"
kill_ok=1
if wait_for "$log2" writing; then
	snap k1 "$A"
	sleep 3
	snap k2 "$A"
	kill -9 "$vpid"
	kt=$(date +%s)
	for i in $(seq 60); do
		kill -0 "$vpid" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 "$vpid" 2>/dev/null; then
		note "vblk-vmm still alive 30 s after SIGKILL"
		vrc=-1
	else
		wait "$vpid"
		vrc=$?
		vpid=""
	fi
	note "boot 2: killed after $((kt - boot_t0)) s, vblk-vmm status $vrc," \
	     "bytes_written +$((k2_bytes_written - k1_bytes_written)) in the 3 s before"
	[ $((k2_bytes_written - k1_bytes_written)) -gt 0 ] || kill_ok=0
	[ "$vrc" -eq 137 ] || kill_ok=0
	# Detached once the process is gone; nothing moves afterwards.
	detached "$A"
	att=$(devfield "$A" vmm-attached)
	snap k3 "$A"
	sleep 1
	snap k4 "$A"
	note "after the kill: vmm_attached=$att, bytes_written +$((k4_bytes_written - k3_bytes_written)) in 1 s"
	[ "$att" = false ] && [ "$k4_bytes_written" -eq "$k3_bytes_written" ] || kill_ok=0
	[ -c "/dev/vblk/$A" ] || kill_ok=0
else
	finish_vmm
	show "$log2"
	kill_ok=0
fi

# 16. Boot 2 found boot 1's files with the same sums.
g2=$(gsum "$log2" 2)
[ -n "$g1" ] && [ "$g2" = "$g1" ] && gsaid "$log2" | grep -q '^fsck before boot 2 mount: rc=0'
ktap_check $? "second boot on the same disk: file system clean, boot 1's files have the same sums"

# 17. The kill.
[ $kill_ok = 1 ]
ktap_check $? "SIGKILL of vblk-vmm while the guest writes: VMM gone, device detached, no more I/O"

# ---- boot 3: a new VMM on the same disk -----------------------------------

log3=$work/boot3.log
start_vmm 3 "$log3" "$A"
wait_for "$log3" 'boot 3 finished'
finish_vmm

# 18. The second VMM could attach and the guest ran.
guest_done "$log3"
ktap_check $? "a second vblk-vmm attaches to the disk after the kill and boots"
guest_done "$log3" || show "$log3"

# 19. Synced data survived the kill; the file system checks clean.
files2="g1 d/g2"
gs=$(gsum "$log2" s)
want3=$(printf '%s\n%s\n' "$g1" "$gs" | sort)
g3=$(gsum "$log3" 3)
h3=$(hsum "$imgA" $files1 $files2)
e2fsck -fn "$imgA" >"$work/fsck3.log" 2>&1
frc=$?
[ $frc -ne 0 ] && sed 's/^/#   /' "$work/fsck3.log" | tail -n 20
gsaid "$log3" | grep -E '^(fsck|in-flight)' | sed 's/^/#   /'
[ -n "$gs" ] && [ "$(echo "$want3" | wc -l)" -eq 6 ] && [ "$g3" = "$want3" ] &&
[ "$h3" = "$want3" ] && gsaid "$log3" | grep -q '^fsck after boot 3: rc=0' && [ $frc -eq 0 ] &&
dd if="$imgA" bs=1M skip=48 count=4 status=none | cmp -s - "$work/pattern.bin"
if ! ktap_check $? "after the kill: files synced before it have their sums (guest and host), fsck clean in guest and host, pattern intact"; then
	note "want: $want3"; note "guest: $g3"; note "host: $h3"
fi

# 20. Clean-up.
"$ctl" dev del "$A" force && "$ctl" dev del "$R" force && "$ctl" dev del "$FT" force &&
[ ! -e "/dev/vblk/$A" ] &&
! "$ctl" dev show "$A" >/dev/null 2>&1
ktap_check $? "vblkctl dev del: both devices gone"

note "total $(($(date +%s) - t_start)) s"
ktap_finished
