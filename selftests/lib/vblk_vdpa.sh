# SPDX-License-Identifier: GPL-2.0
# Sourced by vblk's vDPA tests: vblk_vdpa.ko, iproute2's vdpa tool, the
# vDPA bus's two drivers (virtio_vdpa for the host itself, vhost_vdpa for
# a VMM) and the counters of a device.  Needs $root (the checkout), $ctl
# (vblkctl) and vblk_e2e.sh (devfield).

VDPA_BUS=/sys/bus/vdpa
vdpa_loaded_here=0

# vdpa_load: load vblk_vdpa.ko unless it is loaded.
vdpa_load() {
	grep -q '^vblk_vdpa ' /proc/modules && return 0
	insmod "$root/kmod/vblk_vdpa.ko" || return 1
	vdpa_loaded_here=1
}

# vdpa_unload: unload vblk_vdpa.ko if vdpa_load loaded it.
vdpa_unload() {
	[ "$vdpa_loaded_here" = 1 ] || return 0
	rmmod vblk_vdpa && vdpa_loaded_here=0
}

# vdpa_begin NTESTS MISSING TOOL...: the KTAP header and plan; every
# result skipped, and the test over, when the host lacks what the vDPA
# tests need, or a TOOL, or MISSING is not empty (what the caller found
# missing, "thing;" each).
vdpa_begin() {
	local n=$1 m=$2 t i
	shift 2
	ktap_print_header
	ktap_set_plan "$n"
	command -v vdpa >/dev/null || m="$m iproute2's vdpa tool;"
	[ -d $VDPA_BUS ] || m="$m CONFIG_VDPA;"
	[ -f "$root/kmod/vblk_vdpa.ko" ] || m="$m kmod/vblk_vdpa.ko;"
	[ -x "$ctl" ] || m="$m $ctl;"
	grep -q '^vblk ' /proc/modules || m="$m vblk.ko loaded;"
	for t in "$@"; do
		command -v "$t" >/dev/null || m="$m $t;"
	done
	[ -z "$m" ] && return 0
	for i in $(seq "$n"); do ktap_test_skip "needs:$m"; done
	ktap_finished
}

# vdpa_cleanup NAME...: take the devices off the vDPA bus, unload what
# vdpa_load loaded, delete the vblk devices and $work.
vdpa_cleanup() {
	local d
	for d in "$@"; do vdpa dev del "$d" 2>/dev/null; done
	vdpa_unload
	for d in "$@"; do "$ctl" dev del "$d" force >/dev/null 2>&1; done
	rm -rf "$work"
}

# vdpa_driver NAME DRIVER: have DRIVER (virtio_vdpa, vhost_vdpa) drive the
# vDPA device NAME (the bus binds whichever driver comes first).
vdpa_driver() {
	local d=$VDPA_BUS/devices/$1 cur
	cur=$(basename "$(readlink "$d/driver" 2>/dev/null)")
	[ "$cur" = "$2" ] && return 0
	[ -n "$cur" ] && echo "$1" >"$VDPA_BUS/drivers/$cur/unbind"
	echo "$2" >"$d/driver_override" && echo "$1" >"$VDPA_BUS/drivers_probe"
	[ "$(basename "$(readlink "$d/driver" 2>/dev/null)")" = "$2" ]
}

# vdpa_blockdev NAME: the block device (vdX) virtio_vdpa made for NAME.
vdpa_blockdev() {
	local b i
	for i in $(seq 50); do
		for b in "$VDPA_BUS/devices/$1"/virtio*/block/*; do
			[ -e "$b" ] && { basename "$b"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

# vdpa_vhostdev NAME: the character device (/dev/vhost-vdpa-N) of NAME.
vdpa_vhostdev() {
	local c
	for c in "$VDPA_BUS/devices/$1"/vhost-vdpa-*; do
		[ -e "$c" ] && { echo "/dev/$(basename "$c")"; return 0; }
	done
	return 1
}

# vq_stat NAME QUEUE COUNTER: one per-queue counter of vDPA device NAME.
vq_stat() {
	awk -v q="$2" -v c="$3" '$1 == "queue" && $2 == q {
		for (i = 3; i < NF; i += 2) if ($i == c) print $(i + 1) }' \
		"$VDPA_BUS/devices/$1/vq_stats"
}

# vq_sum NAME COUNTER: a per-queue counter summed over the queues.
vq_sum() {
	awk -v c="$2" '$1 == "queue" {
		for (i = 3; i < NF; i += 2) if ($i == c) s += $(i + 1) }
		END { print s + 0 }' "$VDPA_BUS/devices/$1/vq_stats"
}

# counter NAME KEY: one device counter from vblkctl (KEY as in the JSON:
# bytes-read, writes-completed, ...).
counter() {
	"$ctl" -j stats "$1" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["stats"][sys.argv[1]])' "$2"
}

# attached NAME: vblkctl shows the device bound (true) or not (false).
attached() { devfield "$1" vmm-attached; }
