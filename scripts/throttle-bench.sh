#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Throttle benchmark: configured against delivered request rates of the vblk
# throttle through the real data path, in the test host (TCG: absolute
# numbers are slow, the delivered/configured ratio is what matters).
#
#   scripts/throttle-bench.sh
# Output: the table on stdout; console log in out/throttle-bench/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VBLK_ROOT"

make -s test-modules || { [ -f kmod/vblk.ko ] || die "vblk.ko did not build"; \
	say "warning: module build failed, using the existing kmod/vblk.ko"; }
make -s user || die "vblkctl did not build"

out=$VBLK_ROOT/out/throttle-bench
rm -rf "$out"
mkdir -p "$out"
khdr=$(vblk_ksrc_dir)/tools/testing/selftests
nl=$(pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
# shellcheck disable=SC2086
cc -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -isystem "$khdr" -Ikmod/include \
	-Iselftests/lib -Iuser/lib $nl -static -o "$out/throttle-bench" \
	scripts/throttle-bench.c selftests/lib/*.c user/lib/*.c -lnl-genl-3 -lnl-3 -lpthread ||
	die "throttle-bench did not build"

scripts/vm.sh --timeout "${VBLK_VM_TIMEOUT:-900}" --out "$out/vm" \
	--cmd "insmod kmod/vblk.ko && $out/throttle-bench > \$VBLK_OUT/bench.txt" \
	>"$out/vm.log" 2>&1 || { tail -n 30 "$out/vm.log" >&2; die "test host run failed"; }
cat "$out/vm/bench.txt"
