# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# Sourced by the nested-guest tests (vblk_e2e_test.sh, vmm_e2e_test.sh,
# vblk_mq_guest_test.sh) after they set GUEST_TIMEOUT_DEFAULT: the KTAP
# helpers and what every one of them needs.
#   root  the checkout (VBLK_ROOT)      vmm, ctl  user/vblk-vmm, user/vblkctl
#   here  selftests/guest
#   bz    the guest kernel: VBLK_BZIMAGE, else VBLK_KDIR's bzImage
#   tmo   seconds one guest run may take (VBLK_GUEST_TIMEOUT)
#   work  a scratch directory the test removes
root=${VBLK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# shellcheck source=../lib/vblk_ktap.sh
. "$root/selftests/lib/vblk_ktap.sh"
vmm=$root/user/vblk-vmm
ctl=$root/user/vblkctl
here=$root/selftests/guest
bz=${VBLK_BZIMAGE:-${VBLK_KDIR:-}/arch/x86/boot/bzImage}
tmo=${VBLK_GUEST_TIMEOUT:-${GUEST_TIMEOUT_DEFAULT:-600}}
work=$(mktemp -d)
