# SPDX-License-Identifier: GPL-2.0
# Shared settings for vblk's scripts: cache layout, kernel source, packages.

VBLK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VBLK_CACHE=${VBLK_CACHE:-$HOME/.cache/vblk}
VBLK_KSRC_PKG=linux-source-6.12

# The Debian version of the kernel source package, e.g. 6.12.57-1.
vblk_ksrc_version() {
	dpkg-query -W -f='${Version}' "$VBLK_KSRC_PKG" 2>/dev/null
}

# Unpacked, pristine kernel source tree (never configured in place).
vblk_ksrc_dir() {
	echo "$VBLK_CACHE/src-$(vblk_ksrc_version)/linux-source-6.12"
}

# Out-of-tree build directory of the x86-64 test kernel (VBLK_KBUILD_DIR
# selects another build, e.g. the benchmark kernel).
vblk_kbuild_dir() {
	echo "${VBLK_KBUILD_DIR:-$VBLK_CACHE/build-x86-$(vblk_ksrc_version)}"
}

# The guest kernel: lean and without the debug set, for the nested guests
# of the end-to-end tests and the demo (vblk itself runs in the test
# kernel).  vblk_build_guest_kernel builds it like the test kernel.
vblk_guest_kbuild_dir() {
	echo "$VBLK_CACHE/build-guest-$(vblk_ksrc_version)"
}

vblk_build_guest_kernel() {
	VBLK_KBUILD_DIR=$(vblk_guest_kbuild_dir) \
	VBLK_KFRAGS=$VBLK_ROOT/selftests/config.guest \
		"$VBLK_ROOT/scripts/build-kernel.sh" "$@"
}

say() { printf '==> %s\n' "$*" >&2; }
# vblk_elapsed SECONDS: "42s", "7m56s"
vblk_elapsed() {
	if [ "$1" -ge 60 ]; then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); else printf '%ds' "$1"; fi
}
die() { printf 'Error: %s\n' "$*" >&2; exit 1; }
