#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The `make run` demo, inside the test host.  Lines meant for the user
# start with "demo: ".
set -euo pipefail
say() { echo "demo: $*"; }
ko=$VBLK_ROOT/kmod/vblk.ko
say "test host kernel $(uname -r), $(nproc) vCPUs, KVM: $([ -c /dev/kvm ] && echo yes || echo no)"
say "insmod vblk.ko"
insmod "$ko"
say "$(grep '^vblk ' /proc/modules)"
say "/sys/module/vblk: $(ls /sys/module/vblk | tr '\n' ' ')"
rmmod vblk
say "vblk unloaded; powering off"
