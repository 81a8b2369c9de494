#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test host (see scripts/vm.sh): loads vblk.ko, runs the
# KUnit suites and the kselftests, then scans for leaks and saves the kernel
# log.  Every result stream is written as TAP into $VBLK_OUT.
#
#   scripts/in-vm.sh [kunit] [selftests] [TEST...]
# With no argument: everything.  TEST is a selftests/ program or script name.
set -u
out=$VBLK_OUT
ko=$VBLK_ROOT/kmod/vblk.ko
tko=$VBLK_ROOT/kunit/vblk_test.ko
export VBLK_KO=$ko
tmo=${VBLK_TEST_TIMEOUT:-1200}
mkdir -p "$out/tap"

want_kunit=0 want_self=0 only=()
[ $# -eq 0 ] && { want_kunit=1; want_self=1; }
for a in "$@"; do
	case "$a" in
	kunit) want_kunit=1 ;;
	selftests) want_self=1 ;;
	*) want_self=1; only+=("$a") ;;
	esac
done

kl=/sys/kernel/debug/kmemleak
[ -w $kl ] && echo clear >$kl
dmesg -n 4

echo "vblk-test: loading $ko"
if ! insmod "$ko"; then
	printf 'TAP version 13\n1..1\nnot ok 1 - insmod vblk.ko\n' >"$out/tap/module.tap"
	dmesg >"$out/dmesg.txt"
	exit 1
fi

if [ $want_kunit = 1 ]; then
	echo "vblk-test: KUnit"
	t0=$SECONDS
	before=$(ls /sys/kernel/debug/kunit 2>/dev/null)
	if insmod "$tko"; then
		: >"$out/tap/kunit.tap"
		for s in $(ls /sys/kernel/debug/kunit); do
			grep -qxF "$s" <<<"$before" && continue
			cat "/sys/kernel/debug/kunit/$s/results" >>"$out/tap/kunit.tap"
		done
		rmmod vblk_test
	else
		printf 'TAP version 13\n1..1\nnot ok 1 - insmod vblk_test.ko\n' >"$out/tap/kunit.tap"
	fi
	cat "$out/tap/kunit.tap"
	echo "vblk-test: KUnit took $((SECONDS - t0)) s" | tee -a "$out/times.txt"
fi

if [ $want_self = 1 ]; then
	for t in "$VBLK_ROOT"/selftests/*_test "$VBLK_ROOT"/selftests/*_test.sh \
		 "$VBLK_ROOT"/selftests/guest/*_test.sh; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		if [ ${#only[@]} -gt 0 ]; then
			m=0; for o in "${only[@]}"; do [ "$o" = "$n" ] && m=1; done
			[ $m = 1 ] || continue
		fi
		echo "vblk-test: selftest $n"
		# Tests may unload and reload the module; put it back if they left it out.
		lsmod | grep -q '^vblk ' || insmod "$ko"
		t0=$SECONDS
		(cd /tmp && timeout -k 5 "$tmo" "$t") >"$out/tap/$n.tap" 2>&1
		rc=$?
		cat "$out/tap/$n.tap"
		echo "vblk-test: $n took $((SECONDS - t0)) s" | tee -a "$out/times.txt"
		if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out/tap/$n.tap"; then
			[ $rc = 124 ] && why="timed out after ${tmo}s" || why="exited with $rc"
			printf 'not ok 999 - %s %s\n' "$n" "$why" >>"$out/tap/$n.tap"
		fi
	done
fi

lsmod | grep -q '^vblk ' && { rmmod vblk || echo "vblk-test: rmmod vblk failed"; }
if [ -w $kl ]; then
	echo scan >$kl; sleep 1; echo scan >$kl
	cat $kl >"$out/kmemleak.txt"
fi
dmesg >"$out/dmesg.txt"
exit 0
