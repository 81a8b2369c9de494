#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of the vblk-vmm disk test (runs as /test.sh, see init): the
# host wrote "vblk-host-wrote" at the start of the backing file; read it
# through /dev/vda, write "vblk-guest-wrote" to sector 1 with fsync, read
# the whole disk.  The host checks sector 1 of the file afterwards.
echo "vblk-guest: block devices: $(ls /sys/block | tr '\n' ' ')"
[ -b /dev/vda ] || { echo "vblk-guest: no /dev/vda"; exit 3; }
echo "vblk-guest: vda has $(cat /sys/block/vda/size) sectors"
head=$(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -c 15)
echo "vblk-guest: sector 0 reads '$head'"
[ "$head" = "vblk-host-wrote" ] || exit 4
echo "vblk-guest-wrote" | dd of=/dev/vda bs=512 seek=1 conv=sync,fsync 2>/dev/null ||
	{ echo "vblk-guest: write failed"; exit 5; }
dd if=/dev/vda of=/dev/null bs=64k 2>/dev/null ||
	{ echo "vblk-guest: reading the whole disk failed"; exit 6; }
echo "vblk-guest: disk read and written"
exit 0
