#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of vblk_e2e_test.sh and vdpa_qemu_test.sh (runs as /test.sh,
# see init).  The kernel command line says which boot this is (vblk_e2e=1,
# 2 or 3; v1 for the vDPA test's first boot, see the end); the disks are
# found by serial: "vblk-e2e-rw" (64 MiB, read-write) and "vblk-e2e-ro"
# (read-only, holds an ext4 file system made by the host).  The image also
# carries /pattern.bin (4 MiB), the host's mke2fs and e2fsck in /opt/e2fs
# and their libraries.
#
# Layout of the read-write disk: ext4 in the first 32 MiB, raw writes of
# boot 2 at 40-44 MiB, the pattern at 48 MiB, the host's mailbox sector at
# 63 MiB (4 KiB). Boot 1 also has "vblk-e2e-ft" (64 MiB, sparse): discard,
# fstrim, a live resize with resize2fs, and the cache mode switched.  Lines starting with "vblk-guest: " are for the host test, which
# decides pass or fail; this script stops at the first thing that goes
# wrong.
E2FS=/opt/e2fs
# For a dry run outside a guest: another boot number and /sys/block.
SYSB=${E2E_SYSBLOCK:-/sys/block}
MBOX=$((63 * 256))	# in 4 KiB blocks
say() { echo "vblk-guest: $*"; }
fail() { say "FAIL: $*"; exit 1; }
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

by_serial() {
	for s in "$SYSB"/vd*; do
		[ "$(cat "$s/serial" 2>/dev/null)" = "$1" ] && { basename "$s"; return 0; }
	done
	return 1
}

boot=${E2E_BOOT:-$(sed -n 's/.*vblk_e2e=\([0-9a-z]*\).*/\1/p' /proc/cmdline)}
for s in "$SYSB"/vd*; do
	[ -e "$s" ] || break
	say "disk $(basename "$s") sectors=$(cat "$s/size") ro=$(cat "$s/ro")" \
	    "serial=$(cat "$s/serial" 2>/dev/null) cache=$(tr ' ' _ <"$s/queue/write_cache")"
done
a=$(by_serial vblk-e2e-rw) || fail "no disk with serial vblk-e2e-rw"
A=/dev/$a

# Print "vblk-guest: sum$1 SHA256  NAME" for every file of manifest $2.
sums() {
	(cd /mnt && sha256sum $(cut -d' ' -f3 "$2")) | while read -r l; do
		say "sum$1 $l"
	done
}

# Check manifest $2 under /mnt (sha256sum -c) and print the sums again.
check_manifest() {
	(cd /mnt && sha256sum -c "$2" >/tmp/check.log 2>&1) ||
		{ cat /tmp/check.log; fail "boot $boot: $2 does not check"; }
	sums "$1" "/mnt/$2"
}

# Timed sequential O_DIRECT read: rd LABEL SKIP_KIB KIB.
rd() {
	t0=$(now_ms)
	dd if=$A of=/dev/null bs=256k skip=$(($2 / 256)) count=$(($3 / 256)) \
	   iflag=direct 2>/dev/null || fail "O_DIRECT read ($1)"
	t1=$(now_ms)
	say "rate $1 bytes=$(($3 * 1024)) ms=$((t1 - t0))"
}

# Wait until the host writes "vblk-mbox SEQ DRAIN_KIB TIMED_KIB" into the
# mailbox; polls with 4 KiB O_DIRECT reads, counted in $polls.
mbox() {
	while :; do
		l=$(dd if=$A bs=4k skip=$MBOX count=1 iflag=direct 2>/dev/null |
		    tr -d '\000' | head -n 1)
		polls=$((polls + 1))
		case "$l" in
		"vblk-mbox $1 "*)
			set -- $l
			drain=$3 timed=$4
			return 0
			;;
		esac
		usleep 200000
	done
}

# Boot 1 on the read-write disk: the pattern, then ext4.
boot1_data() {
	# Pattern with O_DIRECT at 48 MiB, read back the same way.
	want=$(sha256sum </pattern.bin)
	dd if=/pattern.bin of=$A bs=1M seek=48 oflag=direct 2>/dev/null ||
		fail "O_DIRECT write of the pattern"
	got=$(dd if=$A bs=1M skip=48 count=4 iflag=direct 2>/dev/null | sha256sum)
	[ "$got" = "$want" ] || fail "pattern read back as $got, wrote $want"
	say "pattern written and read back with O_DIRECT: ${want%% *}"

	# ext4 on the first 32 MiB; files with known sums; sync; fsck.
	$E2FS/mke2fs -q -F -t ext4 -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 \
		$A 32M || fail "mke2fs"
	mount -t ext4 $A /mnt || fail "mount of the new ext4"
	mkdir /mnt/d
	dd if=/dev/urandom of=/mnt/f1 bs=64k count=16 2>/dev/null
	dd if=/dev/urandom of=/mnt/f2 bs=1k count=300 2>/dev/null
	echo "written by vblk-e2e boot 1" >/mnt/f3
	dd if=/dev/urandom of=/mnt/d/f4 bs=4k count=33 2>/dev/null
	(cd /mnt && sha256sum f1 f2 f3 d/f4 >MANIFEST1)
	sync
	sums 1 /mnt/MANIFEST1
	umount /mnt || fail "umount"
	$E2FS/e2fsck -fn $A >/tmp/fsck.log 2>&1
	rc=$?
	say "fsck after boot 1: rc=$rc"
	[ $rc = 0 ] || { cat /tmp/fsck.log; fail "e2fsck -fn: $rc"; }
}

# Boot 1 on the read-only disk: its file reads right, every write is refused.
boot1_ro() {
	r=$(by_serial vblk-e2e-ro) || fail "no disk with serial vblk-e2e-ro"
	R=/dev/$r
	mount -t ext4 -o ro $R /ro || fail "read-only mount of $R"
	say "ro file $(sha256sum /ro/hello.bin)"
	touch /ro/new 2>/dev/null && fail "created a file on the read-only disk"
	mount -o remount,rw /ro 2>/dev/null && fail "remounted the read-only disk rw"
	umount /ro
	if dd if=/pattern.bin of=$R bs=4k count=1 oflag=direct 2>/tmp/err; then
		fail "O_DIRECT write to the read-only disk succeeded"
	fi
	say "ro O_DIRECT write refused: $(grep -v records /tmp/err | head -n 1)"
	if dd if=/pattern.bin of=$R bs=4k count=1 seek=100 conv=fsync 2>/tmp/err; then
		fail "buffered write + fsync to the read-only disk succeeded"
	fi
	say "ro buffered write refused: $(grep -v records /tmp/err | head -n 1)"
}

# Boot 1's throttle phases: unlimited, then whatever limit the host sets
# (the mailbox), then off.
boot1_throttle() {
	polls=0
	rd unlimited0 0 32768
	rs0=$(awk '{ print $3 }' "$SYSB/$a/stat" 2>/dev/null)
	say "throttle: want limit"
	mbox 1
	polls1=$polls
	rd drain 0 "$drain"
	rd limited "$drain" "$timed"
	rs1=$(awk '{ print $3 }' "$SYSB/$a/stat" 2>/dev/null)
	say "throttle: window read sectors $((${rs1:-0} - ${rs0:-0}))"
	say "throttle: want off"
	mbox 2
	rd unlimited1 0 "$timed"
	say "polls limit=$polls1 off=$((polls - polls1))"
}

# The block features on "vblk-e2e-ft": each step waits for the host (which
# measures the backing file) before the next.
features() {
	f=$(by_serial vblk-e2e-ft) || fail "no disk with serial vblk-e2e-ft"
	F=/dev/$f
	q=$SYSB/$f/queue
	say "ft limits discard=$(cat $q/discard_max_bytes)" \
	    "zeroes=$(cat $q/write_zeroes_max_bytes) cache=$(tr ' ' _ <$SYSB/$f/cache_type)" \
	    "phys=$(cat $q/physical_block_size) io_min=$(cat $q/minimum_io_size)"
	dd if=/dev/urandom of=$F bs=1M count=8 oflag=direct 2>/dev/null ||
		fail "write to $F"
	say "ft written"
	mbox 3
	blkdiscard -o 0 -l 8388608 $F || fail "blkdiscard"
	say "ft discarded"
	mbox 4
	$E2FS/mke2fs -q -F -t ext4 -E nodiscard,lazy_itable_init=0,lazy_journal_init=0 \
		$F || fail "mke2fs on $F"
	mount -t ext4 $F /mnt || fail "mount $F"
	dd if=/dev/urandom of=/mnt/big bs=1M count=16 2>/dev/null
	sync
	rm /mnt/big
	sync
	say "ft filled and deleted"
	mbox 5
	fstrim -v /mnt >/tmp/trim.log 2>&1 || { cat /tmp/trim.log; fail "fstrim"; }
	say "ft trimmed: $(cat /tmp/trim.log)"
	mbox 6
	s0=$(cat $SYSB/$f/size)
	k0=$(df -k /mnt | awk 'NR == 2 { print $2 }')
	say "ft want resize"
	mbox 7
	i=0
	while [ "$(cat $SYSB/$f/size)" = "$s0" ] && [ $i -lt 100 ]; do
		usleep 200000
		i=$((i + 1))
	done
	s1=$(cat $SYSB/$f/size)
	$E2FS/resize2fs $F >/tmp/rs.log 2>&1 || { cat /tmp/rs.log; fail "resize2fs"; }
	k1=$(df -k /mnt | awk 'NR == 2 { print $2 }')
	say "ft resized sectors=$s0->$s1 fs_kib=$k0->$k1"
	echo "after the resize" >/mnt/after
	umount /mnt || fail "umount $F"
	$E2FS/e2fsck -fn $F >/tmp/fsck.log 2>&1
	rc=$?
	say "ft fsck after resize: rc=$rc"
	[ $rc = 0 ] || { cat /tmp/fsck.log; fail "e2fsck -fn $F: $rc"; }
	echo "write through" >$SYSB/$f/cache_type || fail "cache_type write through"
	say "ft cache $(tr ' ' _ <$SYSB/$f/cache_type) queue=$(tr ' ' _ <$q/write_cache)"
	mbox 8
	dd if=/dev/urandom of=$F bs=4k count=16 oflag=direct 2>/dev/null
	echo "write back" >$SYSB/$f/cache_type || fail "cache_type write back"
	say "ft cache $(tr ' ' _ <$SYSB/$f/cache_type) queue=$(tr ' ' _ <$q/write_cache)"
	mbox 9
}

boot1() {
	boot1_data
	boot1_ro
	boot1_throttle
	features
}

boot2() {
	$E2FS/e2fsck -fn $A >/tmp/fsck.log 2>&1
	rc=$?
	say "fsck before boot 2 mount: rc=$rc"
	[ $rc = 0 ] || { cat /tmp/fsck.log; fail "e2fsck -fn: $rc"; }
	mount -t ext4 $A /mnt || fail "mount"
	check_manifest 2 MANIFEST1
	dd if=/dev/urandom of=/mnt/g1 bs=64k count=8 2>/dev/null
	dd if=/dev/urandom of=/mnt/d/g2 bs=1k count=77 2>/dev/null
	(cd /mnt && sha256sum g1 d/g2 >MANIFEST2)
	sync
	sums s /mnt/MANIFEST2
	say "synced"
	# Now write until the host kills the VMM: files in the file system and
	# raw blocks at 40-44 MiB, all O_DIRECT so they reach the device.
	say "writing"
	i=0
	while :; do
		i=$((i + 1))
		dd if=/dev/urandom of=/mnt/inflight.$((i % 8)) bs=64k count=16 \
		   oflag=direct 2>/dev/null
		dd if=/dev/zero of=$A bs=64k seek=$((640 + i % 64)) count=1 \
		   oflag=direct 2>/dev/null
	done
}

boot3() {
	# The mount replays the journal left by the killed boot.
	mount -t ext4 $A /mnt || fail "mount after the kill"
	check_manifest 3 MANIFEST1
	check_manifest 3 MANIFEST2
	say "in-flight files present: $(ls /mnt | grep -c inflight)"
	umount /mnt || fail "umount"
	$E2FS/e2fsck -fn $A >/tmp/fsck.log 2>&1
	rc=$?
	say "fsck after boot 3: rc=$rc"
	[ $rc = 0 ] || { cat /tmp/fsck.log; fail "e2fsck -fn: $rc"; }
}

case "$boot" in
1) boot1 ;;
2) boot2 ;;
3) boot3 ;;
# One disk (the vDPA test): boot 1 without the read-only disk, then boot 2
# in the same boot, up to the writes that the host interrupts.
v1)
	boot1_data
	boot1_throttle
	say "boot 1 finished"
	boot2
	;;
*) fail "no vblk_e2e=N on the kernel command line" ;;
esac
say "boot $boot finished"
exit 0
