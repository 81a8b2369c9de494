#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark's job inside the test host (scripts/bench/run.sh boots it):
# check the clock, load vblk.ko and null_blk, make the backings, run
# hostrun.py (every backend, backing and job), then the throttle section.
# Results go to $VBLK_OUT: meta.txt, runs.jsonl, console/, throttle.txt.
#
#   scripts/bench/in-host.sh KO INITRD QEMU [hostrun.py options]
set -uo pipefail
ko=$1 initrd=$2 qemu=$3
shift 3
out=$VBLK_OUT
work=/run/vblk-bench
cs=/sys/devices/system/clocksource/clocksource0
fail() { echo "bench: $*"; echo "$*" >"$out/error.txt"; exit 1; }

{
	echo "test_host_kernel=$(uname -r) ($(uname -v))"
	echo "test_host_cpus=$(nproc) $(awk -F': ' '/^vendor_id/ { print $2; exit }' /proc/cpuinfo)"
	echo "test_host_clocksource=$(cat $cs/current_clocksource) (available: $(cat $cs/available_clocksource))"
	echo "test_host_loadavg=$(cat /proc/loadavg)"
	echo "nested_qemu=$("$qemu" -version | head -n 1)"
	echo "fio=$(fio --version)"
} >"$out/meta.txt"
cat "$out/meta.txt"
[ "$(cat $cs/current_clocksource)" = tsc ] ||
	fail "the test host's clocksource is $(cat $cs/current_clocksource), not tsc: timers are coarse, refusing to measure"
[ -c /dev/kvm ] || fail "no /dev/kvm in the test host"

# The counting pass's histogram triggers.
[ -d /sys/kernel/tracing/events ] || mount -t tracefs tracefs /sys/kernel/tracing ||
	fail "cannot mount tracefs"
mkdir -p $work
mount -t tmpfs -o size=1200m tmpfs $work || fail "cannot mount a tmpfs on $work"
cp "$initrd" $work/guest.cpio
insmod "$ko" || fail "insmod $ko failed"
# A memory-backed block device that completes every request after 1 ms.
insmod "$VBLK_KDIR/drivers/block/null_blk/null_blk.ko" nr_devices=1 gb=1 \
	bs=512 queue_mode=2 irqmode=2 completion_nsec=1000000 memory_backed=1 \
	hw_queue_depth=64 || fail "insmod null_blk failed"
# Both backings hold written data (no holes) in the region fio uses.
dd if=/dev/zero of=$work/disk.img bs=1M count=256 status=none || fail "tmpfs file"
dd if=/dev/zero of=/dev/nullb0 bs=1M count=256 oflag=direct status=none || fail "null_blk fill"

# Several queues: only when vblk takes "queues" (multiqueue) and nested
# guests with several vCPUs work under this test host.
mq_skip="vblk has one queue (vblkctl dev add ... queues 4 is refused)"
truncate -s 1M $work/probe.img
if "$VBLK_ROOT/user/vblkctl" dev add benchprobe backing $work/probe.img queues 4 >/dev/null 2>&1; then
	"$VBLK_ROOT/user/vblkctl" dev del benchprobe >/dev/null
	mq_skip=${BENCH_MQ_SKIP:-}
fi

python3 "$VBLK_ROOT/scripts/bench/hostrun.py" --out "$out" --root "$VBLK_ROOT" \
	--kdir "$VBLK_KDIR" --initrd $work/guest.cpio --qemu "$qemu" \
	--mq-skip "$mq_skip" "$@"
rc=$?

if [ -x "$out/throttle" ] && [ "${BENCH_THROTTLE:-1}" = 1 ]; then
	echo "bench: throttle section"
	(cd /tmp && "$out/throttle") >"$out/throttle.txt" 2>&1 || rc=1
	cat "$out/throttle.txt"
fi
echo "test_host_clocksource_end=$(cat $cs/current_clocksource)" >>"$out/meta.txt"
rmmod vblk null_blk 2>/dev/null
exit $rc
