#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --strict over vblk's kernel sources (module and KUnit).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cp=$(vblk_ksrc_dir)/scripts/checkpatch.pl
[ -x "$cp" ] || die "no checkpatch.pl at $cp (run: make kernel)"
cd "$VBLK_ROOT"
# The YNL generator's output (scripts/ynl-gen.sh) is checked too, but its
# lines are as long as the names it builds them from.
gen="kmod/vblk_nl_gen.c kmod/vblk_nl_gen.h"
files=$(ls kmod/*.[ch] kunit/*.[ch] kmod/include/uapi/linux/*.h 2>/dev/null |
	grep -v "\.mod\.c$" | grep -vxF -e kmod/vblk_nl_gen.c -e kmod/vblk_nl_gen.h)
{ perl "$cp" --no-tree --strict --terse --show-types -f $files
  perl "$cp" --no-tree --strict --terse --show-types --ignore LONG_LINE -f $gen
} | grep -E 'ERROR|WARNING|CHECK' && exit 1
exit 0
