#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate the vblk netlink code from Documentation/netlink/specs/vblk.yaml
# with the kernel's own YNL generator (tools/net/ynl/ynl-gen-c.py).
#
#   scripts/ynl-gen.sh           regenerate the committed files in place
#   scripts/ynl-gen.sh --check   regenerate into a temporary directory and
#                                fail if the committed files differ
#
# The generator expects a kernel tree: the spec under
# Documentation/netlink/specs/, its schema one directory up, and a file
# named MAINTAINERS somewhere above (it searches for the tree's root).  It
# therefore runs on a temporary copy laid out that way, never in the repo.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check=0
case "${1:-}" in
--check) check=1 ;;
"") ;;
*) die "usage: $0 [--check]" ;;
esac

SPEC_REL=Documentation/netlink/specs/vblk.yaml
# output file -> generator arguments
declare -A OUTS=(
	[kmod/vblk_nl_gen.c]="--mode kernel --source"
	[kmod/vblk_nl_gen.h]="--mode kernel --header"
	[kmod/include/uapi/linux/vblk.h]="--mode uapi --header"
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The generator: from the unpacked kernel source, else straight from the
# linux-source tarball (only tools/net/ynl is extracted).
ksrc=${VBLK_KSRC:-$(vblk_ksrc_dir)}
gen=$ksrc/tools/net/ynl/ynl-gen-c.py
if [ ! -f "$gen" ]; then
	tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || die "no kernel source: run 'make deps' (linux-source-6.12)"
	say "extracting the YNL generator from $tarball"
	tar -xf "$tarball" -C "$tmp" --wildcards '*/tools/net/ynl/*'
	gen=$(ls "$tmp"/*/tools/net/ynl/ynl-gen-c.py)
fi

# A minimal kernel-shaped tree around the spec.
tree=$tmp/tree
mkdir -p "$tree/Documentation/netlink/specs" "$tree/kmod/include/uapi/linux"
: >"$tree/MAINTAINERS"
cp "$VBLK_ROOT/Documentation/netlink/genetlink.yaml" "$tree/Documentation/netlink/"
cp "$VBLK_ROOT/$SPEC_REL" "$tree/$SPEC_REL"

for out in "${!OUTS[@]}"; do
	# shellcheck disable=SC2086 # word splitting of the arguments is wanted
	(cd "$tree" && python3 "$gen" ${OUTS[$out]} --spec "$tree/$SPEC_REL" \
		-o "$tree/$out") >"$tmp/gen.log" 2>&1 ||
		{ cat "$tmp/gen.log" >&2; die "generator failed for $out"; }
done

rc=0
for out in "${!OUTS[@]}"; do
	if [ $check -eq 1 ]; then
		if ! diff -u "$VBLK_ROOT/$out" "$tree/$out" >&2; then
			echo "Error: $out is out of date with $SPEC_REL; run 'make gen'" >&2
			rc=1
		fi
	elif ! cmp -s "$tree/$out" "$VBLK_ROOT/$out"; then
		cp "$tree/$out" "$VBLK_ROOT/$out"
		say "updated $out"
	fi
done
[ $check -eq 0 ] || [ $rc -ne 0 ] || say "generated netlink code is up to date"
exit $rc
