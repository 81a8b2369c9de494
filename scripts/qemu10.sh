#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# QEMU 10.0 beside the system's QEMU: download qemu-system-x86 and the
# packages it needs from Debian's bookworm-backports suite (apt-get
# download, with a private package list: the system's apt sources are left
# alone), unpack them with dpkg -x into the vblk cache and write a wrapper
# that runs the unpacked binary with the unpacked firmware.  Idempotent: a second call only prints.
#
#   scripts/qemu10.sh            prepare, print the wrapper's path on stdout
#   scripts/qemu10.sh --check    exit 0 if prepared, 1 if not (no download)
#
# Use it as any qemu-system-x86_64, e.g. first on PATH:
#   PATH=$(dirname "$(scripts/qemu10.sh)"):$PATH scripts/vm.sh --cmd '...'
# The wrapper sets QEMU_MODULE_DIR (without it the binary loads the system
# QEMU's modules and aborts) and adds -L for the unpacked firmware.
# Libraries it needs from bookworm itself are installed when root, or the
# apt-get line is printed.  VBLK_DEBIAN_MIRROR overrides the mirror.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=bookworm-backports
PKGS=(qemu-system-x86 qemu-system-common qemu-system-data seabios)
mirror=${VBLK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
base=$VBLK_CACHE/qemu10
root=$base/root
wrapper=$base/bin/qemu-system-x86_64

ready() {
	[ -x "$wrapper" ] && [ -f "$base/.stamp" ] &&
		"$wrapper" -version 2>/dev/null | grep -q 'version 10\.'
}

if [ "${1:-}" = --check ]; then
	ready
	exit
fi
[ $# -eq 0 ] || die "usage: scripts/qemu10.sh [--check]"

if ! ready; then
	say "fetching QEMU 10 from $SUITE into $base"
	apt=$base/apt
	rm -rf "$apt" "$root"
	mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/debs" "$root" "$base/bin"
	echo "deb [signed-by=$keyring] $mirror $SUITE main" >"$apt/sources.list"
	aptopts=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
		 -o Dir::State::Lists="$apt/lists" -o Dir::Cache::Archives="$apt/archives"
		 -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root)
	apt-get -qq "${aptopts[@]}" update >/dev/null || die "apt-get update of $SUITE failed"
	(cd "$apt/debs" && apt-get -qq "${aptopts[@]}" download \
		"${PKGS[@]/%//$SUITE}") >/dev/null || die "apt-get download from $SUITE failed"
	for deb in "$apt"/debs/*.deb; do
		dpkg -x "$deb" "$root"
	done
	cat >"$wrapper" <<EOF
#!/bin/sh
# QEMU 10 unpacked by scripts/qemu10.sh (packages: ${PKGS[*]} from $SUITE)
QEMU_MODULE_DIR='$root/usr/lib/x86_64-linux-gnu/qemu' exec '$root/usr/bin/qemu-system-x86_64' -L '$root/usr/share/qemu' -L '$root/usr/share/seabios' "\$@"
EOF
	chmod 755 "$wrapper"
	(cd "$apt/debs" && ls) >"$base/.stamp"
	rm -rf "$apt/lists" "$apt/archives"
fi

# Libraries the binary needs that this system lacks: bookworm has them.
missing=$(ldd "$root/usr/bin/qemu-system-x86_64" | awk '/not found/ { print $1 }')
if [ -n "$missing" ]; then
	pkgs=$(for lib in $missing; do
		apt-cache search --names-only "^${lib%%.so*}[0-9.-]*\$" 2>/dev/null | awk 'NR == 1 { print $1 }'
	done | sort -u | tr '\n' ' ')
	[ -n "$pkgs" ] || die "QEMU 10 needs libraries this system lacks: $missing"
	if [ "$(id -u)" -ne 0 ]; then
		die "QEMU 10 needs: $missing; as root run: apt-get install -y $pkgs"
	fi
	say "installing libraries for QEMU 10: $pkgs"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
fi
ready || die "the unpacked QEMU does not run: $wrapper -version"
say "$("$wrapper" -version | head -n 1) at $wrapper"
say "run it as $wrapper ..., or put $(dirname "$wrapper") first on PATH"
echo "$wrapper"
