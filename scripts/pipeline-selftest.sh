#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks that the checkers catch what they must: a failing TAP case (flat
# and nested KTAP), a crashed suite, kernel reports of every kind and a
# kmemleak report.  Prints TAP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
n=0 bad=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi; }
counts() { python3 "$here/tap-count.py" "$@"; }

echo "TAP version 13"
printf 'TAP version 13\n1..2\nok 1 a\nnot ok 2 b\n' >"$t/flat.tap"
[ "$(counts "$t/flat.tap")" = "1 1 0" ]; ok $? "a failing kselftest case is counted"
printf 'KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..2\n    ok 1 x\n    not ok 2 y\nnot ok 1 s\n' >"$t/nested.tap"
[ "$(counts "$t/nested.tap")" = "1 1 0" ]; ok $? "a failing KUnit case is counted once, not with its suite"
printf 'KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..2\n    ok 1 x\nnot ok 1 s\n' >"$t/crash.tap"
[ "$(counts "$t/crash.tap")" = "1 1 0" ]; ok $? "a suite that fails outside its cases is counted"
printf 'ok 1 a # SKIP why\n' >"$t/skip.tap"
[ "$(counts "$t/skip.tap")" = "0 0 1" ]; ok $? "a skipped case is counted as skipped"

printf '[    1.0] vblk: loaded\n' >"$t/clean.txt"
"$here/klog-check.sh" "$t/clean.txt" >/dev/null; ok $? "a clean kernel log passes"
for r in 'WARNING: CPU: 0 PID: 1 at kmod/vblk_vdev.c:10 f+0x1/0x2' \
	 'BUG: KASAN: slab-use-after-free in f+0x1/0x2' \
	 'UBSAN: shift-out-of-bounds in kmod/vblk_vdev.c:1:2' \
	 'WARNING: possible circular locking dependency detected' \
	 'BUG: sleeping function called from invalid context' \
	 'ODEBUG: free active (active state 0) object type: timer_list'; do
	printf '[    1.0] x\n[    2.0] %s\n' "$r" >"$t/bad.txt"
	! "$here/klog-check.sh" "$t/bad.txt" >/dev/null; ok $? "kernel log check fails on: ${r%%:*}: ${r#*: }"
done
printf 'unreferenced object 0xffff888 (size 64):\n' >"$t/leak.txt"
! "$here/klog-check.sh" "$t/clean.txt" "$t/leak.txt" >/dev/null; ok $? "a kmemleak report fails the run"
echo "1..$n"
exit $bad
