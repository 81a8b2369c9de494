#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run vblk's KUnit suites the in-tree way: place the module in a kernel tree
# as drivers/block/vblk (with kmod/Kconfig) and run the tree's own
# tools/testing/kunit/kunit.py with kunit/.kunitconfig (UML by default;
# VBLK_KUNIT_ARCH=x86_64 runs under QEMU).
#   scripts/kunit-intree.sh [--tap FILE]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tap=""
[ "${1:-}" = "--tap" ] && tap=$2
src=$(vblk_ksrc_dir)
[ -f "$src/Makefile" ] || "$VBLK_ROOT/scripts/build-kernel.sh"
arch=${VBLK_KUNIT_ARCH:-um}
tree=$VBLK_CACHE/kunit-tree-$(vblk_ksrc_version)
build=$VBLK_CACHE/kunit-build-$arch-$(vblk_ksrc_version)

# A hard-linked copy of the pristine source, so the shared tree stays clean.
if [ ! -f "$tree/Makefile" ]; then
	say "preparing $tree"
	rm -rf "$tree.tmp"
	cp -al "$src" "$tree.tmp"
	mv "$tree.tmp" "$tree"
fi
d=$tree/drivers/block/vblk
rm -rf "$d"; mkdir -p "$d"
cp "$VBLK_ROOT"/kmod/*.[ch] "$VBLK_ROOT"/kunit/*.[ch] "$d/"
cp -r "$VBLK_ROOT/kmod/include" "$d/include"
cp "$VBLK_ROOT/kmod/Kconfig" "$d/Kconfig"
cp "$VBLK_ROOT/kunit/.kunitconfig" "$d/.kunitconfig"
{
	echo "# SPDX-License-Identifier: GPL-2.0"
	echo "obj-\$(CONFIG_VBLK) += vblk.o"
	grep -E '^vblk-y +:?\+?=' "$VBLK_ROOT/kmod/Kbuild"
	echo "obj-\$(CONFIG_VBLK_KUNIT_TEST) += vblk_test.o"
	grep -E '^vblk_test-y +:?\+?=' "$VBLK_ROOT/kunit/Kbuild"
	echo "ccflags-y += -I\$(src)/include"
} >"$d/Makefile"
# Hook it into drivers/block (new files, so the hard links stay intact).
if ! grep -q 'drivers/block/vblk/Kconfig' "$tree/drivers/block/Kconfig"; then
	sed 's|^endif # BLK_DEV|source "drivers/block/vblk/Kconfig"\n\nendif # BLK_DEV|' \
		"$tree/drivers/block/Kconfig" >"$tree/drivers/block/Kconfig.new"
	mv "$tree/drivers/block/Kconfig.new" "$tree/drivers/block/Kconfig"
	{ cat "$tree/drivers/block/Makefile"; echo 'obj-$(CONFIG_VBLK) += vblk/'; } >"$tree/drivers/block/Makefile.new"
	mv "$tree/drivers/block/Makefile.new" "$tree/drivers/block/Makefile"
fi
grep -q 'drivers/block/vblk/Kconfig' "$tree/drivers/block/Kconfig" ||
	die "could not hook vblk into drivers/block/Kconfig"

say "kunit.py run ($arch) in $tree"
cd "$tree"
args=(run --kunitconfig=drivers/block/vblk/.kunitconfig --build_dir="$build"
      --jobs="$(nproc)" --timeout=600)
[ "$arch" = um ] || args+=(--arch="$arch")
if [ -n "$tap" ]; then
	python3 tools/testing/kunit/kunit.py "${args[@]}" --raw_output=kunit | tee "$tap"
	rc=${PIPESTATUS[0]}
	grep -q '^ *ok \|^ *not ok ' "$tap" || { echo "not ok 1 - kunit.py produced no results" >>"$tap"; rc=1; }
	exit "$rc"
fi
exec python3 tools/testing/kunit/kunit.py "${args[@]}"
