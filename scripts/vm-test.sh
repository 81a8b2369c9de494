#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Quick loop: build the modules, tools and selftests, then run some tests in
# the test host and check its kernel log.
#   scripts/vm-test.sh [kunit] [selftests] [TEST...]     (default: all)
# Results: out/vm-test.XXXXXX/tap/*.tap and console.log (named at the end).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VBLK_ROOT"
make -s test-modules || die "modules did not build"
make -s user selftests || die "userspace did not build"
# One directory per run: several runs may share a checkout.
mkdir -p "$VBLK_ROOT/out"
out=$(mktemp -d "$VBLK_ROOT/out/vm-test.XXXXXX")
scripts/vm.sh --timeout "${VBLK_VM_TIMEOUT:-2400}" --out "$out" --cmd "scripts/in-vm.sh $*" >"$out.log" 2>&1
rc=$?
grep -E '^\s*(not ok|ok) |^# ' "$out"/tap/*.tap 2>/dev/null | grep -v '^.*:# Subtest' | tail -n 400
scripts/klog-check.sh "$out/dmesg.txt" "$out/kmemleak.txt" || rc=1
read -r p f s < <(python3 scripts/tap-count.py -v "$out"/tap/*.tap)
echo "$p passed, $f failed, $s skipped (test host exit $rc; console: $out/console.log)"
[ "$rc" -eq 0 ] && [ "$f" -eq 0 ]
