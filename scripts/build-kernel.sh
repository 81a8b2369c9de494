#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the vblk test kernel from Debian's linux-source-6.12 with the
# fragments in selftests/, in a cache outside the checkout.  Rebuilds only
# when the source version or a fragment changes; fails if any requested
# option did not make it into the final .config.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ver=$(vblk_ksrc_version)
[ -n "$ver" ] || die "$VBLK_KSRC_PKG is not installed (run scripts/deps.sh)"
src=$(vblk_ksrc_dir)
out=$(vblk_kbuild_dir)
# VBLK_KFRAGS (space-separated fragment paths) with VBLK_KBUILD_DIR builds
# another kernel from the same source, e.g. the benchmark kernel.
read -ra frags <<<"${VBLK_KFRAGS:-$VBLK_ROOT/selftests/config $VBLK_ROOT/selftests/config.debug}"
stamp=$( (echo "$ver"; cat "${frags[@]}") | sha256sum | cut -c1-16)

if [ ! -f "$src/Makefile" ]; then
	say "unpacking kernel source $ver into $src"
	mkdir -p "$(dirname "$src")"
	tar -C "$(dirname "$src")" -xf /usr/src/linux-source-6.12.tar.xz
	# kunit.py and the YNL generator look for the tree's root marker.
	[ -f "$src/MAINTAINERS" ] || : >"$src/MAINTAINERS"
fi

if [ -f "$out/.vblk-stamp" ] && [ "$(cat "$out/.vblk-stamp")" = "$stamp" ] &&
   [ -f "$out/arch/x86/boot/bzImage" ] && [ -f "$out/Module.symvers" ] &&
   [ "${1:-}" != "--force" ]; then
	exit 0
fi

say "building test kernel $ver (config $stamp) in $out"
mkdir -p "$out"
make -s -C "$src" O="$out" ARCH=x86_64 tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null
make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >/dev/null

# Every option the fragments ask for must have stuck.  (Module.symvers comes
# from the "modules" target; out-of-tree modules need it.)
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$out/.config" || { echo "config: wanted $line, got: $(grep -E "^(# )?${line%%=*}[= ]" "$out/.config" || echo unset)" >&2; bad=1; } ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		grep -q "^$opt=" "$out/.config" && { echo "config: wanted $opt off, but it is on" >&2; bad=1; } ;;
	esac
done < <(cat "${frags[@]}")
[ $bad -eq 0 ] || die "test kernel config is missing required options (see above)"

# The build takes minutes: report progress every ~30 s (objects compiled,
# against the count of the last full build when there was one).
log=$out/vblk-build.log
count_file=$VBLK_CACHE/kernel-objects.count
prev=$(cat "$count_file" 2>/dev/null || true)
t0=$SECONDS
make -C "$src" O="$out" ARCH=x86_64 -j"$(( $(nproc) + 1 ))" bzImage vmlinux modules >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
objs() { grep -cE '^  (CC|AS)( \[M\])? ' "$log" || true; }
while kill -0 $pid 2>/dev/null; do
	for _ in $(seq 30); do
		kill -0 $pid 2>/dev/null || break
		sleep 1
	done
	kill -0 $pid 2>/dev/null || break
	n=$(objs)
	pct=""
	if [ -n "$prev" ] && [ "$prev" -gt 0 ]; then
		p=$((n * 100 / prev))
		pct=" (~$((p > 99 ? 99 : p))% of the last build's $prev)"
	fi
	say "kernel build: $n objects compiled$pct, $(vblk_elapsed $((SECONDS - t0))) elapsed"
done
rc=0
wait $pid || rc=$?
trap - EXIT
if [ $rc -ne 0 ]; then
	grep -E 'error|Error' "$log" | head -n 20 >&2 || true
	die "the test kernel did not build (log: $log)"
fi
objs >"$count_file"
echo "$stamp" >"$out/.vblk-stamp"
say "test kernel ready in $(vblk_elapsed $((SECONDS - t0))) ($(objs) objects): $out/arch/x86/boot/bzImage"
