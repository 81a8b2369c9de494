#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The vblkctl session shown in Documentation/admin-guide.rst and vblkctl(8),
# EXAMPLES: run it in the test host and copy the transcript it prints (each
# command after "# ", then its output) into those files when vblkctl's
# output changes:
#
#   make test-modules user
#   scripts/vm.sh --cmd scripts/doc-examples.sh
#
# Needs root, a loaded-or-loadable kmod/vblk.ko and no vblk devices; works
# on a tmpfs mounted over /srv/vm.
set -u
ROOT=${VBLK_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
PATH=$ROOT/user:$PATH
# shellcheck source=scripts/lib.sh
khdr=${VBLK_KSRC:-$(. "$ROOT/scripts/lib.sh" && vblk_ksrc_dir)}/tools/testing/selftests
tmp=$(mktemp -d)
pids=()
srv=

cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	umount /srv/vm 2>/dev/null
	[ -n "$srv" ] && umount /srv 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# run COMMAND...: print it as typed at a root prompt, then run it.
run() {
	echo "# $*"
	"$@" 2>&1
}

lsmod | grep -q '^vblk ' || insmod "$ROOT/kmod/vblk.ko" || exit 1
[ -z "$(vblkctl dev show)" ] || { echo "Error: vblk devices exist already" >&2; exit 1; }
# The test host's root is read-only: a tmpfs over /srv holds /srv/vm.
if ! mkdir -p /srv/vm 2>/dev/null; then
	mount -t tmpfs -o size=1m tmpfs /srv && mkdir /srv/vm || exit 1
	srv=1
fi
mount -t tmpfs -o size=64m tmpfs /srv/vm || exit 1

echo "---- create and show"
run truncate -s 20G /srv/vm/disk0.img
run vblkctl dev add disk0 backing /srv/vm/disk0.img serial VM0-DISK0 iops 2000 bps 200Mi
run truncate -s 300M /srv/vm/install.iso
run vblkctl dev add name iso backing /srv/vm/install.iso ro
run vblkctl dev show
run vblkctl -r dev show
run vblkctl -s dev show disk0

echo "---- usage and kernel errors"
run vblkctl dev add disk1 backing /srv/vm/disk0.img size 1Gi size 2Gi
run vblkctl dev add disk1 backing /srv/vm/disk0.img size 1000
run vblkctl dev add disk1 backing /srv/vm/disk0.img queues 17

echo "---- throttle changes"
run vblkctl dev set disk0 iops 500 iops-burst 2000
run vblkctl set-throttle disk0 off
run vblkctl dev set disk0 bps 100Mi bps-burst 200Mi
run vblkctl dev show

echo "---- stats -w (thrbench: the throttle section of make bench)"
nl=$(pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
# shellcheck disable=SC2086
if cc -O2 -D_GNU_SOURCE -isystem "$khdr" -I"$ROOT/kmod/include" -I"$ROOT/selftests/lib" \
	-I"$ROOT/user/lib" $nl -o "$tmp/throttle" "$ROOT/scripts/bench/throttle.c" \
	"$ROOT"/selftests/lib/*.c "$ROOT"/user/lib/*.c -lnl-genl-3 -lnl-3 -lpthread; then
	(cd "$tmp" && VBLK_ROOT=$ROOT exec ./throttle >"$tmp/throttle.log" 2>&1) &
	bench=$!
	pids+=("$bench")
	for _ in $(seq 100); do
		vblkctl dev show thrbench >/dev/null 2>&1 && break
		sleep 0.1
	done
	sleep 1
	run vblkctl stats thrbench -w 2 -c 3
	wait $bench || { echo "(the throttle benchmark failed)"; cat "$tmp/throttle.log"; }
else
	echo "(the throttle benchmark did not build)"
fi

echo "---- JSON, monitor"
run vblkctl -j dev show iso
echo "# vblkctl -j monitor -c 2"
vblkctl -j monitor -c 2 >"$tmp/mon" 2>&1 &
mon=$!
sleep 1
exec 3<>/dev/vblk/iso
exec 3>&-
wait $mon
cat "$tmp/mon"

echo "---- delete (a VMM holds /dev/vblk/disk0 open)"
sleep 600 3<>/dev/vblk/disk0 &
pids+=($!)
sleep 0.5
run vblkctl dev del disk0
echo "# vblkctl -t monitor -c 2 &"
vblkctl -t monitor -c 2 >"$tmp/mon" 2>&1 &
mon=$!
sleep 1
run vblkctl dev del disk0 force
wait $mon
cat "$tmp/mon"

echo "---- batch"
cat >/srv/vm/boot.batch <<'BATCH'
# vblk disks of this host
dev add disk0 backing /srv/vm/disk0.img serial VM0-DISK0 iops 2000 bps 200Mi
dev add iso backing /srv/vm/install.iso ro
dev add name scratch backing /srv/vm/disk0.img size 1Gi
BATCH
run cat /srv/vm/boot.batch
run vblkctl -b /srv/vm/boot.batch
run vblkctl -force -b /srv/vm/boot.batch
run vblkctl dev show

echo "---- versions, no module"
run vblkctl -V
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=()
for n in $(vblkctl -j dev show | grep -o '"name":"[^"]*"' | cut -d'"' -f4); do
	vblkctl dev del "$n" force
done
run rmmod vblk
run vblkctl dev show
echo "(exit status $?)"
run vblkctl -V
