#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: vblk against QEMU's virtio-blk and the bare backing, in one
# boot of the test host on the non-debug benchmark kernel.  Holds the
# machine lock for the whole run and refuses to publish a disturbed run.
#
#   scripts/bench/run.sh              (QUICK=1: one short repetition)
#
# Results: out/bench/<timestamp>/ with table.txt, results.json, bench.png,
# the test host's console and every raw record (vm/).  Environment:
#   QUICK=1                1 repetition of 3 s runs, counting 2 s
#   BENCH_REPS, BENCH_RT   repetitions (default 2), seconds per timed run (12)
#   BENCH_CT               seconds per counting run (4; 0: no counting pass)
#   BENCH_BACKINGS         tmpfs,nullblk   BENCH_BACKENDS  vblk,qemu-default,qemu-best,host
#   BENCH_JOBS             fio sections of scripts/bench/bench.fio
#   BENCH_HOST_QEMU=10     run the test host itself on QEMU 10 (default: the system's)
#   BENCH_THROTTLE=0       skip the throttle section
#   BENCH_IDLE_WAIT        seconds to wait for an idle machine (300; 0: do not wait)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$VBLK_ROOT"
t_begin=$(date +%s)
step() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ "${QUICK:-0}" = 1 ]; then
	reps=${BENCH_REPS:-1} rt=${BENCH_RT:-3} ct=${BENCH_CT:-2}
else
	reps=${BENCH_REPS:-2} rt=${BENCH_RT:-12} ct=${BENCH_CT:-4}
fi

# ---- the machine lock, for the whole run ---------------------------------
# Taken here unless an ancestor (flock ... make bench) already holds it.
lock=/tmp/vblk-machine.lock
held_by_ancestor() {
	local ino holders p
	ino=$(stat -c %i "$lock" 2>/dev/null) || return 1
	holders=$(awk -v i=":$ino" '$2 == "FLOCK" && $6 ~ i"$" { print $5 }' /proc/locks)
	p=$$
	while [ "$p" -gt 1 ]; do
		grep -qx "$p" <<<"$holders" && return 0
		p=$(awk '{ print $4 }' "/proc/$p/stat")
	done
	return 1
}
if ! held_by_ancestor; then
	exec 9>>"$lock"
	if ! flock -n 9; then
		step "waiting for the machine lock ($lock)"
		flock 9
	fi
fi

step "dependencies, QEMU 10, benchmark kernel, vblk.ko, guest image"
scripts/deps.sh python3-matplotlib
qemu10=$(scripts/qemu10.sh)
envs=$(scripts/bench/build.sh) || die "the benchmark kernel, vblk.ko or the guest image did not build"
eval "$envs"

stamp=$(date +%Y%m%d-%H%M%S)
run=$VBLK_ROOT/out/bench/$stamp
vm=$run/vm
mkdir -p "$vm"
khdr=$(vblk_ksrc_dir)/tools/testing/selftests
nl=$(pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
# shellcheck disable=SC2086
cc -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -isystem "$khdr" -Ikmod/include \
	-Iselftests/lib -Iuser/lib $nl -static -o "$vm/throttle" scripts/bench/throttle.c \
	selftests/lib/*.c user/lib/*.c -lnl-genl-3 -lnl-3 -lpthread 2>"$vm/throttle-build.log" ||
	{ cat "$vm/throttle-build.log" >&2; die "the throttle benchmark did not build"; }

hostq=qemu-system-x86_64
[ "${BENCH_HOST_QEMU:-}" = 10 ] && hostq=$qemu10

# ---- an idle machine -------------------------------------------------------
# busy_pct SECONDS: this machine's CPU use over SECONDS, % of all CPUs.
busy_pct() {
	local a b
	a=$(awk 'NR == 1 { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
	sleep "$1"
	b=$(awk 'NR == 1 { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
	echo "$a $b" | awk '{ t = ($3 - $1) + ($4 - $2); printf "%d", t ? 100 * ($3 - $1) / t : 0 }'
}
wait_idle=${BENCH_IDLE_WAIT:-300}
step "waiting for an idle machine (under 10% CPU over 5 s; at most ${wait_idle} s)"
while :; do
	b=$(busy_pct 5)
	[ "$b" -lt 10 ] && break
	[ "$wait_idle" -eq 0 ] && { step "the machine is busy ($b% CPU); going on (BENCH_IDLE_WAIT=0)"; break; }
	wait_idle=$((wait_idle - 5))
	[ "$wait_idle" -gt 0 ] || die "the machine stays busy ($b% CPU): not benchmarking beside other work"
done

{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "git=$(git describe --always --dirty)"
	echo "quick=${QUICK:-0}"
	echo "reps=$reps"
	echo "rt=$rt"
	echo "ct=$ct"
	echo "machine_cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	echo "machine_cpus=$(nproc)"
	echo "machine_kernel=$(uname -r)"
	echo "machine_clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	echo "machine_loadavg=$(cat /proc/loadavg)"
	echo "machine_busy_pct_before=$b"
	echo "test_host_qemu=$("$hostq" -version | head -n 1)"
	echo "bench_kernel=$BENCH_KDIR ($(cat "$BENCH_KDIR/.vblk-stamp"))"
	echo "vblk_ko=$BENCH_KO"
} >"$run/meta.txt"

# ---- the run ---------------------------------------------------------------
# The test host's load on this machine, and everybody else's, every 2 s.
# A test host whose console stays silent for BENCH_STALL seconds has hung
# (the nested QEMU with an IOThread can take it down): it is killed.
stall=${BENCH_STALL:-300}
monitor() {
	local prev cur q
	set +e +o pipefail	# a background loop: no match is no error here
	prev=""
	while :; do
		# The test host's QEMU, not the timeout(1) that started it.
		q=""
		for p in $(pgrep -f "vblk.out=$vm "); do
			case "$(cat "/proc/$p/comm" 2>/dev/null)" in qemu*) q=$p ;; esac
		done
		cur="$(date +%s) $(awk 'NR == 1 { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat) $( [ -n "$q" ] && awk '{ print $14 + $15 }' "/proc/$q/stat" 2>/dev/null || echo 0)"
		[ -n "$prev" ] && echo "$prev $cur"
		prev=$cur
		if [ -n "$q" ] && [ -f "$vm/console.log" ] &&
		   [ $(($(date +%s) - $(stat -c %Y "$vm/console.log"))) -gt "$stall" ]; then
			echo "the test host printed nothing for ${stall} s: killed" >"$run/hang.txt"
			kill -9 "$q"
		fi
		sleep 2
	done
}
monitor >"$run/load.txt" 2>/dev/null &
mon=$!
trap 'kill $mon 2>/dev/null || true' EXIT

args="--reps $reps --rt $rt --ct $ct"
[ -n "${BENCH_BACKINGS:-}" ] && args+=" --backings $BENCH_BACKINGS"
[ -n "${BENCH_BACKENDS:-}" ] && args+=" --backends $BENCH_BACKENDS"
[ -n "${BENCH_JOBS:-}" ] && args+=" --jobs $BENCH_JOBS"
[ "${BENCH_THROTTLE:-1}" = 1 ] || rm -f "$vm/throttle"
mq=""
[ "${BENCH_HOST_QEMU:-}" = 10 ] ||
	mq="export BENCH_MQ_SKIP='a nested guest with several vCPUs crashes the test host KVM under QEMU 7.2 TCG (BENCH_HOST_QEMU=10 runs the test host on QEMU 10)';"
# Outside timeout: the whole schedule plus an allowance; each nested boot
# has its own inside the test host.
nb=$((2 * reps * 4))
timeout=$((600 + nb * (90 + 4 * (rt + 20)) + 2 * 4 * 4 * (ct + 20)))
step "test host on the benchmark kernel ($(basename "$BENCH_KDIR")); $reps repetition(s) of ${rt} s runs; limit ${timeout} s"
set +e
PATH=$(dirname "$hostq"):$PATH VBLK_KBUILD_DIR=$BENCH_KDIR \
	scripts/vm.sh --timeout "$timeout" --out "$vm" \
	--cmd "$mq scripts/bench/in-host.sh '$BENCH_KO' '$BENCH_INITRD' '$qemu10' $args" 2>&1 |
	grep --line-buffered -E '^bench|^test_host|^nested|^fio=|^Error' >&2
vrc=${PIPESTATUS[0]}
set -e
kill $mon 2>/dev/null || true
echo "test_host_exit=$vrc" >>"$run/meta.txt"
echo "wall_s=$(($(date +%s) - t_begin))" >>"$run/meta.txt"
if [ "$vrc" -eq 124 ] || [ -f "$run/hang.txt" ]; then
	step "HANG: the test host stopped answering; the runs it did not record are missing from the table"
	echo "test_host_hang=$(cat "$run/hang.txt" 2>/dev/null || echo "timed out after ${timeout} s")" >>"$run/meta.txt"
fi

rc=0
/usr/bin/python3 scripts/bench/table.py "$run" || rc=$?
/usr/bin/python3 scripts/bench/plot.py "$run" || step "no chart (python3-matplotlib missing?)"
step "results in $run (table.txt, results.json, bench.png); $(( ($(date +%s) - t_begin) / 60 )) min"
[ "$vrc" -eq 0 ] || exit 1
exit "$rc"
