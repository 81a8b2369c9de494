#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# DKMS packaging test, run on this machine (dkms compiles at native speed
# here; in the TCG test host the same build takes several times longer and
# the test host has no use for the result).  From `make dkms-src`, dkms
# builds vblk.ko for the test kernel's tree, and refuses a kernel tree older
# than the minimum with the message that names it.  Everything dkms writes
# goes to a private tree (--dkmstree/--sourcetree); no root needed.
# Prints TAP.
#
#   scripts/dkms-test.sh [OLD_KERNEL_TREE]
#
# OLD_KERNEL_TREE: a kernel build tree older than 6.12.20 (default: the
# first Debian linux-headers-6.1* tree installed, if any).  Without one the
# refusal is tested on the test kernel's tree made to report 6.11.0.
set -u
. "$(dirname "$0")/lib.sh"
cd "$VBLK_ROOT"
# The kernel's KTAP helpers (ktap_test_pass, ...), from its source tree.
# shellcheck source=/dev/null
. "$(vblk_ksrc_dir)/tools/testing/selftests/kselftest/ktap_helpers.sh" || exit 1

ok() {	# ok STATUS DESCRIPTION [LOG]: one result; on failure LOG's tail
	if [ "$1" -eq 0 ]; then ktap_test_pass "$2"; else ktap_test_fail "$2"; fi
	[ "$1" -eq 0 ] || [ -z "${3:-}" ] || tail -n 15 "$3" 2>/dev/null | sed 's/^/#   /'
}

ktap_print_header
if ! command -v dkms >/dev/null; then
	ktap_skip_all "dkms is not installed (scripts/deps.sh installs it)"
	exit 0
fi
kdir=$(vblk_kbuild_dir)
kver=$(cat "$kdir/include/config/kernel.release" 2>/dev/null) ||
	{ ktap_skip_all "no test kernel at $kdir (make kernel)"; exit 0; }
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)

t=$(mktemp -d "${TMPDIR:-/tmp}/vblk-dkms.XXXXXX")
trap 'rm -rf "$t"' EXIT
# No module signing: dkms would create a MOK key pair in /var/lib/dkms.
export sign_file=/nonexistent
dk() { dkms "$@" --dkmstree "$t/tree" --sourcetree "$t/stage/usr/src"; }

make -s dkms-src DESTDIR="$t/stage" >"$t/src.log" 2>&1
ok $? "make dkms-src stages dkms.conf and kmod/ in /usr/src/vblk-$ver" "$t/src.log"
mkdir -p "$t/tree"
dk add -m vblk -v "$ver" >"$t/add.log" 2>&1
ok $? "dkms add vblk/$ver" "$t/add.log"

dk build -m vblk -v "$ver" -k "$kver" --kernelsourcedir "$kdir" >"$t/build.log" 2>&1
rc=$?
log=$t/tree/vblk/$ver/$kver/x86_64/log/make.log
[ -f "$log" ] || log=$t/tree/vblk/$ver/build/make.log
ok $rc "dkms build vblk/$ver for the test kernel $kver" "$log"
ko=$(ls "$t/tree/vblk/$ver/$kver/x86_64/module/vblk.ko"* 2>/dev/null | head -n 1)
s=1
if [ -n "$ko" ]; then
	vm=$(/sbin/modinfo -F vermagic "$ko" | cut -d' ' -f1)
	al=$(/sbin/modinfo -F alias "$ko")
	pm=$(/sbin/modinfo -F parm "$ko" | cut -d: -f1 | sort | tr '\n' ' ')
	echo "# $ko: vermagic $vm, alias $al, parm $pm"
	[ "$vm" = "$kver" ] && [ "$al" = "net-pf-16-proto-16-family-vblk" ] &&
		[ "$pm" = "dev_gid dev_mode " ] && s=0
fi
ok $s "the built module is for $kver, has the genl family alias and the node parameters"

# The refusal: a real old tree when one is installed, else the test
# kernel's tree with its version overridden (make reads MAKEFLAGS from the
# environment; dkms passes it on).
old=${1:-$(ls -d /usr/src/linux-headers-6.1*-amd64 2>/dev/null | head -n 1)}
if [ -n "$old" ] && [ -f "$old/include/config/kernel.release" ]; then
	okver=$(cat "$old/include/config/kernel.release")
	what="the Debian tree $okver"
	env=()
else
	okver=$kver old=$kdir what="the test tree reporting 6.11.0"
	env=(MAKEFLAGS="PATCHLEVEL=11 SUBLEVEL=0")
fi
env "${env[@]}" dkms build -m vblk -v "$ver" -k "$okver" --kernelsourcedir "$old" \
	--dkmstree "$t/tree" --sourcetree "$t/stage/usr/src" >"$t/old.log" 2>&1
rc=$?
cat "$t/tree/vblk/$ver/build/make.log" >>"$t/old.log" 2>/dev/null
s=1
[ $rc -ne 0 ] && grep -q 'vblk needs Linux 6.12.20 or later; this kernel tree is ' "$t/old.log" && s=0
grep -m1 -o 'vblk needs Linux.*' "$t/old.log" | sed 's/^/# /'
ok $s "dkms build for $what fails, naming the minimum version" "$t/old.log"

ktap_set_plan $((KTAP_TESTNO - 1))
ktap_finished
