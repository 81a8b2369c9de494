#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --strict over vblk's kernel sources (module and KUnit).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cp=$(vblk_ksrc_dir)/scripts/checkpatch.pl
[ -x "$cp" ] || die "no checkpatch.pl at $cp (run: make kernel)"
cd "$VBLK_ROOT"
files=$(ls kmod/*.[ch] kunit/*.[ch] kmod/include/uapi/linux/*.h 2>/dev/null | grep -v "\.mod\.c$")
perl "$cp" --no-tree --strict --terse --show-types \
	-f $files | grep -E 'ERROR|WARNING|CHECK' && exit 1
exit 0
