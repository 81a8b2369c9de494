#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fail if a test host's kernel log holds any report: WARNING, BUG, Oops,
# KASAN, UBSAN, lockdep, a hung task, RCU stall, or a kmemleak leak.
#   scripts/klog-check.sh DMESG [KMEMLEAK]
set -u
dmesg=$1 leaks=${2:-}
[ -f "$dmesg" ] || { echo "no kernel log at $dmesg"; exit 1; }
pat='WARNING:|BUG:|BUG |Oops|general protection|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|lock held when returning|suspicious RCU usage|INFO: task .* blocked|rcu_sched self-detected stall|rcu: INFO|unreferenced object|Kernel panic|list_add corruption|list_del corruption|ODEBUG'
bad=0
if grep -nE "$pat" "$dmesg"; then
	echo "kernel reports found in $dmesg"
	bad=1
fi
if [ -n "$leaks" ] && [ -s "$leaks" ]; then
	echo "kmemleak reports:"; head -n 60 "$leaks"
	bad=1
fi
exit $bad
