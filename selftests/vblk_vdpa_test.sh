#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The vDPA binding without a guest: `vdpa dev add` puts a vblk device on the
# vDPA bus, the host's own virtio_blk driver takes it through virtio_vdpa,
# and /dev/vdX is a throttled block device over the backing file.  Checks
# fio with verification on both queues, an ext4 file system, the backing
# bytes, the counters (device and per queue), the throttle, the refusals
# between the two bindings, and `vdpa dev del` while I/O runs.  Prints
# KTAP (the kernel's ktap_helpers.sh).
#
# Needs vblk.ko loaded, kmod/vblk_vdpa.ko, user/vblkctl, iproute2's vdpa,
# fio, e2fsprogs and python3.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=${VBLK_ROOT:-$(cd "$here/.." && pwd)}
. "$root/selftests/lib/vblk_ktap.sh"
ctl=$root/user/vblkctl
work=$(mktemp -d)
. "$root/selftests/lib/vblk_e2e.sh"
. "$root/selftests/lib/vblk_vdpa.sh"
N=vdpa-$$
B=vdpa-held-$$
img=$work/disk.img
mnt=$work/mnt
NTESTS=12
t_start=$(date +%s)

cleanup() {
	exec 3>&- 2>/dev/null
	[ -n "${bg:-}" ] && kill -9 "$bg" 2>/dev/null
	mountpoint -q "$mnt" && umount "$mnt"
	vdpa_cleanup "$N" "$B"
}
trap cleanup EXIT

vdpa_begin $NTESTS "" fio mkfs.ext4 e2fsck debugfs python3

# ---- 1. vdpa dev add, virtio_vdpa, /dev/vdX ---------------------------------

truncate -s $((128 * MIB)) "$img"
"$ctl" dev add "$N" backing "$img" queues 2 serial vdpa-disk >"$work/ctl.log" 2>&1 &&
vdpa_load && vdpa mgmtdev show 2>&1 | tee "$work/mgmt.log" | grep -q '^vblk:' &&
vdpa dev add name "$N" mgmtdev vblk && vdpa_driver "$N" virtio_vdpa
rc=$?
vd=$(vdpa_blockdev "$N")
note "vdpa dev show: $(vdpa dev show "$N" 2>&1)"
note "block device: ${vd:-none}, mq: $(ls /sys/block/${vd:-none}/mq 2>/dev/null | tr '\n' ' ')"
[ $rc -eq 0 ] && [ -n "$vd" ] && [ -b "/dev/$vd" ] &&
[ "$(cat /sys/block/$vd/size)" -eq $((128 * MIB / 512)) ] &&
[ "$(ls /sys/block/$vd/mq | wc -l)" -eq 2 ] &&
[ "$(cat /sys/block/$vd/serial 2>/dev/null)" = vdpa-disk ] &&
[ "$(attached "$N")" = true ]
if ! ktap_check $? "vdpa dev add: virtio_vdpa makes /dev/vdX, 128 MiB, 2 queues, serial, device bound"; then
	sed 's/^/#   /' "$work/ctl.log" "$work/mgmt.log"
	for i in $(seq 2 $NTESTS); do ktap_test_fail "no /dev/vdX"; done
	ktap_finished
fi
D=/dev/$vd

# ---- 2. fio with verification, both queues ------------------------------------

q0=(); for q in 0 1; do q0[q]=$(vq_stat "$N" $q requests); done
fio --name=vdpa --filename="$D" --direct=1 --ioengine=libaio --rw=randrw \
	--bsrange=4k-64k --iodepth=16 --size=16M --numjobs=2 \
	--offset_increment=16M --verify=crc32c --verify_fatal=1 \
	--cpus_allowed=0,1 --cpus_allowed_policy=split \
	--group_reporting >"$work/fio.log" 2>&1
frc=$?
per=""; served=0
for q in 0 1; do
	d=$(($(vq_stat "$N" $q requests) - q0[q]))
	per="$per queue $q: $d requests,"
	[ "$d" -gt 0 ] && served=$((served + 1))
done
note "fio rc $frc;$per $(grep -E '^ +(READ|WRITE):' "$work/fio.log" | tr -s ' ' | tr '\n' ';')"
[ $frc -eq 0 ] && ! grep -q 'verify:' "$work/fio.log" && [ $served -eq 2 ]
ktap_check $? "fio --direct=1 --verify=crc32c randrw depth 16, 2 jobs on 2 CPUs: passes, both queues served" ||
	tail -n 15 "$work/fio.log" | sed 's/^/#   /'

# ---- 3-4. bytes and counters --------------------------------------------------------

head -c $((8 * MIB)) /dev/urandom >"$work/pattern"
w0=$(counter "$N" bytes-written) wc0=$(counter "$N" writes-completed)
r0=$(counter "$N" bytes-read) rc0=$(counter "$N" reads-completed)
e0=$(counter "$N" io-errors) qb0=$(vq_sum "$N" bytes) k0=$(vq_sum "$N" kicks)
dd if="$work/pattern" of="$D" bs=64k seek=$((96 * 16)) oflag=direct status=none &&
dd if="$D" of="$work/back" bs=64k skip=$((96 * 16)) count=128 iflag=direct status=none
rc=$?
dw=$(($(counter "$N" bytes-written) - w0)) dwc=$(($(counter "$N" writes-completed) - wc0))
dr=$(($(counter "$N" bytes-read) - r0)) drc=$(($(counter "$N" reads-completed) - rc0))
de=$(($(counter "$N" io-errors) - e0))
dqb=$(($(vq_sum "$N" bytes) - qb0)) dk=$(($(vq_sum "$N" kicks) - k0))
note "8 MiB in 64 KiB O_DIRECT writes and reads: bytes_written +$dw ($dwc requests)," \
     "bytes_read +$dr ($drc), io_errors +$de, per-queue bytes +$dqb, kicks +$dk"
[ $rc -eq 0 ] && cmp -s "$work/pattern" "$work/back" &&
dd if="$img" bs=1M skip=96 count=8 status=none | cmp -s - "$work/pattern"
ktap_check $? "O_DIRECT pattern through /dev/vdX reads back, and the backing file holds it at 96 MiB"
[ $dw -eq $((8 * MIB)) ] && [ $dwc -eq 128 ] && [ $dr -eq $((8 * MIB)) ] &&
[ $drc -eq 128 ] && [ $de -eq 0 ] && [ $dqb -eq $((16 * MIB)) ] && [ $dk -gt 0 ]
ktap_check $? "counters: +8 MiB written and read in 128 requests each, per-queue bytes add up, kicks counted"

# ---- 5. ext4 -------------------------------------------------------------------

mkdir -p "$mnt" "$work/files"
for f in a:1048576 b:307200 c:4096 d:65536; do
	head -c "${f#*:}" /dev/urandom >"$work/files/${f%%:*}"
done
want=$(cd "$work/files" && sha256sum a b c d)
# ext4 in the first 64 MiB: the I/O of test 10 runs above it.
mkfs.ext4 -q -F -E nodiscard "$D" 64M >"$work/mkfs.log" 2>&1 &&
mount "$D" "$mnt" && cp "$work/files"/* "$mnt/" && sync &&
got=$(cd "$mnt" && sha256sum a b c d) && umount "$mnt" &&
e2fsck -fn "$D" >"$work/fsck.log" 2>&1
rc=$?
host=$(for f in a b c d; do
	debugfs -R "dump /$f $work/dump" "$img" >/dev/null 2>&1
	echo "$(sha256sum <"$work/dump" | cut -d' ' -f1)  $f"
done)
[ $rc -eq 0 ] && [ "$got" = "$want" ] && [ "$host" = "$want" ] && e2fsck -fn "$img" >/dev/null 2>&1
ktap_check $? "mkfs.ext4 + mount + files + fsck on /dev/vdX clean; the backing file holds the same files" ||
	sed 's/^/#   /' "$work/mkfs.log" "$work/fsck.log" | tail -n 20

# ---- 6. throttle --------------------------------------------------------------------

# rd KIB SKIP_KIB: bytes/s of an O_DIRECT read of /dev/vdX
rd() {
	local t0 t1
	t0=$(date +%s%N)
	dd if="$D" of=/dev/null bs=64k count=$(($1 / 64)) skip=$(($2 / 64)) iflag=direct status=none
	t1=$(date +%s%N)
	echo $(($1 * 1024 * 1000000000 / (t1 - t0)))
}
# at VAR: VAR_us, the instant (microseconds), and VAR_b, the data bytes the
# device has served (its per-queue counters summed), read by the shell
# itself: no process is started between the clock and the counters.
at() {
	local a i s=0 t0=${EPOCHREALTIME//[!0-9]/} t1
	while read -r -a a; do
		for ((i = 2; i + 1 < ${#a[@]}; i += 2)); do
			[ "${a[i]}" = bytes ] && s=$((s + a[i + 1]))
		done
	done <"$VDPA_BUS/devices/$N/vq_stats"
	t1=${EPOCHREALTIME//[!0-9]/}
	printf -v "${1}_us" %s $(((t0 + t1) / 2))
	printf -v "${1}_b" %s "$s"
}
u=$(rd 16384 0)
lim=$(throttle_limit "$u")
# The window: at least 4 s and 200 of the reader's 64 KiB requests.  What
# it counts is the limit times its length, give or take the bucket's
# level (under one request) and the request in flight at either end:
# under 1%.
win=$(((200 * 65536 + lim - 1) / lim)); [ "$win" -lt 4 ] && win=4
thr0=$(counter "$N" throttled-count)
"$ctl" set-throttle "$N" bps $lim >/dev/null
# A reader that always wants more than the limit, from 32 MiB on.  The
# bucket starts with a second's worth (the burst): the window opens only
# once the reader has been refused (the bucket is empty), and then counts
# what the device served between two instants, so neither the burst nor
# the reader's start nor its end is in it.
dd if="$D" of=/dev/null bs=64k skip=512 count=$(((lim * (win + 20) + 65535) / 65536)) \
	iflag=direct status=none &
bg=$!
for i in $(seq 100); do
	[ "$(counter "$N" throttled-count)" -gt "$thr0" ] && break
	sleep 0.1
done
thr=$(($(counter "$N" throttled-count) - thr0))
at w0
sleep "$win"
at w1
alive=0; kill -0 $bg 2>/dev/null && alive=1
kill $bg 2>/dev/null; wait $bg 2>/dev/null; bg=""
"$ctl" set-throttle "$N" off >/dev/null
got=$(((w1_b - w0_b) * 1000000 / (w1_us - w0_us)))
note "unthrottled $u B/s; limit $lim B/s; refused after the burst: $thr;" \
     "served $((w1_b - w0_b)) B in $((w1_us - w0_us)) us: $got B/s"
[ "$thr" -gt 0 ] && [ "$alive" = 1 ] &&
[ "$got" -ge $((lim * 97 / 100)) ] && [ "$got" -le $((lim * 103 / 100)) ]
ktap_check $? "throttle bps $lim through /dev/vdX: an O_DIRECT reader is served $got B/s over ${win} s (within 3%)"

# ---- 7-9. refusals ---------------------------------------------------------------

"$ctl" dev del "$N" >"$work/del.log" 2>&1
rc1=$?
"$ctl" dev del "$N" force >>"$work/del.log" 2>&1
rc2=$?
sed 's/^/#   /' "$work/del.log"
[ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && [ "$(grep -c 'bound to vDPA' "$work/del.log")" -eq 2 ] &&
"$ctl" dev show "$N" >/dev/null 2>&1
ktap_check $? "vblkctl dev del (and force) of a vDPA-bound device: refused, exit 2, 'bound to vDPA'"

(exec 3<>"/dev/vblk/$N") 2>"$work/open.log"
rc=$?
sed 's/^/#   /' "$work/open.log"
[ $rc -ne 0 ] && grep -q 'Device or resource busy' "$work/open.log" &&
dmesg | grep -q "vblk: $N: vmm binding refused, the device has a vdpa binding"
ktap_check $? "open of /dev/vblk/NAME while vDPA holds it: EBUSY, logged"

truncate -s $MIB "$work/held.img"
"$ctl" dev add "$B" backing "$work/held.img" >/dev/null && exec 3<>"/dev/vblk/$B"
vdpa dev add name "$B" mgmtdev vblk >"$work/add.log" 2>&1
rc1=$?
exec 3>&-
vdpa dev add name "nosuch-$$" mgmtdev vblk >>"$work/add.log" 2>&1
rc2=$?
sed 's/^/#   /' "$work/add.log"
[ $rc1 -ne 0 ] && grep -q 'Device or resource busy' "$work/add.log" &&
dmesg | grep -q "vblk: $B: vdpa binding refused, the device has a vmm binding" &&
[ $rc2 -ne 0 ] && grep -q 'No such device' "$work/add.log" &&
dmesg | grep -q "no vblk device named 'nosuch-$$'" &&
! vdpa dev show "$B" >/dev/null 2>&1 && "$ctl" dev del "$B" >/dev/null
ktap_check $? "vdpa dev add of a device held by /dev/vblk: EBUSY; of an unknown name: ENODEV; both logged"

# ---- 10-11. vdpa dev del under I/O ---------------------------------------------

fio --name=del --filename="$D" --direct=1 --ioengine=libaio --rw=randrw \
	--bs=16k --iodepth=16 --offset=64M --size=64M --time_based --runtime=120 \
	--numjobs=2 --cpus_allowed=0,1 --cpus_allowed_policy=split \
	>"$work/fio2.log" 2>&1 &
bg=$!
sleep 3
b0=$(($(counter "$N" bytes-read) + $(counter "$N" bytes-written)))
sleep 1
b1=$(($(counter "$N" bytes-read) + $(counter "$N" bytes-written)))
t0=$(date +%s)
timeout 60 vdpa dev del "$N"
rc=$?
t1=$(date +%s)
for i in $(seq 60); do kill -0 $bg 2>/dev/null || break; sleep 0.5; done
kill -0 $bg 2>/dev/null && { note "fio still running after vdpa dev del"; rc=1; kill -9 $bg; }
wait $bg
frc=$?
bg=""
b2=$(($(counter "$N" bytes-read) + $(counter "$N" bytes-written)))
sleep 1
b3=$(($(counter "$N" bytes-read) + $(counter "$N" bytes-written)))
note "I/O before: +$((b1 - b0)) B/s; vdpa dev del rc $rc in $((t1 - t0)) s; fio rc $frc; after: +$((b3 - b2)) B in 1 s"
[ $((b1 - b0)) -gt 0 ] && [ $rc -eq 0 ] && [ $frc -ne 0 ] && [ ! -e "/sys/block/$vd" ] &&
[ ! -e "$VDPA_BUS/devices/$N" ] && [ $b3 -eq $b2 ] && [ "$(attached "$N")" = false ]
ktap_check $? "vdpa dev del while fio runs: returns, /dev/vdX gone, fio fails, I/O stops, device unbound"

# The device is whole again: a second add works, the file system is intact.
vdpa dev add name "$N" mgmtdev vblk && vdpa_driver "$N" virtio_vdpa &&
vd=$(vdpa_blockdev "$N") && e2fsck -fn "/dev/$vd" >"$work/fsck2.log" 2>&1 &&
mount -o ro "/dev/$vd" "$mnt" && got=$(cd "$mnt" && sha256sum a b c d) && umount "$mnt" &&
[ "$got" = "$want" ]
ktap_check $? "vdpa dev add again after the del: /dev/vdX back, ext4 clean, files intact" ||
	sed 's/^/#   /' "$work/fsck2.log" | tail -n 10

# ---- 12. module unload --------------------------------------------------------------

if [ "$vdpa_loaded_here" = 1 ]; then
	vdpa_unload && [ ! -e "$VDPA_BUS/devices/$N" ] && [ "$(attached "$N")" = false ] &&
	"$ctl" dev del "$N" >/dev/null && [ ! -e "/dev/vblk/$N" ]
	ktap_check $? "rmmod vblk_vdpa deletes its vDPA devices; the vblk device is free and deleted"
else
	ktap_test_skip "vblk_vdpa.ko was loaded before the test: not unloaded"
fi

note "total $(($(date +%s) - t_start)) s"
ktap_finished
