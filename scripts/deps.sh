#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages vblk needs, or print the exact apt-get line.
#   scripts/deps.sh [PACKAGE...]    (extra packages, e.g. the benchmark's)
# (dkms: the DKMS packaging test; udev: udevadm and the kvm group, for the
# install test; python3-docutils: the Documentation/ check; clang,
# libclang-rt-dev: libFuzzer and the sanitizers of fuzz/, llvm: llvm-cov and
# llvm-profdata for its coverage report; dmsetup: the backing fault test;
# iproute2: the vdpa tool, for the vDPA tests; jq: the end-to-end tests
# read vblkctl's JSON with it.)
set -euo pipefail

PKGS=(linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev
      cpio dwarves kmod xz-utils python3 python3-yaml python3-jsonschema
      sparse qemu-system-x86 busybox-static libnl-3-dev libnl-genl-3-dev
      pkg-config e2fsprogs fio dkms udev python3-docutils clang
      libclang-rt-dev llvm dmsetup iproute2 jq)
PKGS+=("$@")

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "Error: missing Debian packages; as root run:" >&2
	echo "  apt-get update && $line" >&2
	exit 1
fi
echo "==> installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
