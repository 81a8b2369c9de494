#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real Linux guest on a multiqueue vblk disk with requests in flight:
# vblk-vmm boots the test kernel with 2 vCPUs on a 2-queue disk backed by
# a loop device opened with O_DIRECT (vblk's asynchronous path); in the
# guest, virtio_blk must use both queues and fio --direct=1 --iodepth=16
# --rw=randrw --verify=crc32c, one job per vCPU, must pass.  fio and its
# libraries come on a second, read-only vblk disk (an ext4 image), read
# by the guest as it runs them.  Prints KTAP.
#
# Needs /dev/kvm, vblk.ko loaded, user/vblk-vmm and user/vblkctl, fio on
# this host, and a test host under QEMU 10 (VBLK_HOST_QEMU=10, the
# default): under the system QEMU's TCG a 2-vCPU nested guest crashes the
# test host's KVM.
GUEST_TIMEOUT_DEFAULT=1200
. "$(dirname "$0")/guest_lib.sh"
set -u
disk=vmq-$$
tools=vmq-tools-$$
loop=

cleanup() {
	"$ctl" dev del "$disk" force >/dev/null 2>&1
	"$ctl" dev del "$tools" force >/dev/null 2>&1
	sleep 1
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

ktap_print_header
ktap_set_plan 3

skip_all() {
	ktap_test_skip "2 vCPUs, 2 queues: $1"
	ktap_test_skip "fio randrw depth 16 with verification: $1"
	ktap_test_skip "host: both queues used, counters add up: $1"
	ktap_finished
}

[ -c /dev/kvm ] && [ -x "$vmm" ] && [ -f "$bz" ] ||
	skip_all "needs /dev/kvm, $vmm and a guest kernel ($bz)"
grep -q '^vblk ' /proc/modules || skip_all "vblk.ko is not loaded"
[ "${VBLK_HOST_QEMU:-}" = 10 ] ||
	skip_all "needs the test host under QEMU 10 (nested SMP)"
fio=$(command -v fio) || skip_all "fio is not installed"

# The tools disk: fio with every library it loads, at the same paths.
mkdir -p "$work/tools/usr/bin"
cp "$fio" "$work/tools/usr/bin/fio"
ldd "$fio" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
while read -r lib; do
	mkdir -p "$work/tools$(dirname "$lib")"
	cp -L "$lib" "$work/tools$lib"
done
ld=$(ldd "$fio" | awk '$1 ~ /^\// { print $1 }')
libs=$(ldd "$fio" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | xargs -n1 dirname | sort -u | sed 's|^|/mnt/t|' | paste -sd:)
size=$(( $(du -sm "$work/tools" | cut -f1) + 32 ))
if ! mkfs.ext4 -q -F -d "$work/tools" "$work/tools.img" "${size}M" >"$work/mkfs.log" 2>&1; then
	sed 's/^/# /' "$work/mkfs.log"
	skip_all "cannot build the tools image"
fi
rm -rf "$work/tools"

# The data disk: a loop device over a file, opened with O_DIRECT.
truncate -s 64M "$work/data.img"
loop=$(losetup -f --show "$work/data.img") || skip_all "no loop device"
"$ctl" dev add "$disk" backing "$loop" direct queues 2 >"$work/ctl.log" 2>&1 &&
	"$ctl" dev add "$tools" backing "$work/tools.img" ro >>"$work/ctl.log" 2>&1 ||
	{ sed 's/^/# /' "$work/ctl.log"; skip_all "vblkctl dev add failed"; }

cat >"$work/guest.sh" <<GUEST
#!/bin/sh
echo "vblk-guest: cpus \$(nproc)"
[ "\$(nproc)" = 2 ] || exit 10
nq=\$(ls /sys/block/vda/mq | wc -l)
echo "vblk-guest: vda queues \$nq"
[ "\$nq" = 2 ] || exit 11
mkdir -p /mnt/t
mount -t ext4 -o ro /dev/vdb /mnt/t || exit 12
/mnt/t$ld --library-path $libs /mnt/t/usr/bin/fio --name=vmq \\
	--filename=/dev/vda --direct=1 --ioengine=libaio --iodepth=16 \\
	--rw=randrw --bs=4k --size=8M --numjobs=2 --offset_increment=16M \\
	--cpus_allowed=0-1 --cpus_allowed_policy=split \\
	--verify=crc32c --do_verify=1 --verify_fatal=1 \\
	--group_reporting --minimal >/tmp/fio.out 2>&1
rc=\$?
echo "vblk-guest: fio rc=\$rc \$(cut -d';' -f3,6,7,46,47 /tmp/fio.out | head -1)"
grep -i 'verify\|error' /tmp/fio.out | head -5 | sed 's/^/vblk-guest: fio: /'
exit \$rc
GUEST
chmod +x "$work/guest.sh"
"$here/mkinitramfs.sh" "$work/g.cpio.gz" "$work/guest.sh" >"$work/mk.log" 2>&1 ||
	{ sed 's/^/# /' "$work/mk.log"; skip_all "cannot build the initramfs"; }

start=$(date +%s)
timeout -k 10 "$tmo" "$vmm" --kernel "$bz" --mem 768 --cpus 2 --reboot-exits \
	--initrd "$work/g.cpio.gz" --disk "$disk" --disk "$tools" \
	--cmdline "console=ttyS0 panic=-1 loglevel=3 kmemleak=off mitigations=off" \
	</dev/null >"$work/guest.log" 2>&1
rc=$?
log=$(tr -d '\r' <"$work/guest.log")
grep '^vblk-guest:' <<<"$log" | sed 's/^/# /'
echo "# guest took $(( $(date +%s) - start )) s, vblk-vmm status $rc"

grep -qx "vblk-guest: vda queues 2" <<<"$log"
ktap_check $? "2 vCPUs, 2 queues: the guest's virtio_blk uses both"

grep -qx "vblk-guest: done, rc=0" <<<"$log" && grep -q "^vblk-guest: fio rc=0" <<<"$log"
ktap_check $? "fio randrw depth 16 with verification on the 2-queue disk passes"

"$ctl" -j -s dev show "$disk" >"$work/show.json" 2>&1
python3 - "$work/show.json" <<'EOF' >"$work/py.log" 2>&1
import json, sys
d = json.load(open(sys.argv[1]))[0]
q = d["queue"]
# the guest's shutdown resets the rings: the lifetime per-queue counters
print("# per queue requests:", [x["requests"] for x in q])
st = d["stats"]
print("# reads", st["reads-completed"], "writes", st["writes-completed"],
      "io_errors", st["io-errors"])
ok = len(q) == 2 and all(x["requests"] > 0 for x in q) \
    and st["reads-completed"] > 0 and st["writes-completed"] > 0 \
    and st["io-errors"] == 0
sys.exit(0 if ok else 1)
EOF
pyrc=$?
cat "$work/py.log"
ktap_check $pyrc "host: both queues served requests, reads and writes counted, no I/O error"
ktap_finished
