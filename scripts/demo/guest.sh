#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The `make run` demo, guest side (/test.sh of the guest's initramfs): look
# at /dev/vda, write a pattern with O_DIRECT, read it back and verify it,
# then time a sequential O_DIRECT read against the throttle.
say() { echo "demo:   guest| $*"; }
now() { cut -d' ' -f1 /proc/uptime; }	# seconds, 10 ms resolution
[ -b /dev/vda ] || { say "no /dev/vda"; exit 3; }
say "/dev/vda: $(( $(cat /sys/block/vda/size) / 2048 )) MiB, serial '$(cat /sys/block/vda/serial 2>/dev/null)', read-only=$(cat /sys/block/vda/ro)"

dd if=/dev/urandom of=/tmp/pattern bs=1M count=4 2>/dev/null
want=$(md5sum </tmp/pattern | cut -c1-32)
dd if=/tmp/pattern of=/dev/vda bs=1M seek=8 oflag=direct 2>/dev/null || { say "write failed"; exit 4; }
got=$(dd if=/dev/vda bs=1M skip=8 count=4 iflag=direct 2>/dev/null | md5sum | cut -c1-32)
if [ "$got" != "$want" ]; then
	say "read-back MISMATCH: wrote $want, read $got"; exit 5
fi
say "wrote 4 MiB at 8 MiB with O_DIRECT, read back, md5 $want: match"
echo "$want" >/tmp/md5

# The write above emptied the byte bucket's burst; this read runs at the
# configured rate.
t0=$(now)
dd if=/dev/vda of=/dev/null bs=256k count=160 iflag=direct 2>/dev/null || { say "read failed"; exit 6; }
t1=$(now)
ms=$(echo "$t0 $t1" | awk '{ printf "%d", ($2 - $1) * 1000 }')
kib=$((160 * 256))
say "sequential O_DIRECT read: $kib KiB in $ms ms = $(awk -v k=$kib -v m=$ms 'BEGIN { printf "%.2f", k / 1024 / (m / 1000) }') MiB/s"
echo "vblk-guest: md5 $want"
exit 0
