#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: the demo.  Builds what is missing, boots the test host, loads
# vblk.ko and runs scripts/demo.sh inside it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VBLK_ROOT"
t0=$SECONDS t_step=""
# step TEXT: close the previous step with its elapsed time, open the next.
step() {
	[ -z "$t_step" ] || printf '    (took %s)\n' "$(vblk_elapsed $((SECONDS - t_step)))"
	t_step=$SECONDS
	printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*"
}

step "1/4 test and guest kernels (cached in $VBLK_CACHE; a cold build takes ~20 min)"
scripts/build-kernel.sh
vblk_build_guest_kernel
step "2/4 vblk.ko, vblkctl, reference VMM"
make -s test-modules user
step "3/4 booting the test host (QEMU TCG, microvm)"
out=$VBLK_ROOT/out/run
rm -rf "$out"
set +e
scripts/vm.sh --timeout "${VBLK_VM_TIMEOUT:-900}" --out "$out" --cmd "scripts/demo.sh" |
	grep --line-buffered -E '^(demo|vblk-init)' | sed -u 's/^demo: //'
rc=${PIPESTATUS[0]}
set -e
step "4/4 test host powered off (exit $rc; full console: $out/console.log)"
echo "make run took $(vblk_elapsed $((SECONDS - t0)))"
exit "$rc"
