#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vblk's fuzzers (Documentation/testing.rst).
#
#   scripts/fuzz.sh smoke      the libFuzzer target on this machine: the
#                              corpus, then VBLK_FUZZ_RUNS (50000) mutations
#                              from a fixed seed; TAP on stdout (make check)
#   scripts/fuzz.sh campaign   `make fuzz`: the libFuzzer target for at least
#                              VBLK_FUZZ_RUNS (1200000) executions on two
#                              processes, new inputs merged into fuzz/corpus,
#                              line coverage of kmod/; then, in the test host,
#                              the hostile guest and netlink fuzzers with
#                              VBLK_FUZZ_N (100000) chains / messages each,
#                              and the backing fault tests
#   scripts/fuzz.sh libfuzzer  the first half of the campaign only
#   scripts/fuzz.sh vm         the second half only
#
# VBLK_FUZZ_SEED sets the seed (printed either way). Crashes are saved in
# out/fuzz/ and fail the run. Run heavy work under the machine lock:
#   flock /tmp/vblk-machine.lock make fuzz
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VBLK_ROOT"

mode=${1:-smoke}
seed=${VBLK_FUZZ_SEED:-1234567}
out=$VBLK_ROOT/out/fuzz
bin=fuzz/build/vblk_fuzz

build() {
	make -s -C fuzz >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; return 1; }
}

# The last libFuzzer status line of a log: "#N ... cov: C ft: F corp: K/...".
status_line() {
	grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$1" | tail -n 1
}

figure() {	# figure LINE FIELD: the number after FIELD
	sed -n "s/.* $2: *\([0-9]*\).*/\1/p" <<<"$1"
}

smoke() {
	local runs=${VBLK_FUZZ_RUNS:-50000} log=$out/smoke.log work=$out/smoke-corpus
	local t0=$SECONDS line rc
	echo "TAP version 13"
	echo "1..2"
	if ! build; then
		echo "not ok 1 - vblk_fuzz builds (clang, libFuzzer, ASan, UBSan)"
		echo "not ok 2 - libFuzzer smoke # SKIP not built"
		return 1
	fi
	echo "ok 1 - vblk_fuzz builds (clang, libFuzzer, ASan, UBSan)"
	rm -rf "$work" && mkdir -p "$work"
	echo "# seed $seed, $runs runs after the corpus (fuzz/corpus)"
	(cd "$out" && "$VBLK_ROOT/$bin" -seed="$seed" -runs="$runs" \
		-print_final_stats=1 -artifact_prefix="$out/" "$work" \
		"$VBLK_ROOT/fuzz/corpus") >"$log" 2>&1
	rc=$?
	line=$(status_line "$log")
	echo "# $line"
	echo "# $(grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' "$log" | tr '\n' ' ')"
	echo "# took $(vblk_elapsed $((SECONDS - t0)))"
	if [ $rc -eq 0 ]; then
		echo "ok 2 - libFuzzer smoke: no violation, no crash"
	else
		echo "not ok 2 - libFuzzer smoke (exit $rc; log $log)"
		grep -E 'violation|ERROR|SUMMARY|Test unit written' "$log" | head -n 20 | sed 's/^/# /'
	fi
	return $rc
}

# One libFuzzer process of the campaign: fuzz_one N SEED RUNS
fuzz_one() {
	(cd "$out" && "$VBLK_ROOT/$bin" -seed="$2" -runs="$3" -print_final_stats=1 \
		-artifact_prefix="$out/crashes/" -max_len=4096 -reload=60 \
		"$out/corpus" "$VBLK_ROOT/fuzz/corpus") >"$out/fuzz-$1.log" 2>&1
}

# Line and function coverage of kmod/ by the corpus (llvm-cov).
coverage() {
	local cov=$out/cov
	mkdir -p "$cov"
	make -s -C fuzz OUT="$cov" SAN="-fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping" \
		"$cov/vblk_fuzz" >"$out/cov-build.log" 2>&1 || return 1
	LLVM_PROFILE_FILE="$cov/%p.profraw" "$cov/vblk_fuzz" -runs=0 \
		"$VBLK_ROOT/fuzz/corpus" >"$out/cov-run.log" 2>&1 || return 1
	llvm-profdata merge -sparse "$cov"/*.profraw -o "$cov/all.profdata" || return 1
	llvm-cov report "$cov/vblk_fuzz" -instr-profile="$cov/all.profdata" \
		kmod/vblk_vq.c kmod/vblk_req.c kmod/vblk_io.c kmod/vblk_blk.c \
		kmod/vblk_throttle.c kmod/vblk_vdev.c kmod/vblk_mmio.c
}

campaign_libfuzzer() {
	local runs=${VBLK_FUZZ_RUNS:-1200000}
	local t0=$SECONDS rc=0 total=0 line crashes half
	build || return 1
	mkdir -p "$out/corpus" "$out/crashes"
	half=$(((runs + 1) / 2))
	say "libFuzzer: 2 processes x $half runs, seeds $seed and $((seed + 1))"
	fuzz_one 1 "$seed" "$half" & fuzz_one 2 "$((seed + 1))" "$half" &
	wait
	for i in 1 2; do
		line=$(status_line "$out/fuzz-$i.log")
		total=$((total + $(grep -o 'number_of_executed_units: *[0-9]*' "$out/fuzz-$i.log" | grep -o '[0-9]*$' || echo 0)))
		echo "  process $i: $line"
	done
	crashes=$(find "$out/crashes" -type f | wc -l)
	echo "  executions: $total, coverage (edges of the last status): $(figure "$line" cov), crashes: $crashes"
	echo "  libFuzzer took $(vblk_elapsed $((SECONDS - t0)))"
	[ "$crashes" -eq 0 ] || { rc=1; find "$out/crashes" -type f | sed 's/^/  crash: /'; }
	# Keep what was found, minimised, in the repository's corpus.
	"$bin" -merge=1 "$VBLK_ROOT/fuzz/corpus" "$out/corpus" >"$out/merge.log" 2>&1 &&
		echo "  corpus: $(ls fuzz/corpus | wc -l) inputs in fuzz/corpus"
	coverage | sed -n '/^Filename/,$p' | sed 's/^/  /' || echo "  (no coverage report: llvm-cov)"
	return $rc
}

campaign_vm() {
	local n=${VBLK_FUZZ_N:-100000} t0=$SECONDS rc=0

	say "test host: hostile guest and netlink fuzzers ($n each), backing faults"
	make -s test-modules user selftests || return 1
	scripts/vm.sh --timeout "${VBLK_VM_TIMEOUT:-7200}" --out "$out/vm" \
		--cmd "VBLK_FUZZ_N=$n VBLK_FUZZ_SEED=$seed VBLK_TEST_TIMEOUT=7000 scripts/in-vm.sh vblk_guest_fuzz_test vblk_nl_fuzz_test vblk_fault_test vblk_nbd_test vblk_stall_test" \
		>"$out/vm.log" 2>&1 || rc=1
	grep -hE '^(not )?ok |^# (seed|[0-9]+ chains|device|root|nobody)' "$out"/vm/tap/*.tap
	scripts/klog-check.sh "$out/vm/dmesg.txt" "$out/vm/kmemleak.txt" || rc=1
	grep -q '^not ok' "$out"/vm/tap/*.tap && rc=1
	echo "  test host took $(vblk_elapsed $((SECONDS - t0)))"
	return $rc
}

rm -rf "$out" && mkdir -p "$out"
case $mode in
smoke) smoke ;;
campaign) campaign_libfuzzer; r1=$?; campaign_vm || exit 1; exit $r1 ;;
libfuzzer) campaign_libfuzzer ;;
vm) campaign_vm ;;
*) die "usage: scripts/fuzz.sh smoke|campaign|libfuzzer|vm" ;;
esac
