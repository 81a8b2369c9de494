#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make install / uninstall, in the test host: the staged layout (DESTDIR,
# PREFIX), then a real install into the test host's root (an overlayfs on
# /usr and /etc over the read-only 9p root, dropped at the end): the
# installed vblkctl autoloads the installed module through the genl family
# alias, modprobe options set the node's group and mode, udevadm test
# applies the udev rule, and uninstall undoes it all.  Also: make help
# names every target.  Needs root; the tree must be built (make modules
# user, as scripts/vm-test.sh does).  Prints TAP.
set -u
ROOT=${VBLK_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$ROOT" || exit 1
# The kernel's KTAP helpers (ktap_test_pass, ...), from its source tree.
# shellcheck source=/dev/null
. "${VBLK_KSRC:-$(. scripts/lib.sh && vblk_ksrc_dir)}/tools/testing/selftests/kselftest/ktap_helpers.sh" || exit 1
tmp=$(mktemp -d /tmp/install-test.XXXXXX)
kver=$(uname -r)
# The running kernel's build tree (the test host has no /lib/modules of its
# own; on a host this is /lib/modules/$(uname -r)/build, make's default).
kdir=${VBLK_KDIR:-/lib/modules/$kver/build}
ovl=()

ok() {	# ok STATUS DESCRIPTION [LOG]: one result; on failure LOG's tail
	if [ "$1" -eq 0 ]; then ktap_test_pass "$2"; else ktap_test_fail "$2"; fi
	[ "$1" -eq 0 ] || [ -z "${3:-}" ] || tail -n 20 "$3" 2>/dev/null | sed 's/^/#   /'
}

ktap_print_header

cleanup() {
	"$ROOT/user/vblkctl" dev del it0 force >/dev/null 2>&1
	local d
	for d in "${ovl[@]}"; do
		umount "$d" 2>/dev/null || umount -l "$d"
	done
	lsmod | grep -q '^vblk ' || insmod "${VBLK_KO:-$ROOT/kmod/vblk.ko}"
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ] || [ ! -f kmod/vblk.ko ] || [ ! -x user/vblkctl ]; then
	ktap_skip_all "needs root and a built tree (make modules user)"
	exit "$KSFT_SKIP"
fi

# ---- make help ---------------------------------------------------------
make -s help >"$tmp/help" 2>&1
s=0
for t in $(make -pq help 2>/dev/null | sed -n 's/^\.PHONY: //p'); do
	[ "$t" = all ] && pat='^  make {2,}[^ ]' || pat="^  make $t( |\$)"
	grep -qE "$pat" "$tmp/help" || { echo "#   make help does not list: $t"; s=1; }
done
ok $s "make help has a line for every target"

# ---- staged installs ---------------------------------------------------
# layout DIR: every file and link below DIR, one per line, sorted.
layout() { [ ! -d "$1" ] || (cd "$1" && find . ! -type d | sed 's|^\./||' | sort); }

# staged DESC EXPECTED-FILE MAKE-ARGS...: make install into a fresh DESTDIR,
# compare the layout with EXPECTED-FILE, the files with their sources and
# their modes with 0755 (programs) or 0644.
staged() {
	local desc=$1 want=$2 d=$tmp/stage
	shift 2
	rm -rf "$d"
	make -s install KDIR="$kdir" DESTDIR="$d" "$@" >"$tmp/install.log" 2>&1
	ok $? "make install DESTDIR=... $* runs" "$tmp/install.log"
	layout "$d" >"$tmp/got"
	diff "$want" "$tmp/got" | sed 's/^/#   /'
	cmp -s "$want" "$tmp/got"
	ok $? "$desc: exactly the expected files"
	local s=0 f src mode
	[ -s "$tmp/got" ] || s=1
	while read -r f; do
		case "$f" in
		*/vblk.ko) src=kmod/vblk.ko ;;
		*/vblk_vdpa.ko) src=kmod/vblk_vdpa.ko ;;
		*/completions/vblkctl) src=completions/vblkctl ;;
		*/sbin/vblkctl) src=user/vblkctl ;;
		*/bin/vblk-vmm) src=user/vblk-vmm ;;
		*/vblkctl.8) src=Documentation/vblkctl.8 ;;
		*/60-vblk.rules) src=udev/60-vblk.rules ;;
		*/linux/*.h) src=kmod/include/uapi/linux/${f##*/} ;;
		*) echo "#   unexpected $f"; s=1; continue ;;
		esac
		case "$f" in */bin/* | */sbin/*) mode=755 ;; *) mode=644 ;; esac
		cmp -s "$src" "$d/$f" || { echo "#   $f differs from $src"; s=1; }
		[ "$(stat -c %a "$d/$f")" = "$mode" ] || { echo "#   $f: mode $(stat -c %a "$d/$f"), want $mode"; s=1; }
	done <"$tmp/got"
	ok $s "$desc: the files are the built ones, programs 0755, the rest 0644"
}

expect() {	# expect PREFIX UDEVDIR: the expected layout
	{
		echo "lib/modules/$kver/updates/vblk.ko"
		# the vDPA binding, built where the kernel has CONFIG_VDPA
		[ -f kmod/vblk_vdpa.ko ] && echo "lib/modules/$kver/updates/vblk_vdpa.ko"
		echo "$1/sbin/vblkctl"
		echo "$1/bin/vblk-vmm"
		echo "$1/share/man/man8/vblkctl.8"
		echo "$1/include/linux/vblk.h"
		echo "$1/include/linux/vblk_vmm.h"
		echo "$1/share/bash-completion/completions/vblkctl"
		echo "$2/60-vblk.rules"
	} | sort
}
expect usr/local etc/udev/rules.d >"$tmp/want-local"
expect usr usr/lib/udev/rules.d >"$tmp/want-usr"
staged "DESTDIR, default PREFIX=/usr/local" "$tmp/want-local"
staged "DESTDIR, PREFIX=/usr" "$tmp/want-usr" PREFIX=/usr
make -s uninstall KDIR="$kdir" DESTDIR="$tmp/stage" PREFIX=/usr >"$tmp/uninstall.log" 2>&1
ok $? "make uninstall DESTDIR=... PREFIX=/usr runs" "$tmp/uninstall.log"
[ -z "$(layout "$tmp/stage")" ]
ok $? "make uninstall DESTDIR=... leaves no file behind"

# ---- a real install into the test host's root --------------------------
for d in /usr /etc; do
	mkdir -p "$tmp/ovl$d/up" "$tmp/ovl$d/work"
	if mount -t overlay overlay -o "lowerdir=$d,upperdir=$tmp/ovl$d/up,workdir=$tmp/ovl$d/work" "$d"; then
		ovl=("$d" "${ovl[@]}")
	fi
done
if [ ${#ovl[@]} -ne 2 ]; then
	ok 1 "overlayfs over /usr and /etc (CONFIG_OVERLAY_FS)"
	ktap_set_plan $((KTAP_TESTNO - 1))
	ktap_finished
fi

rmmod vblk 2>/dev/null
"$ROOT/user/vblkctl" dev show >"$tmp/out" 2>&1
rc=$?
[ $rc -ne 0 ] && ! lsmod | grep -q "^vblk "
ok $? "before make install: dev show fails (rc $rc) and nothing loads vblk" "$tmp/out"

make -s install KDIR="$kdir" >"$tmp/install.log" 2>&1
installed=$?
ok $installed "make install into the test host's root" "$tmp/install.log"
comp=/usr/local/share/bash-completion/completions/vblkctl
[ -f "/lib/modules/$kver/updates/vblk.ko" ] && [ -x /usr/local/sbin/vblkctl ] &&
	[ -x /usr/local/bin/vblk-vmm ] && [ -f /etc/udev/rules.d/60-vblk.rules ] && [ -f $comp ]
ok $? "vblk.ko in /lib/modules/$kver/updates, the programs and completion in /usr/local, the rule in /etc/udev"
grep -qx 'alias net-pf-16-proto-16-family-vblk vblk' "/lib/modules/$kver/modules.alias"
ok $? "depmod ran: modules.alias maps the genl family alias to vblk"

/usr/local/sbin/vblkctl dev show >"$tmp/out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then	# the kernel runs its modprobe helper in init's root
	m=$(cat /proc/sys/kernel/modprobe)
	[ -x "/proc/1/root$m" ] || echo "the kernel's modprobe helper $m is not in init's root"
fi >>"$tmp/out"
[ $rc -eq 0 ] && lsmod | grep -q '^vblk '
ok $? "the installed vblkctl's first dev show autoloads vblk (rc $rc)" "$tmp/out"

# Without udev (as here), modprobe options give the node its group and mode.
kvm=$(getent group kvm | cut -d: -f3)
if [ -z "$kvm" ]; then
	ktap_test_skip "node group and mode from modprobe options: no group kvm here"
else
	rmmod vblk
	truncate -s 16M "$tmp/it0.img"
	modprobe vblk dev_mode=0660 dev_gid="$kvm" &&
		/usr/local/sbin/vblkctl dev add it0 backing "$tmp/it0.img" >"$tmp/out" 2>&1
	got=$(stat -c '%a %g' /dev/vblk/it0 2>&1)
	echo "#   /dev/vblk/it0: $got"
	[ "$got" = "660 $kvm" ]
	ok $? "modprobe vblk dev_mode=0660 dev_gid=<kvm>: /dev/vblk/it0 is 0660, group kvm" "$tmp/out"
fi

# The udev rule, as udevd would apply it to the device.
if ! command -v udevadm >/dev/null; then
	ktap_test_skip "udevadm test of 60-vblk.rules: udevadm is not installed"
elif [ -z "$kvm" ]; then
	ktap_test_skip "udevadm test of 60-vblk.rules: no group kvm here"
elif [ ! -d /sys/class/vblk/it0 ]; then
	ok 1 "udevadm test: no device to test the rule on"
else
	udevadm test --action=add /sys/class/vblk/it0 >"$tmp/udev.log" 2>&1
	grep -E '60-vblk\.rules' "$tmp/udev.log" | sed 's/^/#   /'
	grep -qE "60-vblk\\.rules:[0-9]+ GROUP ${kvm:-[0-9]+}\$" "$tmp/udev.log" &&
		grep -qE '60-vblk\.rules:[0-9]+ MODE 0?660' "$tmp/udev.log"
	ok $? "udevadm test: 60-vblk.rules sets GROUP kvm and MODE 0660 on vblk/it0" "$tmp/udev.log"
fi
/usr/local/sbin/vblkctl dev del it0 >/dev/null 2>&1

make -s uninstall KDIR="$kdir" >"$tmp/uninstall.log" 2>&1
ok $? "make uninstall" "$tmp/uninstall.log"
[ $installed -eq 0 ] && [ ! -e "/lib/modules/$kver/updates/vblk.ko" ] && [ ! -e /usr/local/sbin/vblkctl ] &&
	[ ! -e /usr/local/bin/vblk-vmm ] && [ ! -e /etc/udev/rules.d/60-vblk.rules ] &&
	[ ! -e /usr/local/include/linux/vblk.h ] && [ ! -e $comp ] && ! grep -q 'family-vblk' "/lib/modules/$kver/modules.alias"
ok $? "make uninstall removes the files and the alias"
rmmod vblk 2>/dev/null
"$ROOT/user/vblkctl" dev show >/dev/null 2>&1
rc=$?
[ $installed -eq 0 ] && [ $rc -ne 0 ] && ! lsmod | grep -q "^vblk "
ok $? "after make uninstall: dev show fails (rc $rc), nothing autoloads"

ktap_set_plan $((KTAP_TESTNO - 1))
ktap_finished
